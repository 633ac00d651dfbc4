// Player::preload end to end against abrplay-origin (real HTTP over loopback, real decoding): the
// press answered from memory (the origin's request log proves no manifest, init or first segment
// request came after it), several titles at once within their budgets, cancel, expiry, failures,
// destruction, the engine's own choice winning over the preloaded rung, and the C API.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "abrplay/abrplay.h"
#include "api_test_support.h"
#include "free_port.h"

using abrplay::ErrorCode;
using abrplay::PlayerEvent;
using abrplay::PlayerState;
using abrplay::PreloadOptions;
using abrplay::test::manifest_url;
using abrplay::test::PlayerSession;
using abrplay::test::Recorder;

namespace {

// An origin serving the test content that logs every request to its own file.
struct PreloadOrigin {
  explicit PreloadOrigin(std::chrono::milliseconds latency = std::chrono::milliseconds(0)) {
    static std::atomic<int> n{0};
    log = std::filesystem::temp_directory_path() /
          ("abrplay-preload-test-" + std::to_string(::getpid()) + "-" + std::to_string(n++) + ".jsonl");
    std::filesystem::remove(log);
    auto config = abrplay::test::origin_serving();
    config.log_path = log.string();
    config.added_latency = latency;
    origin = abrplay::test::start_origin(std::move(config));
  }
  ~PreloadOrigin() {
    origin.reset();
    std::filesystem::remove(log);
  }
  PreloadOrigin(const PreloadOrigin&) = delete;
  PreloadOrigin& operator=(const PreloadOrigin&) = delete;

  // The requests logged once the log has settled: the origin writes a request's line after its
  // response has gone out, so the client may have its answer (and a preload be ready) a moment
  // before the line is there. Settled: unchanged over 150 ms.
  std::vector<std::string> settled_requests() const {
    std::vector<std::string> now = requests();
    for (int i = 0; i < 40; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(150));
      std::vector<std::string> later = requests();
      if (later == now) break;
      now = std::move(later);
    }
    return now;
  }

  // The requests logged so far: "path|range" each, in order.
  std::vector<std::string> requests() const {
    std::vector<std::string> out;
    std::ifstream in(log);
    for (std::string line; std::getline(in, line);) {
      const auto j = nlohmann::json::parse(line, nullptr, false);
      if (!j.is_object()) continue;
      out.push_back(j.value("path", std::string()) + "|" + j.value("range", std::string()));
    }
    return out;
  }

  std::filesystem::path log;
  std::unique_ptr<abrplay::origin::Origin> origin;
};

const PlayerEvent* preload_event(const std::vector<PlayerEvent>& ev, PlayerEvent::Kind kind, const std::string& url) {
  for (const auto& e : ev) {
    if (e.kind == kind && e.url == url) return &e;
  }
  return nullptr;
}

// Waits for the preload of `url` to end (ready, failed or discarded); its event, or null on a hang.
PlayerEvent preload_end(Recorder& rec, const std::string& url) {
  PlayerEvent out;
  const bool ended = rec.wait([&](const std::vector<PlayerEvent>& ev) {
    for (const auto& e : ev) {
      const bool end = e.kind == PlayerEvent::Kind::kPreloadReady || e.kind == PlayerEvent::Kind::kPreloadFailed ||
                       e.kind == PlayerEvent::Kind::kPreloadDiscarded;
      if (end && e.url == url) {
        out = e;
        return true;
      }
    }
    return false;
  });
  REQUIRE(ended);
  return out;
}

bool is_segment(const std::string& request) { return request.find(".mpd|") == std::string::npos; }

}  // namespace

