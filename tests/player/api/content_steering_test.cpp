// Content steering through the public Player: the real test content decoded, two CDNs of
// abrplay-origin and its steering server (--steering). The engine-level cases (the swap within a
// TTL, every bad answer) are tests/player/engine/engine_steering_test.cpp.
#include <catch2/catch.hpp>

#include "api_test_support.h"

namespace abrplay::test {
namespace {

// The test content on two CDNs, with a steering server following `script`.
std::unique_ptr<origin::Origin> steered_origin(const std::string& script) {
  origin::OriginConfig oc = origin_serving();
  oc.cdns.resize(2);
  auto parsed = origin::SteeringScript::parse(script, "steering.json");
  REQUIRE(parsed);
  oc.steering = std::make_shared<const origin::SteeringScript>(std::move(*parsed));
  return start_origin(std::move(oc));
}

}  // namespace

TEST_CASE("Player: a steering server's order picks the CDN (kCdnChanged, reason steered) and playback ends",
          "[api][steering]") {
  auto origin = steered_origin(R"({"default_service_location": "cdn-0", "query_before_start": true,
      "steps": [{"at_s": 0, "priority": ["cdn-1", "cdn-0"], "ttl_s": 60}]})");
  PlayerSession p;
  p.load_until(manifest_url(*origin), PlayerState::kEnded);
  const auto events = p.rec.events();
  const PlayerEvent* first_cdn = nullptr;
  for (const auto& e : events) {
    CHECK(e.kind != PlayerEvent::Kind::kError);
    if (e.kind == PlayerEvent::Kind::kCdnChanged && first_cdn == nullptr) first_cdn = &e;
  }
  REQUIRE(first_cdn != nullptr);
  CHECK(first_cdn->cdn == origin->url(1) + "number/");
  CHECK(first_cdn->reason.find("steered: steering answer from " + origin->url(0) + "steering: cdn-1, cdn-0") == 0);
}

TEST_CASE("Player: PlayerConfig::content_steering false ignores the steering server", "[api][steering]") {
  auto origin = steered_origin(R"({"default_service_location": "cdn-1",
      "steps": [{"at_s": 0, "priority": ["cdn-1", "cdn-0"], "ttl_s": 60}]})");
  PlayerConfig config = max_speed();
  config.content_steering = false;
  PlayerSession p(config);
  p.load_until(manifest_url(*origin), PlayerState::kEnded);
  for (const auto& e : p.rec.events())
    if (e.kind == PlayerEvent::Kind::kCdnChanged) CHECK(e.reason.find("steered") != 0);
}

TEST_CASE("Player: a malformed steering answer is a kWarning naming the server, and playback ends", "[api][steering]") {
  auto origin = steered_origin(R"([{"at_s": 0, "body": "<html>maintenance</html>"}])");
  PlayerSession p;
  p.load_until(manifest_url(*origin), PlayerState::kEnded);
  const std::string says = "content steering: steering manifest " + origin->url(0) + "steering: not JSON";
  CHECK(p.rec.wait([&](const std::vector<PlayerEvent>& events) {
    for (const auto& e : events)
      if (e.kind == PlayerEvent::Kind::kWarning && e.error.message.find(says) == 0) return true;
    return false;
  }));
  CHECK(Recorder::first_error(p.rec.events()) == nullptr);
}

}  // namespace abrplay::test
