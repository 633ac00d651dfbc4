// EngineTelemetry: the engine's events, as the Player and abrplay-fleet-load hand them over, become
// the recorder's startup, stalls, switches, downloads and errors, and the heartbeat's snapshot.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "abrplay/player/telemetry/engine_telemetry.h"
#include "fake_clock.h"
#include "telemetry_schema.h"

namespace tel = abrplay::telemetry;
namespace eng = abrplay::engine;
using Json = nlohmann::json;
using abrplay::DataRate;
using abrplay::TrackType;
using namespace std::chrono_literals;

namespace {

eng::AbrDecisionEvent decision(const char* id, double kbps, const char* reason) {
  eng::AbrDecisionEvent e;
  e.track = TrackType::kVideo;
  e.representation_id = id;
  e.bandwidth = DataRate::kilobits_per_second(kbps);
  e.reason = reason;
  e.throughput = DataRate::kilobits_per_second(3000);
  return e;
}

eng::DownloadEvent media(const char* id, double kbps, std::uint64_t bytes, bool abandoned = false) {
  eng::DownloadEvent e;
  e.kind = eng::DownloadKind::kMedia;
  e.track = TrackType::kVideo;
  e.url = "https://cdn-b.example:8443/vod/seg-" + std::string(id) + "-1.m4s?token=secret";
  e.representation_id = id;
  e.bandwidth = DataRate::kilobits_per_second(kbps);
  e.segment_duration = 4s;
  e.bytes = abrplay::DataSize::bytes(bytes);
  e.abandoned = abandoned;
  return e;
}

}  // namespace

TEST_CASE("engine events become the recorder's startup, stall, switch, downloads and errors",
          "[telemetry][engine_telemetry]") {
  abrplay::test::FakeClock clock;
  tel::SessionRecorder recorder({"sid-e", "movie", "android-tv", "abrplay 0.1.0", "bola"});
  recorder.on_load(clock.steady());
  tel::EngineTelemetry t({.recorder = recorder,
                          .clock = clock,
                          .manifest_url = "https://cdn-b.example:8443/vod/manifest.mpd",
                          .manifest = {},
                          .position_s = {}});
  t.on_state({eng::EngineState::kIdle, eng::EngineState::kLoading, 0s});
  t.on_abr_decision(decision("v0", 300, "fast start"));  // the first choice: not a switch
  t.on_download(media("v0", 300, 150'000));
  clock.advance(700ms);
  t.on_state({eng::EngineState::kLoading, eng::EngineState::kPlaying, 0s});
  CHECK(t.started());
  t.on_abr_decision(decision("v2", 1200, "buffer above cushion"));
  t.on_abr_decision(decision("v2", 1200, "buffer above cushion"));  // the same: no switch
  t.on_download(media("v2", 1200, 600'000, /*abandoned=*/true));    // not counted
  t.on_buffer({TrackType::kVideo, 3500ms, 6s, abrplay::DataSize::bytes(1), 1});
  clock.advance(2s);
  t.on_state({eng::EngineState::kPlaying, eng::EngineState::kBuffering, 3500ms});
  clock.advance(1500ms);
  t.on_state({eng::EngineState::kBuffering, eng::EngineState::kPlaying, 3500ms});
  t.on_warning({abrplay::ErrorCode::kOk, "jumped to the live edge"});  // a notice, not an error
  t.on_warning({abrplay::ErrorCode::kNetworkHttpStatus, "segment skipped"});

  const tel::Snapshot snap = t.snapshot();
  CHECK(snap.state == "playing");
  CHECK(snap.position_s == Approx(3.5));
  CHECK(snap.buffer_s.at("video") == Approx(6.0));
  REQUIRE(snap.video);
  CHECK(snap.video->id == "v2");
  CHECK(snap.cdn == "https://cdn-b.example:8443/");  // no BaseURL: the host that served it
  const std::string hb_text = recorder.heartbeat(snap, clock.wall(), clock.steady());
  const Json hb = Json::parse(hb_text);
  REQUIRE(hb["switches"].size() == 1);
  CHECK(hb["switches"][0]["from"]["id"] == "v0");
  CHECK(hb["switches"][0]["to"]["id"] == "v2");
  CHECK(hb["switches"][0]["reason"] == "buffer above cushion");
  REQUIRE(hb["stalls"].size() == 1);
  CHECK(hb["stalls"][0]["duration_s"] == Approx(1.5));
  REQUIRE(hb["errors"].size() == 1);
  CHECK(hb["errors"][0]["message"] == "segment skipped");
  REQUIRE(hb["downloads"].size() == 1);
  CHECK(hb["downloads"][0]["bytes"] == 150'000);
  CHECK(hb["throughput_kbps"] == 3000.0);

  t.on_error({abrplay::ErrorCode::kNetworkHttpStatus, "HTTP 503 for every request"});
  const Json hb2 = Json::parse(recorder.heartbeat(t.snapshot(), clock.wall(), clock.steady()));
  REQUIRE(hb2["errors"].size() == 1);
  CHECK(hb2["errors"][0]["url"] == "https://cdn-b.example:8443/vod/manifest.mpd");  // a fatal error names the MPD
  const std::string fin_text = recorder.final_report(t.snapshot(), tel::EndReason::kError, clock.wall(),
                                                     clock.steady());
  CHECK(abrplay::test::validate_telemetry({hb_text, fin_text}, "engine-telemetry-samples") == 0);
  const Json fin = Json::parse(fin_text);
  CHECK(fin["startup_s"] == Approx(0.7));
  CHECK(fin["rebuffer_count"] == 1);
  CHECK(fin["switch_count"] == 1);
  CHECK(fin["error_count"] == 2);  // the skipped segment and the fatal error; not the notice
}
