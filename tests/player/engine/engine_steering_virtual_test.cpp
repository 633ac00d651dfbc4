// Content steering on virtual time (VirtualHarness: the lab's network and a manual clock): the
// reload after each TTL, RELOAD-URI, the move of the traffic and a failing reload, exactly and in
// milliseconds. The same against abrplay-origin over real sockets: engine_steering_test.cpp.
#include <catch2/catch.hpp>

#include <fstream>
#include <iterator>

#include "support/virtual_harness.h"

namespace abrplay::engine::test {
namespace {

// The synthetic MPD with two CDNs (pathways "a" and "b", any host serves the lab's content) and a
// ContentSteering element naming `server`.
void add_steering(const SyntheticContent& content, const std::string& server) {
  std::ifstream in(content.dir() / "manifest.mpd");
  std::string mpd((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto period = mpd.find("<Period");
  REQUIRE(period != std::string::npos);
  mpd.insert(period, R"(<BaseURL serviceLocation="a">http://cdn-a.invalid/</BaseURL>
  <BaseURL serviceLocation="b">http://cdn-b.invalid/</BaseURL>
  <ContentSteering defaultServiceLocation="a">)" +
                         server + "</ContentSteering>\n  ");
  content.write("manifest.mpd", mpd);
}

EngineConfig paced_on_virtual_time() {
  EngineConfig cfg;
  cfg.load.min_buffer = std::chrono::seconds(2);
  cfg.load.max_buffer = std::chrono::seconds(3);
  cfg.load.startup_buffer = std::chrono::seconds(1);
  cfg.load.rebuffer_buffer = std::chrono::seconds(1);
  return cfg;
}

}  // namespace

TEST_CASE("virtual time: the steering manifest is reloaded after its TTL from its RELOAD-URI and moves the traffic",
          "[engine][virtual][steering]") {
  ContentSpec spec;
  spec.segments = 20;
  SyntheticContent content(spec);
  add_steering(content, "http://steer.invalid/steer1.json");
  // t=0: a first (TTL 5 s), then steer2 at 5 s: b first, then steer3 at 10 s: not found.
  content.write("steer1.json",
                R"({"VERSION": 1, "TTL": 5, "RELOAD-URI": "steer2.json", "PATHWAY-PRIORITY": ["a", "b"]})");
  content.write("steer2.json",
                R"({"VERSION": 1, "TTL": 5, "RELOAD-URI": "steer3.json", "PATHWAY-PRIORITY": ["b", "a"]})");
  VirtualHarness h(content);
  h.start(paced_on_virtual_time());
  REQUIRE(h.load("manifest.mpd").code == ErrorCode::kOk);
  REQUIRE(h.run_until_state(EngineState::kEnded));
  CHECK(h.rec.errors.empty());

  REQUIRE(h.rec.cdn_changes.size() == 2);
  CHECK(h.rec.cdn_changes[0].base_url == "http://cdn-a.invalid/");
  CHECK(h.rec.cdn_changes[0].reason == "steered");
  CHECK(h.rec.cdn_changes[0].detail.find("the MPD's defaultServiceLocation") == 0);
  CHECK(h.rec.cdn_changes[1].base_url == "http://cdn-b.invalid/");
  CHECK(h.rec.cdn_changes[1].reason == "steered");
  CHECK(h.rec.cdn_changes[1].detail.find("steering answer from http://steer.invalid/steer2.json: b, a") == 0);

  // Segments requested before the reload at 5 s come from a, every one after it from b.
  int on_a = 0, on_b = 0;
  for (const auto& d : h.rec.media(TrackType::kVideo)) {
    const double sent = (d.sample.end_time - d.sample.duration).count();
    if (sent < 5.0) {
      ++on_a;
      CHECK(d.base_url == "http://cdn-a.invalid/");
    } else if (sent > 5.1) {
      ++on_b;
      CHECK(d.base_url == "http://cdn-b.invalid/");
    }
  }
  CHECK(on_a >= 4);
  CHECK(on_b >= 8);

  // steer3.json is missing: one warning (at 10 s; the repeat at 15 s is not said again), and b stays.
  int steering_warnings = 0;
  for (const auto& w : h.rec.warnings) {
    if (w.message.find("content steering") == std::string::npos) continue;
    ++steering_warnings;
    CHECK(w.code == ErrorCode::kNetworkHttpStatus);
    CHECK(w.message.find("steering server http://steer.invalid/steer3.json?_DASH_pathway=%22b%22") !=
          std::string::npos);
    CHECK(w.message.find("the order b, a stays, next request in 5 s") != std::string::npos);
  }
  CHECK(steering_warnings == 1);
  CHECK(h.network->stats().requests > 0);
}

}  // namespace abrplay::engine::test