TEST_CASE("Preload: the press of a preloaded title makes no manifest, init or first segment request",
          "[api][preload]") {
  PreloadOrigin o(std::chrono::milliseconds(40));
  const std::string url = manifest_url(*o.origin);
  // Without the HTTP cache: this test counts what reaches the origin, and a second load() must go
  // there (with the cache on, its fresh entries would answer it).
  PlayerSession p([] {
    abrplay::PlayerConfig c = abrplay::test::max_speed();
    c.cache.enabled = false;
    return c;
  }());
  REQUIRE(p.player.preload(url).code == ErrorCode::kOk);
  const PlayerEvent ready = preload_end(p.rec, url);
  REQUIRE(ready.kind == PlayerEvent::Kind::kPreloadReady);
  CHECK(ready.reason == "ready to play");
  CHECK(ready.bytes > 0);
  CHECK(ready.bytes <= PreloadOptions{}.byte_budget);
  CHECK(p.player.state() == PlayerState::kIdle);  // nothing was played or decoded
  CHECK(p.player.stats().frames_presented == 0);

  const std::vector<std::string> before = o.settled_requests();
  // The manifest, an init segment and a media segment for each of video and audio.
  REQUIRE(before.size() >= 5);
  const std::set<std::string> preloaded(before.begin(), before.end());

  p.load_until(url, PlayerState::kEnded);
  const std::vector<std::string> all = o.requests();
  const std::vector<std::string> after(all.begin() + static_cast<std::ptrdiff_t>(before.size()), all.end());
  INFO("preloaded: " << nlohmann::json(before).dump() << "\nafter the press: " << nlohmann::json(after).dump());
  for (const auto& r : after) CHECK(preloaded.count(r) == 0);
  CHECK(std::any_of(after.begin(), after.end(), is_segment));  // the rest of the title did come
  const abrplay::PlayerStats s = p.player.stats();
  CHECK(s.preload_responses_used == before.size());
  CHECK(s.frames_presented == 200);
  REQUIRE(s.press_to_first_frame);
  REQUIRE(s.first_frame_time);
  CHECK(*s.press_to_first_frame >= *s.first_frame_time);  // the press came first (load() call)

  SECTION("a second load() of the same URL starts cold: the preload was used up") {
    p.rec.clear();
    p.load_until(url, PlayerState::kEnded);
    CHECK(p.player.stats().preload_responses_used == 0);
    const std::vector<std::string> again = o.requests();
    CHECK(std::find(again.begin() + static_cast<std::ptrdiff_t>(all.size()), again.end(), before.front()) !=
          again.end());
  }
}

TEST_CASE("Preload: the press to the first frame of a preloaded title beats a cold start on a slow origin",
          "[api][preload]") {
  // 150 ms a request: a cold start pays at least the manifest, an init and a media segment in turn.
  PreloadOrigin o(std::chrono::milliseconds(150));
  const std::string url = manifest_url(*o.origin);
  PlayerSession cold;
  cold.load_until(url, PlayerState::kEnded);
  PlayerSession warm;
  REQUIRE(warm.player.preload(url).code == ErrorCode::kOk);
  REQUIRE(preload_end(warm.rec, url).kind == PlayerEvent::Kind::kPreloadReady);
  warm.load_until(url, PlayerState::kEnded);
  const auto c = cold.player.stats().press_to_first_frame, w = warm.player.stats().press_to_first_frame;
  REQUIRE(c);
  REQUIRE(w);
  INFO("cold " << c->count() << " us, preloaded " << w->count() << " us");
  CHECK(*c >= std::chrono::milliseconds(450));
  CHECK(*w < *c);
}

TEST_CASE("Preload: two titles preloaded at once each stay within their own byte budget", "[api][preload]") {
  PreloadOrigin o;
  const std::string a = manifest_url(*o.origin, "number"), b = manifest_url(*o.origin, "timeline");
  PlayerSession p;
  PreloadOptions big;
  big.byte_budget = 4u << 20;
  PreloadOptions small;
  small.byte_budget = 64u << 10;  // the manifest and init segments fit, a media segment does not
  REQUIRE(p.player.preload(a, big).code == ErrorCode::kOk);
  REQUIRE(p.player.preload(b, small).code == ErrorCode::kOk);
  const PlayerEvent ea = preload_end(p.rec, a), eb = preload_end(p.rec, b);
  REQUIRE(ea.kind == PlayerEvent::Kind::kPreloadReady);
  REQUIRE(eb.kind == PlayerEvent::Kind::kPreloadReady);
  CHECK(ea.reason == "ready to play");
  CHECK(ea.bytes <= big.byte_budget);
  CHECK(eb.reason == "byte budget reached");
  CHECK(eb.bytes > 0);
  CHECK(eb.bytes <= small.byte_budget);
  // Both are playable; the one cut short by its budget fetches the rest from the network.
  p.load_until(b, PlayerState::kEnded);
  CHECK(p.player.stats().preload_responses_used >= 1);
  CHECK(p.player.stats().frames_presented == 200);
  p.rec.clear();
  p.load_until(a, PlayerState::kEnded);
  CHECK(p.player.stats().preload_responses_used >= 5);
}

