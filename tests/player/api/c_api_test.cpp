// The C API (abrplay/abrplay.h) end to end against abrplay-origin, and the C example program.
#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "abrplay/abrplay.h"
#include "api_test_support.h"
#include "media_test_support.h"
#include "origin.h"
#include "run_tool.h"

using abrplay::test::manifest_url;
using abrplay::test::serve;

namespace {

// Drains events until `type` (or an error) arrives; at most `limit` seconds without any event.
std::vector<abrplay_event_type> drain_until(abrplay_handle* p, abrplay_event_type type, int* error = nullptr) {
  std::vector<abrplay_event_type> seen;
  for (;;) {
    abrplay_event ev;
    if (abrplay_wait_event(p, 30.0, &ev) != ABRPLAY_OK) break;
    seen.push_back(ev.type);
    REQUIRE(ev.message != nullptr);
    REQUIRE(ev.representation_id != nullptr);
    if (ev.type == ABRPLAY_EVENT_ERROR && error) *error = ev.error;
    if (ev.type == type || ev.type == ABRPLAY_EVENT_ERROR) break;
  }
  return seen;
}

bool ends(const std::vector<abrplay_event_type>& seen) { return !seen.empty() && seen.back() == ABRPLAY_EVENT_ENDED; }

std::atomic<int> g_wakeups{0};
void count_wakeup(void*) { g_wakeups.fetch_add(1); }

// What the frame and cue callbacks saw (they run on the presentation thread).
struct Seen {
  std::mutex mu;
  std::vector<int> codes;         // frame code of each frame, in call order
  std::vector<std::int64_t> pts;  // us
  bool planes_ok = true;          // every plane non-null, every stride wide enough
  bool calls_ok = true;           // abrplay_* calls from inside the callback answered
  std::vector<std::string> cues;
  std::vector<std::int64_t> cue_starts;
  abrplay_handle* handle = nullptr;
};

void on_frame(void* data, const abrplay_frame* f) {
  auto* seen = static_cast<Seen*>(data);
  abrplay::media::VideoFrame v;  // only to read the frame code with the media tests' helper
  v.width = f->width;
  v.height = f->height;
  for (std::size_t i = 0; i < 3; ++i) {
    v.planes[i] = f->planes[i];
    v.strides[i] = f->strides[i];
  }
  const bool planes_ok = f->planes[0] && f->planes[1] && f->planes[2] && f->strides[0] >= f->width &&
                         f->strides[1] >= (f->width + 1) / 2 && f->strides[2] >= (f->width + 1) / 2 &&
                         f->representation_id != nullptr && f->representation_id[0] != '\0';
  abrplay_stats stats;
  const bool calls_ok = abrplay_get_stats(seen->handle, &stats) == ABRPLAY_OK &&
                        abrplay_get_position_us(seen->handle) >= 0;  // allowed from inside
  const int code = abrplay::media::test::read_frame_code(v);
  std::lock_guard lock(seen->mu);
  seen->codes.push_back(code);
  seen->pts.push_back(f->pts_us);
  seen->planes_ok = seen->planes_ok && planes_ok;
  seen->calls_ok = seen->calls_ok && calls_ok;
}

void on_cue(void* data, const abrplay_cue* c) {
  auto* seen = static_cast<Seen*>(data);
  std::lock_guard lock(seen->mu);
  seen->cues.emplace_back(c->text);
  seen->cue_starts.push_back(c->start_us);
}

}  // namespace

