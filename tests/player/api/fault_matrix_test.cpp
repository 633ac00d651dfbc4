// The fault matrix of docs/reliability.md, end to end: the public Player decodes the real test
// content (8 s: two 4 s segments per representation, 6 video + 2 audio representations) from
// abrplay-origin with injected faults, and each case asserts what a viewer would see: no crash or
// hang (every wait is bounded), the position moves (frames presented), bounded stall time, and the
// right error and warning events. File names: chunk-stream<rep>-<number>.m4s, reps 0-5 video.
#include <catch2/catch.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "abrplay/player.h"
#include "api_test_support.h"
#include "origin.h"

using namespace std::chrono_literals;

namespace abrplay::test {

namespace {

constexpr std::uint64_t kAllFrames = 200;  // 8 s at 25 fps

// The test content from `cdns` CDNs, the first with `cdn0_faults`' rules.
std::unique_ptr<origin::Origin> faulty_origin(const std::string& cdn0_faults, std::size_t cdns = 1) {
  origin::OriginConfig oc = origin_serving();
  oc.cdns = std::vector<origin::CdnSetup>(cdns);
  oc.cdns[0].faults = fault_plan(cdn0_faults, "fault-matrix.json");
  return start_origin(std::move(oc));
}

struct Outcome {
  std::vector<PlayerEvent> events;
  abrplay::PlayerStats stats;
  std::vector<abrplay::Error> warnings;
  const PlayerEvent* error() const { return Recorder::first_error(events); }
  bool warned_about(const std::string& text) const {
    for (const auto& w : warnings) {
      if (w.message.find(text) != std::string::npos) return true;
    }
    return false;
  }
};

// Plays `url` until it ends or fails (bounded: a hang fails the test).
Outcome play(const std::string& url, PlayerConfig config = max_speed(),
             std::chrono::seconds limit = std::chrono::seconds(60)) {
  PlayerSession p(std::move(config));
  p.load(url);
  const bool done = p.rec.wait(
      [](const auto& ev) { return Recorder::reached(ev, PlayerState::kEnded) || Recorder::first_error(ev) != nullptr; },
      limit);
  INFO(states(p.rec.events()));
  REQUIRE(done);
  Outcome o;
  o.stats = p.player.stats();
  p.player.set_listener(nullptr);
  o.events = p.rec.events();
  for (const auto& e : o.events) {
    if (e.kind == PlayerEvent::Kind::kWarning) o.warnings.push_back(e.error);
  }
  return o;
}

std::string trail(const Outcome& o) { return states(o.events); }

}  // namespace

TEST_CASE("fault matrix: recovered faults lose nothing: 404 or redirect loop on one CDN (fail over), 5xx bursts "
          "(backoff), resets (resume), truncation (ranged retry)",
          "[api][faults]") {
  struct Row {
    const char* fault;
    const char* rules;
    std::size_t cdns;
  };
  const Row row = GENERATE(
      Row{"segment 404 on one CDN",
          R"({"rules": [{"match": "*chunk-stream*-00001.m4s", "fault": "status", "status": 404}]})", 2},
      Row{"redirect loop on one CDN", R"({"rules": [{"match": "*.m4s", "fault": "redirect_loop"}]})", 2},
      Row{"5xx bursts", R"({"rules": [{"match": "*.m4s", "every_nth": 2, "fault": "status", "status": 503}]})", 1},
      Row{"reset mid-body", R"({"rules": [{"match": "*.m4s", "every_nth": 2, "fault": "reset", "at_fraction": 0.5}]})",
          1},
      Row{"truncated body",
          R"({"rules": [{"match": "*.m4s", "every_nth": 2, "fault": "truncate", "at_fraction": 0.5}]})", 1});
  CAPTURE(row.fault);
  auto origin = faulty_origin(row.rules, row.cdns);
  const Outcome o = play(manifest_url(*origin));
  INFO(trail(o));
  CHECK(o.error() == nullptr);
  CHECK(o.stats.frames_presented == kAllFrames);
}

TEST_CASE("fault matrix: a segment missing everywhere is skipped with a warning naming it: playback goes on",
          "[api][faults]") {
  auto origin = faulty_origin(
      R"({"rules": [{"match": "*chunk-stream[0-5]-00002.m4s", "fault": "status", "status": 404}]})");
  PlayerConfig c = max_speed();
  c.telemetry_url = origin->url(0) + "telemetry";
  const Outcome o = play(manifest_url(*origin), c);
  INFO(trail(o));
  CHECK(o.error() == nullptr);
  CHECK(Recorder::reached(o.events, PlayerState::kEnded));
  CHECK(o.warned_about("-00002.m4s"));
  CHECK(o.warned_about("skipped"));
  CHECK(o.stats.frames_presented >= kAllFrames / 2);  // the first segment played
  // Telemetry tells the service: the final report counts the worked-around errors and ends normally.
  const auto sessions = origin->telemetry().sessions();
  REQUIRE(sessions.size() == 1);
  const auto& report = sessions[0]["last"];
  CHECK(report["event"] == "final");
  CHECK(report["end_reason"] == "end_of_stream");
  CHECK(report["error_count"].get<int>() >= 1);
}

TEST_CASE("fault matrix: a slow first byte delays, never fails: the stall stays bounded", "[api][faults]") {
  auto origin = faulty_origin(
      R"({"rules": [{"match": "*.m4s", "every_nth": 3, "fault": "slow_first_byte", "delay_ms": 1500}]})");
  PlayerConfig c;  // real time: stalls are measured against the clock
  const Outcome o = play(manifest_url(*origin), c);
  INFO(trail(o));
  CHECK(o.error() == nullptr);
  CHECK(o.stats.frames_presented >= kAllFrames - 5);
  CHECK(o.stats.stall_time < 3s);
}

TEST_CASE("fault matrix: a stalled response hits the stall timeout, is fetched again, and playback goes on",
          "[api][faults]") {
  // Every first-segment response of the first 3 s pauses 60 s after 30 % of its body.
  auto origin = faulty_origin(
      R"({"rules": [{"match": "*chunk-stream*-00001.m4s", "until_s": 3, "fault": "stall", "stall_s": 60, "at_fraction": 0.3}]})");
  const Outcome o = play(manifest_url(*origin), max_speed(), 90s);
  INFO(trail(o));
  CHECK(o.error() == nullptr);
  CHECK(Recorder::reached(o.events, PlayerState::kEnded));
  CHECK(o.stats.frames_presented >= kAllFrames / 2);
}

TEST_CASE("fault matrix: a corrupted segment is a contained decoder error: playback goes on", "[api][faults]") {
  auto origin = faulty_origin(
      R"({"rules": [{"match": "*chunk-stream*-00001.m4s", "fault": "corrupt", "bytes": 200}]})");
  const Outcome o = play(manifest_url(*origin));
  INFO(trail(o));
  CHECK(o.error() == nullptr);
  CHECK(Recorder::reached(o.events, PlayerState::kEnded));
  CHECK(o.stats.frames_presented >= kAllFrames / 2);  // the second segment at least
}

TEST_CASE("fault matrix: a segment answered with an HTML page is contained: playback goes on", "[api][faults]") {
  auto origin = faulty_origin(R"({"rules": [{"match": "*chunk-stream*-00001.m4s", "fault": "wrong_type"}]})");
  const Outcome o = play(manifest_url(*origin));
  INFO(trail(o));
  CHECK(o.error() == nullptr);
  CHECK(Recorder::reached(o.events, PlayerState::kEnded));
  CHECK(o.stats.frames_presented >= kAllFrames / 2);
}

TEST_CASE("fault matrix: a body far larger than declared is cut at the limit and fetched elsewhere", "[api][faults]") {
  auto origin =
      faulty_origin(R"({"rules": [{"match": "*chunk-stream*-00001.m4s", "fault": "oversize", "bytes": 1000000000}]})",
                    2);
  const Outcome o = play(manifest_url(*origin));
  INFO(trail(o));
  CHECK(o.error() == nullptr);
  CHECK(Recorder::reached(o.events, PlayerState::kEnded));
  CHECK(o.stats.frames_presented == kAllFrames);  // and in well under a second: 1 GB was never read
}

TEST_CASE("fault matrix: a whole CDN dying mid-playback fails over without a stall", "[api][faults]") {
  // Small buffer goals, so that loading goes on during playback; CDN 0 resets everything after 2 s.
  auto origin = faulty_origin(R"({"rules": [{"match": "*", "from_s": 2, "fault": "reset", "at_fraction": 0}]})", 2);
  PlayerConfig c;  // real time
  c.min_buffer = 4000ms;
  c.max_buffer = 5000ms;
  c.startup_buffer = 2000ms;
  c.rebuffer_buffer = 3000ms;
  const Outcome o = play(manifest_url(*origin), c);
  INFO(trail(o));
  CHECK(o.error() == nullptr);
  CHECK(o.stats.frames_presented >= kAllFrames - 5);
  CHECK(o.stats.stalls == 0);
}

TEST_CASE("fault matrix: a manifest unreachable at start is a clear fatal error naming the URL", "[api][faults]") {
  auto origin = faulty_origin(R"({"rules": [{"match": "*.mpd", "fault": "status", "status": 503}]})");
  const Outcome o = play(manifest_url(*origin));
  REQUIRE(o.error() != nullptr);
  CHECK(o.error()->error.code == ErrorCode::kNetworkHttpStatus);
  CHECK(o.error()->error.message.find("manifest.mpd") != std::string::npos);
  CHECK(o.stats.frames_presented == 0);
}

TEST_CASE("fault matrix: a manifest answered with an HTML page is a manifest error, not a crash", "[api][faults]") {
  auto origin = faulty_origin(R"({"rules": [{"match": "*.mpd", "fault": "wrong_type"}]})");
  const Outcome o = play(manifest_url(*origin));
  REQUIRE(o.error() != nullptr);
  INFO(o.error()->error.describe());
  CHECK(static_cast<int>(o.error()->error.code) / 1000 == 3);  // the manifest layer
}

}  // namespace abrplay::test
