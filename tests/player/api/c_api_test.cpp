// The C API (abrplay/abrplay.h) end to end against abrplay-origin, and the C example program.
#include <catch2/catch.hpp>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "abrplay/abrplay.h"
#include "origin.h"

namespace {

std::unique_ptr<abrplay::origin::Origin> serve_content() {
  abrplay::origin::OriginConfig oc;
  oc.roots = {ABRPLAY_TEST_CONTENT_DIR};
  auto o = abrplay::origin::Origin::start(std::move(oc));
  if (!o) FAIL("Origin::start: " << o.error());
  return std::move(*o);
}

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

std::atomic<int> g_wakeups{0};
void count_wakeup(void*) { g_wakeups.fetch_add(1); }

}  // namespace

TEST_CASE("C API: create, load, events to the end, stats, destroy", "[api][c]") {
  auto origin = serve_content();
  abrplay_config* cfg = abrplay_config_create();
  REQUIRE(abrplay_config_set_string(cfg, "sinks", "null-max-speed") == ABRPLAY_OK);
  CHECK(abrplay_config_set_string(cfg, "sinks", "window") == ABRPLAY_ERROR_INVALID_ARGUMENT);
  CHECK(abrplay_config_set_string(cfg, "no-such-key", "x") == ABRPLAY_ERROR_INVALID_ARGUMENT);
  CHECK(abrplay_config_set_int(cfg, "max-height", 720) == ABRPLAY_OK);
  abrplay_handle* p = abrplay_create(cfg);
  abrplay_config_destroy(cfg);
  REQUIRE(p != nullptr);
  abrplay_event ev;
  CHECK(abrplay_wait_event(p, 0, &ev) == ABRPLAY_ERROR_TIMEOUT);
  g_wakeups = 0;
  abrplay_set_wakeup_callback(p, count_wakeup, nullptr);
  CHECK(abrplay_seek(p, 1000) == ABRPLAY_ERROR_INVALID_STATE);
  REQUIRE(abrplay_load(p, (origin->url(0) + "number/manifest.mpd").c_str()) == ABRPLAY_OK);
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
  abrplay_destroy(p);
  abrplay_destroy(nullptr);
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
  auto origin = serve_content();
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
  auto origin = serve_content();
  const std::string cmd = exe.string() + " " + origin->url(0) + "number/manifest.mpd --max-speed > /dev/null";
  CHECK(std::system(cmd.c_str()) == 0);
  const std::string bad = exe.string() + " " + origin->url(0) + "missing/manifest.mpd --max-speed > /dev/null";
  CHECK(std::system(bad.c_str()) != 0);
}