TEST_CASE("C API: create, load, events to the end, stats, destroy", "[api][c]") {
  auto origin = serve();
  abrplay_config* cfg = abrplay_config_create();
  REQUIRE(abrplay_config_set_string(cfg, "sinks", "null-max-speed") == ABRPLAY_OK);
  CHECK(abrplay_config_set_string(cfg, "sinks", "window") == ABRPLAY_ERROR_INVALID_ARGUMENT);
  CHECK(abrplay_config_set_string(cfg, "no-such-key", "x") == ABRPLAY_ERROR_INVALID_ARGUMENT);
  CHECK(abrplay_config_set_int(cfg, "max-height", 720) == ABRPLAY_OK);
  CHECK(abrplay_config_set_int(cfg, "cache", 2) == ABRPLAY_ERROR_INVALID_ARGUMENT);
  CHECK(abrplay_config_set_int(cfg, "cache", 1) == ABRPLAY_OK);
  CHECK(abrplay_config_set_int(cfg, "cache-live", 0) == ABRPLAY_OK);
  CHECK(abrplay_config_set_int(cfg, "cache-memory-bytes", 32 << 20) == ABRPLAY_OK);
  CHECK(abrplay_config_set_int(cfg, "cache-disk-bytes", -1) == ABRPLAY_ERROR_INVALID_ARGUMENT);
  CHECK(abrplay_config_set_int(cfg, "target-latency-ms", 3000) == ABRPLAY_OK);  // VOD: no effect
  CHECK(abrplay_config_set_int(cfg, "live-catchup", 2) == ABRPLAY_ERROR_INVALID_ARGUMENT);
  abrplay_handle* p = abrplay_create(cfg);
  abrplay_config_destroy(cfg);
  REQUIRE(p != nullptr);
  abrplay_event ev;
  CHECK(abrplay_wait_event(p, 0, &ev) == ABRPLAY_ERROR_TIMEOUT);
  g_wakeups = 0;
  abrplay_set_wakeup_callback(p, count_wakeup, nullptr);
  CHECK(abrplay_seek(p, 1000) == ABRPLAY_ERROR_INVALID_STATE);
  REQUIRE(abrplay_load(p, manifest_url(*origin).c_str()) == ABRPLAY_OK);
  CHECK(abrplay_get_state(p) == ABRPLAY_STATE_LOADING);
  const auto seen = drain_until(p, ABRPLAY_EVENT_ENDED);
  REQUIRE_FALSE(seen.empty());
  CHECK(seen.back() == ABRPLAY_EVENT_ENDED);
  CHECK(g_wakeups.load() >= 1);
  abrplay_stats s;
  REQUIRE(abrplay_get_stats(p, &s) == ABRPLAY_OK);
  CHECK(s.state == ABRPLAY_STATE_ENDED);
  CHECK(s.startup_time_us >= 0);
  CHECK(s.video_height <= 720);
  CHECK(s.frames_presented == 200);
  CHECK(s.cache_misses >= 5);  // the MPD, two init and at least two media segments went to the network
  CHECK(abrplay_error_string(ABRPLAY_ERROR_NETWORK_CACHE) == std::string("network.cache"));
  CHECK(s.live_latency_us < 0);  // not live
  // Track switches in place: a language the presentation does not offer is refused at once.
  CHECK(abrplay_select_audio_language(p, "de") == ABRPLAY_ERROR_INVALID_ARGUMENT);
  CHECK(abrplay_select_text_language(p, "fr") == ABRPLAY_ERROR_INVALID_ARGUMENT);  // subtitles: en only
  CHECK(abrplay_select_audio_language(p, "fr") == ABRPLAY_OK);
  CHECK(abrplay_select_text_language(p, "") == ABRPLAY_OK);
  abrplay_destroy(p);
  abrplay_destroy(nullptr);
}

TEST_CASE("C API: the frame callback gets every frame once (200 at max speed), the cue callback every cue",
          "[api][c][callbacks]") {
  auto origin = serve();
  abrplay_config* cfg = abrplay_config_create();
  REQUIRE(abrplay_config_set_string(cfg, "sinks", "frame-callback-max-speed") == ABRPLAY_OK);
  REQUIRE(abrplay_config_set_string(cfg, "text-language", "en") == ABRPLAY_OK);
  abrplay_handle* p = abrplay_create(cfg);
  abrplay_config_destroy(cfg);
  REQUIRE(p != nullptr);
  Seen seen;
  seen.handle = p;
  abrplay_set_frame_callback(p, on_frame, &seen);
  abrplay_set_cue_callback(p, on_cue, &seen);
  REQUIRE(abrplay_load(p, manifest_url(*origin).c_str()) == ABRPLAY_OK);
  const auto events = drain_until(p, ABRPLAY_EVENT_ENDED);
  REQUIRE_FALSE(events.empty());
  CHECK(events.back() == ABRPLAY_EVENT_ENDED);
  abrplay_stats s;
  REQUIRE(abrplay_get_stats(p, &s) == ABRPLAY_OK);
  abrplay_destroy(p);  // joins the presentation thread: no callback runs any more
  CHECK(s.frames_presented == 200);
  CHECK(seen.codes.size() == 200);  // 8 s at 25 fps, each once
  CHECK(std::set<int>(seen.codes.begin(), seen.codes.end()).size() == seen.codes.size());
  CHECK(std::is_sorted(seen.pts.begin(), seen.pts.end()));
  CHECK(seen.planes_ok);
  CHECK(seen.calls_ok);
  // subs_en.vtt: "Subtitle at N s" every 2 s, 4 cues in 8 s.
  REQUIRE(seen.cues.size() == 4);
  CHECK(seen.cues.front() == "Subtitle at 0 s");
  CHECK(seen.cues.back() == "Subtitle at 6 s");
  CHECK(seen.cue_starts.back() == 6'000'000);
}