TEST_CASE("Preload: cancel_preload frees the title and its later load() is cold", "[api][preload]") {
  PreloadOrigin o;
  const std::string url = manifest_url(*o.origin);
  PlayerSession p;
  REQUIRE(p.player.preload(url).code == ErrorCode::kOk);
  REQUIRE(preload_end(p.rec, url).kind == PlayerEvent::Kind::kPreloadReady);
  p.player.cancel_preload(url);
  REQUIRE(p.rec.wait([&](const auto& ev) { return preload_event(ev, PlayerEvent::Kind::kPreloadDiscarded, url); }));
  const PlayerEvent gone = *preload_event(p.rec.events(), PlayerEvent::Kind::kPreloadDiscarded, url);
  CHECK(gone.reason == "cancelled by cancel_preload()");
  CHECK(gone.bytes > 0);
  p.load_until(url, PlayerState::kEnded);
  CHECK(p.player.stats().preload_responses_used == 0);
  p.player.cancel_preload(url);  // none left: nothing happens
  p.player.cancel_preload("http://127.0.0.1:1/never-preloaded.mpd");
  // Commands run in order: once a later preload has failed, the cancels above have run.
  const std::string missing = o.origin->url(0) + "no-such-title/manifest.mpd";
  REQUIRE(p.player.preload(missing).code == ErrorCode::kOk);
  REQUIRE(preload_end(p.rec, missing).kind == PlayerEvent::Kind::kPreloadFailed);
  auto ev = p.rec.events();
  CHECK(std::count_if(ev.begin(), ev.end(),
                      [](const PlayerEvent& e) { return e.kind == PlayerEvent::Kind::kPreloadDiscarded; }) == 1);
}

TEST_CASE("Preload: a preload cancelled while it is still loading ends at once with a discard", "[api][preload]") {
  PreloadOrigin o(std::chrono::milliseconds(300));
  const std::string url = manifest_url(*o.origin);
  PlayerSession p;
  REQUIRE(p.player.preload(url).code == ErrorCode::kOk);
  p.player.cancel_preload(url);
  const PlayerEvent e = preload_end(p.rec, url);
  CHECK(e.kind == PlayerEvent::Kind::kPreloadDiscarded);
  CHECK(e.bytes == 0);
}

TEST_CASE("Preload: an unplayed preload expires and is freed with a discard event", "[api][preload]") {
  PreloadOrigin o;
  const std::string url = manifest_url(*o.origin);
  PlayerSession p;
  PreloadOptions options;
  options.expiry = std::chrono::milliseconds(1500);
  REQUIRE(p.player.preload(url, options).code == ErrorCode::kOk);
  REQUIRE(preload_end(p.rec, url).kind == PlayerEvent::Kind::kPreloadReady);
  REQUIRE(p.rec.wait([&](const auto& ev) { return preload_event(ev, PlayerEvent::Kind::kPreloadDiscarded, url); }));
  CHECK(preload_event(p.rec.events(), PlayerEvent::Kind::kPreloadDiscarded, url)->reason ==
        "expired: not played within 1 s");
  p.load_until(url, PlayerState::kEnded);
  CHECK(p.player.stats().preload_responses_used == 0);
}

