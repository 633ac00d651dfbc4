// SteeringPolicy and parse_steering_manifest: a pure policy, inline steering manifests.
#include <catch2/catch.hpp>

#include "abrplay/player/engine/content_steering.h"

namespace abrplay::engine {
namespace {

using std::chrono::seconds;

const std::string kServer = "http://steer.example/dcsm?session=1";

manifest::ContentSteering steering_element(std::vector<std::string> defaults = {}) {
  manifest::ContentSteering cs;
  cs.server_url = kServer;
  cs.default_service_locations = std::move(defaults);
  cs.path = "MPD/ContentSteering";
  return cs;
}

SteeringPolicy two_pathways(std::vector<std::string> defaults = {}) {
  return SteeringPolicy(steering_element(std::move(defaults)), {"cdn-a", "cdn-b"});
}

SteeringFailure failure(int status, std::optional<seconds> retry_after = std::nullopt) {
  return SteeringFailure{Error{ErrorCode::kNetworkHttpStatus,
                               "steering server " + kServer + ": HTTP " + std::to_string(status)},
                         status, retry_after};
}

}  // namespace

TEST_CASE("a steering manifest: VERSION, TTL, RELOAD-URI resolved against its URL, PATHWAY-PRIORITY",
          "[engine][steering]") {
  auto m = parse_steering_manifest(
      R"({"VERSION": 1, "TTL": 10, "RELOAD-URI": "next?s=2", "PATHWAY-PRIORITY": ["cdn-b", "cdn-a", "cdn-b"]})",
      "http://steer.example/v/dcsm?s=1");
  REQUIRE(m);
  CHECK(m->ttl == seconds(10));
  CHECK(m->reload_uri == "http://steer.example/v/next?s=2");
  CHECK(m->pathway_priority == std::vector<std::string>{"cdn-b", "cdn-a"});  // the first place counts
  CHECK(m->notes.empty());
  // The spec's default TTL, and PATHWAY-CLONES noted as unsupported.
  auto d = parse_steering_manifest(R"({"VERSION": 1, "PATHWAY-PRIORITY": ["x"], "PATHWAY-CLONES": []})", kServer);
  REQUIRE(d);
  CHECK(d->ttl == seconds(300));
  CHECK(d->reload_uri.empty());
  REQUIRE(d->notes.size() == 1);
  CHECK(d->notes[0].find("PATHWAY-CLONES is not supported") == 0);
  // A huge TTL is cut to a day; a fractional one is rounded, never to 0.
  CHECK(parse_steering_manifest(R"({"VERSION": 1, "TTL": 1e300, "PATHWAY-PRIORITY": ["x"]})", kServer)->ttl ==
        seconds(86'400));
  CHECK(parse_steering_manifest(R"({"VERSION": 1, "TTL": 0.2, "PATHWAY-PRIORITY": ["x"]})", kServer)->ttl ==
        seconds(1));
}

TEST_CASE("a malformed steering manifest is an error naming the URL and what was wrong", "[engine][steering][bad]") {
  auto error_of = [](const std::string& body) {
    auto m = parse_steering_manifest(body, "http://steer.example/dcsm?token=secret");
    REQUIRE_FALSE(m);
    CHECK(m.error().message.find("steering manifest http://steer.example/dcsm: ") == 0);  // the token redacted
    return m.error();
  };
  CHECK(error_of("{\"VERSION\": 1, ").message.find("not JSON") != std::string::npos);
  CHECK(error_of("[1, 2]").message.find("not a JSON object") != std::string::npos);
  CHECK(error_of(R"({"PATHWAY-PRIORITY": ["a"]})").message.find("VERSION is missing") != std::string::npos);
  CHECK(error_of(R"({"VERSION": 2, "PATHWAY-PRIORITY": ["a"]})").message.find("VERSION 2 is not 1") !=
        std::string::npos);
  CHECK(error_of(R"({"VERSION": 1, "TTL": -1, "PATHWAY-PRIORITY": ["a"]})").message.find("TTL must be a positive") !=
        std::string::npos);
  CHECK(error_of(R"({"VERSION": 1, "TTL": "10", "PATHWAY-PRIORITY": ["a"]})").message.find("got \"10\"") !=
        std::string::npos);
  CHECK(error_of(R"({"VERSION": 1})").message.find("PATHWAY-PRIORITY is missing") != std::string::npos);
  CHECK(error_of(R"({"VERSION": 1, "PATHWAY-PRIORITY": []})").message.find("not a non-empty array") !=
        std::string::npos);
  CHECK(error_of(R"({"VERSION": 1, "PATHWAY-PRIORITY": ["a", 3]})").message.find("holds 3") != std::string::npos);
  CHECK(error_of(R"({"VERSION": 1, "RELOAD-URI": 5, "PATHWAY-PRIORITY": ["a"]})").message.find("RELOAD-URI") !=
        std::string::npos);
  const Error big = error_of(R"({"VERSION": 1, "PATHWAY-PRIORITY": ["a"], "pad": ")" + std::string(70'000, 'x') +
                             "\"}");
  CHECK(big.code == ErrorCode::kManifestLimitExceeded);
  CHECK(big.message.find("over the limit of 65536") != std::string::npos);
  CHECK(error_of("").code == ErrorCode::kManifestInvalidValue);
}

TEST_CASE("steering requests carry _DASH_pathway and _DASH_throughput, and follow RELOAD-URI", "[engine][steering]") {
  auto p = two_pathways();
  // Before anything is known: the server URL as the MPD gives it.
  CHECK(*p.request_url({}) == kServer);
  CHECK(*p.request_url({"cdn-a", DataRate::bits_per_second(4'500'000.4)}) ==
        kServer + "&_DASH_pathway=%22cdn-a%22&_DASH_throughput=4500000");
  auto u = p.on_answer(R"({"VERSION": 1, "TTL": 5, "RELOAD-URI": "/next?s=2", "PATHWAY-PRIORITY": ["cdn-b"]})",
                       kServer);
  REQUIRE(u.reload_after == seconds(5));
  CHECK(*p.request_url({"cdn-b", std::nullopt}) == "http://steer.example/next?s=2&_DASH_pathway=%22cdn-b%22");
  // An answer without RELOAD-URI goes back to the server URL.
  (void)p.on_answer(R"({"VERSION": 1, "PATHWAY-PRIORITY": ["cdn-b"]})", "http://steer.example/next?s=2");
  CHECK(*p.request_url({}) == kServer);
  // Through a proxy: the steering URL becomes its `url` argument.
  auto cs = steering_element();
  cs.proxy_server_url = "http://proxy.example/steer";
  SteeringPolicy proxied(cs, {"cdn-a"});
  CHECK(
      *proxied.request_url({"cdn-a", std::nullopt}) ==
      "http://proxy.example/steer?url=http%3a%2f%2fsteer.example%2fdcsm%3fsession%3d1%26_DASH_pathway%3d%2522cdn-a%2522");
}

TEST_CASE("an answer sets the pathway order, and the MPD's defaultServiceLocation is the order before it",
          "[engine][steering]") {
  auto p = two_pathways({"cdn-b", "cdn-z"});
  CHECK(p.initial_priority() == std::vector<std::string>{"cdn-b"});  // cdn-z is no pathway of the MPD
  CHECK(p.priority() == std::vector<std::string>{"cdn-b"});
  auto u = p.on_answer(R"({"VERSION": 1, "TTL": 2, "PATHWAY-PRIORITY": ["cdn-a", "cdn-b"]})", kServer);
  REQUIRE(u.priority);
  CHECK(*u.priority == std::vector<std::string>{"cdn-a", "cdn-b"});
  CHECK(u.why == "steering answer from http://steer.example/dcsm: cdn-a, cdn-b");
  CHECK(u.reload_after == seconds(2));
  CHECK(u.warnings.empty());
  CHECK(p.priority() == std::vector<std::string>{"cdn-a", "cdn-b"});
  CHECK(two_pathways().initial_priority().empty());
}

TEST_CASE("an answer naming unknown pathways: unknown ones are skipped, and only unknown ones keep the order",
          "[engine][steering][bad]") {
  auto p = two_pathways();
  auto some = p.on_answer(R"({"VERSION": 1, "TTL": 3, "PATHWAY-PRIORITY": ["cdn-x", "cdn-b"]})", kServer);
  REQUIRE(some.priority);
  CHECK(*some.priority == std::vector<std::string>{"cdn-b"});
  REQUIRE(some.warnings.size() == 1);
  CHECK(
      some.warnings[0].message ==
      "content steering: steering manifest http://steer.example/dcsm: unknown pathways skipped: cdn-x (the MPD has cdn-a, cdn-b)");
  auto none = p.on_answer(R"({"VERSION": 1, "TTL": 4, "PATHWAY-PRIORITY": ["cdn-x", "cdn-y"]})", kServer);
  CHECK_FALSE(none.priority);
  CHECK(none.reload_after == seconds(4));  // still a good answer: its TTL counts
  REQUIRE(none.warnings.size() == 1);
  CHECK(none.warnings[0].message.find("PATHWAY-PRIORITY names no pathway of this presentation (cdn-x, cdn-y; the MPD "
                                      "has cdn-a, cdn-b); the order stays cdn-b") != std::string::npos);
  CHECK(p.priority() == std::vector<std::string>{"cdn-b"});
}

TEST_CASE("a failed or bad answer keeps the last good order and asks again after the TTL", "[engine][steering][bad]") {
  auto p = two_pathways();
  // Before any answer: the spec's default TTL.
  auto first = p.on_failure(failure(503));
  CHECK_FALSE(first.priority);
  CHECK(first.reload_after == seconds(300));
  REQUIRE(first.warnings.size() == 1);
  CHECK(first.warnings[0].message.find("content steering: steering server " + kServer) == 0);
  CHECK(first.warnings[0].message.find("the MPD's order stays, next request in 300 s") != std::string::npos);
  (void)p.on_answer(R"({"VERSION": 1, "TTL": 7, "PATHWAY-PRIORITY": ["cdn-b", "cdn-a"]})", kServer);
  // A malformed answer is a failure with the last TTL; the order stays.
  auto malformed = p.on_answer("<html>captive portal</html>", kServer);
  CHECK_FALSE(malformed.priority);
  CHECK(malformed.reload_after == seconds(7));
  REQUIRE(malformed.warnings.size() == 1);
  CHECK(malformed.warnings[0].code == ErrorCode::kManifestInvalidValue);
  CHECK(malformed.warnings[0].message.find("not JSON") != std::string::npos);
  CHECK(malformed.warnings[0].message.find("the order cdn-b, cdn-a stays, next request in 7 s") != std::string::npos);
  CHECK(p.priority() == std::vector<std::string>{"cdn-b", "cdn-a"});
  // 429 with Retry-After: after that delay.
  CHECK(p.on_failure(failure(429, seconds(30))).reload_after == seconds(30));
  CHECK(p.on_failure(failure(429)).reload_after == seconds(7));
  // 410 Gone: no more requests.
  auto gone = p.on_failure(failure(410));
  CHECK_FALSE(gone.reload_after);
  REQUIRE(gone.warnings.size() == 1);
  CHECK(gone.warnings[0].message.find("the server is gone (410)") != std::string::npos);
}

TEST_CASE("a problem the same as the one before is not warned again, until a clean answer comes",
          "[engine][steering][bad]") {
  auto p = two_pathways();
  CHECK(p.on_failure(failure(503)).warnings.size() == 1);
  const auto again = p.on_failure(failure(503));
  CHECK(again.warnings.empty());
  CHECK(again.reload_after == seconds(300));               // still asked again
  CHECK(p.on_failure(failure(502)).warnings.size() == 1);  // another status: said
  const std::string unknown = R"({"VERSION": 1, "TTL": 2, "PATHWAY-PRIORITY": ["cdn-x", "cdn-b"]})";
  CHECK(p.on_answer(unknown, kServer).warnings.size() == 1);
  CHECK(p.on_answer(unknown, kServer).warnings.empty());
  CHECK(p.on_answer(R"({"VERSION": 1, "TTL": 2, "PATHWAY-PRIORITY": ["cdn-a"]})", kServer).warnings.empty());
  CHECK(p.on_failure(failure(502)).warnings.size() == 1);  // after the clean answer: said again
}

}  // namespace abrplay::engine