TEST_CASE("C API: a callback set to NULL is not called again, and the frame callback needs frame-callback sinks",
          "[api][c][callbacks]") {
  auto origin = serve();
  CHECK(abrplay_config_set_string(nullptr, "sinks", "frame-callback") == ABRPLAY_ERROR_INVALID_ARGUMENT);
  abrplay_set_frame_callback(nullptr, on_frame, nullptr);  // no-ops
  abrplay_set_cue_callback(nullptr, on_cue, nullptr);
  // null sinks: the frame callback is never called
  abrplay_config* cfg = abrplay_config_create();
  REQUIRE(abrplay_config_set_string(cfg, "sinks", "null-max-speed") == ABRPLAY_OK);
  abrplay_handle* p = abrplay_create(cfg);
  abrplay_config_destroy(cfg);
  Seen seen;
  seen.handle = p;
  abrplay_set_frame_callback(p, on_frame, &seen);
  REQUIRE(abrplay_load(p, manifest_url(*origin).c_str()) == ABRPLAY_OK);
  CHECK(ends(drain_until(p, ABRPLAY_EVENT_ENDED)));
  abrplay_destroy(p);
  CHECK(seen.codes.empty());
  // frame-callback sinks, callback removed before loading: nothing arrives
  cfg = abrplay_config_create();
  REQUIRE(abrplay_config_set_string(cfg, "sinks", "frame-callback-max-speed") == ABRPLAY_OK);
  p = abrplay_create(cfg);
  abrplay_config_destroy(cfg);
  seen.handle = p;
  abrplay_set_frame_callback(p, on_frame, &seen);
  abrplay_set_frame_callback(p, nullptr, nullptr);
  REQUIRE(abrplay_load(p, manifest_url(*origin).c_str()) == ABRPLAY_OK);
  CHECK(ends(drain_until(p, ABRPLAY_EVENT_ENDED)));
  abrplay_stats s;
  REQUIRE(abrplay_get_stats(p, &s) == ABRPLAY_OK);
  CHECK(s.frames_presented == 200);
  abrplay_destroy(p);
  CHECK(seen.codes.empty());
}

TEST_CASE("C API: a bad URL is an error event with a negative code and its string", "[api][c]") {
  abrplay_handle* p = abrplay_create(nullptr);
  REQUIRE(p != nullptr);
  CHECK(abrplay_load(p, "") == ABRPLAY_ERROR_INVALID_ARGUMENT);
  REQUIRE(abrplay_load(p, "ftp://127.0.0.1/x.mpd") == ABRPLAY_OK);
  int error = 0;
  drain_until(p, ABRPLAY_EVENT_ERROR, &error);
  CHECK(error == ABRPLAY_ERROR_NETWORK_BAD_URL);
  CHECK(std::string(abrplay_error_string(error)) == "network.bad_url");
  CHECK(std::string(abrplay_error_string(ABRPLAY_ERROR_INVALID_STATE)) == "general.invalid_state");
  CHECK(std::string(abrplay_error_string(-99999)) == "unknown");
  CHECK(std::string(abrplay_state_string(ABRPLAY_STATE_PLAYING)) == "playing");
  abrplay_destroy(p);
}

TEST_CASE("C API: load through the playback API", "[api][c][playback]") {
  auto origin = serve();
  abrplay_config* cfg = abrplay_config_create();
  REQUIRE(abrplay_config_set_string(cfg, "sinks", "null-max-speed") == ABRPLAY_OK);
  abrplay_handle* p = abrplay_create(cfg);
  abrplay_config_destroy(cfg);
  CHECK(abrplay_load_playback(p, nullptr, nullptr, nullptr) == ABRPLAY_ERROR_INVALID_ARGUMENT);
  REQUIRE(abrplay_load_playback(p, (origin->url(0) + "play").c_str(), "abrplay-demo", "timeline") == ABRPLAY_OK);
  const auto seen = drain_until(p, ABRPLAY_EVENT_ENDED);
  REQUIRE_FALSE(seen.empty());
  CHECK(seen.back() == ABRPLAY_EVENT_ENDED);
  abrplay_destroy(p);
}

TEST_CASE("the C example program plays the test content to the end", "[api][c][demo]") {
  const std::filesystem::path exe = std::string(ABRPLAY_BINARY_DIR) + "/demo/c-example/abrplay-c-example";
  if (!std::filesystem::exists(exe)) {
    WARN("not built: " << exe.string());
    return;
  }
  auto origin = serve();
  const auto scratch = abrplay::test::process_scratch("api_c_example");
  const auto run = [&](std::vector<std::string> args) {
    return abrplay::test::run_tool(exe.string(), std::move(args), scratch);
  };
  CHECK(run({manifest_url(*origin), "--max-speed"}).exit_code == 0);
  CHECK(run({manifest_url(*origin, "missing"), "--max-speed"}).exit_code != 0);
  // With the frame and cue callbacks: every frame and the four English cues.
  const abrplay::test::ToolRun framed = run({manifest_url(*origin), "--max-speed", "--frames", "--subtitles", "en"});
  INFO(framed.out);
  CHECK(framed.exit_code == 0);
  CHECK(framed.out.find("frames 200 (") != std::string::npos);
  CHECK(framed.out.find("cue 6.000-8.000 s: Subtitle at 6 s") != std::string::npos);
}