TEST_CASE("Preload: a failing preload gives a clear event and the title still loads cold", "[api][preload]") {
  PreloadOrigin o;
  PlayerSession p;
  SECTION("a title the origin does not have") {
    const std::string missing = o.origin->url(0) + "no-such-title/manifest.mpd";
    REQUIRE(p.player.preload(missing).code == ErrorCode::kOk);
    const PlayerEvent e = preload_end(p.rec, missing);
    REQUIRE(e.kind == PlayerEvent::Kind::kPreloadFailed);
    CHECK(e.error.code == ErrorCode::kNetworkHttpStatus);
    CHECK(e.error.message.find("no-such-title/manifest.mpd") != std::string::npos);
    CHECK(p.player.state() == PlayerState::kIdle);  // no session was touched
  }
  SECTION("a byte budget that does not hold the manifest") {
    const std::string url = manifest_url(*o.origin);
    PreloadOptions tiny;
    tiny.byte_budget = 16;
    REQUIRE(p.player.preload(url, tiny).code == ErrorCode::kOk);
    const PlayerEvent e = preload_end(p.rec, url);
    REQUIRE(e.kind == PlayerEvent::Kind::kPreloadFailed);
    CHECK(e.error.code == ErrorCode::kNetworkTooLarge);
    CHECK(e.error.message.find("16 bytes") != std::string::npos);
    p.load_until(url, PlayerState::kEnded);
    CHECK(p.player.stats().preload_responses_used == 0);
    CHECK(p.player.stats().frames_presented == 200);
  }
  SECTION("bad arguments are refused at once") {
    CHECK(p.player.preload("").code == ErrorCode::kInvalidArgument);
    PreloadOptions zero;
    zero.byte_budget = 0;
    CHECK(p.player.preload(manifest_url(*o.origin), zero).code == ErrorCode::kInvalidArgument);
  }
}

TEST_CASE("Preload: a preload from an origin that is down fails, and once it is up the title plays cold",
          "[api][preload]") {
  std::unique_ptr<abrplay::origin::Origin> up;  // declared first: the player goes before it
  PlayerSession p;
  const int port = abrplay::test::free_port();
  const std::string url = "http://127.0.0.1:" + std::to_string(port) + "/number/manifest.mpd";
  REQUIRE(p.player.preload(url).code == ErrorCode::kOk);  // nothing listens there yet
  const PlayerEvent e = preload_end(p.rec, url);
  REQUIRE(e.kind == PlayerEvent::Kind::kPreloadFailed);
  CHECK(e.error.code == ErrorCode::kNetworkIo);
  CHECK(e.error.message.find(url) != std::string::npos);
  auto config = abrplay::test::origin_serving();
  config.first_port = port;
  up = abrplay::test::start_origin(std::move(config));
  p.load_until(url, PlayerState::kEnded);
  CHECK(p.player.stats().preload_responses_used == 0);
  CHECK(p.player.stats().frames_presented == 200);
}

TEST_CASE("Preload: unplayed preloads are discarded when the player is destroyed, without a hang", "[api][preload]") {
  PreloadOrigin o(std::chrono::milliseconds(200));
  const std::string ready = manifest_url(*o.origin, "number"), loading = manifest_url(*o.origin, "timeline");
  Recorder rec;
  {
    abrplay::Player player(abrplay::test::max_speed());
    player.set_listener(&rec);
    REQUIRE(player.preload(ready).code == ErrorCode::kOk);
    REQUIRE(preload_end(rec, ready).kind == PlayerEvent::Kind::kPreloadReady);
    REQUIRE(player.preload(loading).code == ErrorCode::kOk);  // still fetching when the player goes
  }
  const auto ev = rec.events();
  const PlayerEvent* a = preload_event(ev, PlayerEvent::Kind::kPreloadDiscarded, ready);
  const PlayerEvent* b = preload_event(ev, PlayerEvent::Kind::kPreloadDiscarded, loading);
  REQUIRE(a);
  REQUIRE(b);
  CHECK(a->reason == "the player was destroyed");
  CHECK(a->bytes > 0);
}

TEST_CASE("Preload: when the ABR picks another rung at the press, the engine's choice wins", "[api][preload]") {
  PreloadOrigin o;
  const std::string url = manifest_url(*o.origin);
  PlayerSession p;
  REQUIRE(p.player.set_abr("fixed:0").code == ErrorCode::kOk);
  REQUIRE(p.player.preload(url).code == ErrorCode::kOk);
  REQUIRE(preload_end(p.rec, url).kind == PlayerEvent::Kind::kPreloadReady);
  const std::vector<std::string> before = o.settled_requests();
  // A changed network, as the ABR sees it: another rung than the one preloaded.
  REQUIRE(p.player.set_abr("fixed:2").code == ErrorCode::kOk);
  p.load_until(url, PlayerState::kEnded);
  const std::vector<std::string> all = o.requests();
  const std::vector<std::string> after(all.begin() + static_cast<std::ptrdiff_t>(before.size()), all.end());
  INFO("preloaded: " << nlohmann::json(before).dump() << "\nafter the press: " << nlohmann::json(after).dump());
  CHECK(std::none_of(after.begin(), after.end(), [](const std::string& r) { return !is_segment(r); }));
  // The video of the new rung came from the network; the manifest and the audio from memory.
  const auto s = p.player.stats();
  CHECK(s.preload_responses_used >= 3);
  CHECK(s.preload_responses_used < before.size());
  CHECK(s.frames_presented == 200);
}

TEST_CASE("Preload: with CMCD in the query the press is still answered from memory", "[api][preload]") {
  PreloadOrigin o;
  const std::string url = manifest_url(*o.origin);
  auto config = abrplay::test::max_speed();
  config.cmcd = abrplay::CmcdMode::kQuery;  // every session request gets its own CMCD= argument
  PlayerSession p(config);
  REQUIRE(p.player.preload(url).code == ErrorCode::kOk);
  REQUIRE(preload_end(p.rec, url).kind == PlayerEvent::Kind::kPreloadReady);
  const std::vector<std::string> before = o.settled_requests();
  p.load_until(url, PlayerState::kEnded);
  const std::vector<std::string> all = o.requests();
  const std::set<std::string> preloaded(before.begin(), before.end());
  for (auto it = all.begin() + static_cast<std::ptrdiff_t>(before.size()); it != all.end(); ++it) {
    CHECK(preloaded.count(*it) == 0);
  }
  CHECK(p.player.stats().preload_responses_used == before.size());
}

TEST_CASE("Preload: the C API preloads, reports and cancels", "[api][preload][c]") {
  PreloadOrigin o;
  const std::string url = manifest_url(*o.origin);
  abrplay_config* config = abrplay_config_create();
  REQUIRE(abrplay_config_set_string(config, "sinks", "null-max-speed") == ABRPLAY_OK);
  abrplay_handle* h = abrplay_create(config);
  abrplay_config_destroy(config);
  REQUIRE(h);
  CHECK(abrplay_preload(h, nullptr, 0, 0) == ABRPLAY_ERROR_INVALID_ARGUMENT);
  REQUIRE(abrplay_preload(h, url.c_str(), 0, 0) == ABRPLAY_OK);
  auto next_preload_event = [&] {
    for (;;) {
      abrplay_event ev;
      REQUIRE(abrplay_wait_event(h, 30.0, &ev) == ABRPLAY_OK);
      if (ev.type == ABRPLAY_EVENT_PRELOAD_READY || ev.type == ABRPLAY_EVENT_PRELOAD_FAILED ||
          ev.type == ABRPLAY_EVENT_PRELOAD_DISCARDED) {
        CHECK(std::string(ev.message) == url);
        return std::make_pair(ev.type, ev.bandwidth_bps);
      }
    }
  };
  const auto ready = next_preload_event();
  CHECK(ready.first == ABRPLAY_EVENT_PRELOAD_READY);
  CHECK(ready.second > 0);
  REQUIRE(abrplay_cancel_preload(h, url.c_str()) == ABRPLAY_OK);
  CHECK(next_preload_event().first == ABRPLAY_EVENT_PRELOAD_DISCARDED);
  abrplay_stats s;
  REQUIRE(abrplay_get_stats(h, &s) == ABRPLAY_OK);
  CHECK(s.press_to_first_frame_us < 0);
  CHECK(s.preload_responses_used == 0);
  abrplay_destroy(h);
}
