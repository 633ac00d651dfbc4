#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "abrplay/player/telemetry/session_recorder.h"
#include "fake_clock.h"
#include "telemetry_schema.h"
#include "video_rep.h"

namespace tel = abrplay::telemetry;
using Json = nlohmann::json;
using namespace std::chrono_literals;

namespace {
using abrplay::test::validate_telemetry;

tel::RepresentationInfo rep(const char* id, double bps, int height) {
  return abrplay::test::video_rep(id, abrplay::DataRate::bits_per_second(bps), height, "avc1.64001f");
}

tel::Snapshot snapshot() {
  tel::Snapshot s;
  s.position_s = 12.5;
  s.state = "playing";
  s.buffer_s = {{"video", 18.0}, {"audio", 19.5}};
  s.video = rep("v720", 1'850'000, 720);
  s.audio = tel::RepresentationInfo{"a-en", abrplay::DataRate::bits_per_second(128'000), 0, 0, "mp4a.40.2"};
  s.throughput = abrplay::DataRate::kilobits_per_second(5012.4);
  s.cdn = "http://user:pw@127.0.0.1:8080/vod/?token=secret";
  return s;
}

tel::SessionRecorder recorder() {
  return tel::SessionRecorder({"sid-1", "movie", "linux-x86_64", "0.1.0", "robust_mpc"});
}

}  // namespace

TEST_CASE("a heartbeat carries the state now and what happened since the previous one", "[telemetry]") {
  abrplay::test::FakeClock clock;
  auto r = recorder();
  r.on_load(clock.steady());
  clock.advance(800ms);
  r.on_first_frame(clock.steady());
  clock.advance(4s);
  r.on_switch(clock.steady(), 4.0, rep("v360", 750'000, 360), rep("v720", 1'850'000, 720), "buffer above cushion");
  r.on_stall_start(clock.steady(), 4.2);
  clock.advance(1500ms);
  r.on_stall_end(clock.steady());
  r.on_error(clock.steady(), {abrplay::ErrorCode::kNetworkHttpStatus, "HTTP 404"},
             "http://cdn/seg-3.m4s?token=secret#x");
  r.on_dropped_frames(3);
  r.on_seek(clock.steady(), 6.0, 30.0);

  const Json hb = Json::parse(r.heartbeat(snapshot(), clock.wall(), clock.steady()));
  CHECK(hb["schema_version"] == 1);
  CHECK(hb["event"] == "heartbeat");
  CHECK(hb["seq"] == 0);
  CHECK(hb["session_id"] == "sid-1");
  CHECK(hb["wall_time"] == "2024-01-01T00:00:06.300000Z");
  CHECK(hb["session_time_s"] == 6.3);
  CHECK(hb["buffer_s"] == Json{{"audio", 19.5}, {"video", 18.0}});
  CHECK(hb["video"]["bitrate_kbps"] == 1850);
  CHECK(hb["video"]["height"] == 720);
  CHECK_FALSE(hb["audio"].contains("height"));
  CHECK(hb["throughput_kbps"] == 5012);
  CHECK(hb["cdn"] == "http://127.0.0.1:8080/vod/");
  REQUIRE(hb["switches"].size() == 1);
  CHECK(hb["switches"][0]["from"]["id"] == "v360");
  CHECK(hb["switches"][0]["reason"] == "buffer above cushion");
  REQUIRE(hb["stalls"].size() == 1);
  CHECK(hb["stalls"][0]["start_s"] == 4.8);
  CHECK(hb["stalls"][0]["duration_s"] == 1.5);
  REQUIRE(hb["errors"].size() == 1);
  CHECK(hb["errors"][0]["code"] == 2003);
  CHECK(hb["errors"][0]["name"] == "network.http_status");
  CHECK(hb["errors"][0]["url"] == "http://cdn/seg-3.m4s");
  CHECK(hb["seeks"] == Json::array({{{"t_s", 6.3}, {"from_s", 6.0}, {"to_s", 30.0}}}));
  CHECK(hb["dropped_frames"] == 3);

  const Json next = Json::parse(r.heartbeat(snapshot(), clock.wall(), clock.steady()));
  CHECK(next["seq"] == 1);
  CHECK(next["switches"].empty());
  CHECK(next["stalls"].empty());
  CHECK(next["errors"].empty());
  CHECK(next["dropped_frames"] == 0);
}

TEST_CASE("no token, user info or query string ever reaches a payload", "[telemetry][privacy]") {
  // redact_url itself is net's (tests/net/url_test.cpp); here, URLs inside text and payloads.
  CHECK(tel::redact_urls_in("HTTP 404 for https://cdn/a.m4s?sig=x (after 1 attempt), see http://b/c?d.") ==
        "HTTP 404 for https://cdn/a.m4s (after 1 attempt), see http://b/c.");
  CHECK(tel::redact_urls_in("no url here: a://") == "no url here: a://");
  abrplay::test::FakeClock clock;
  auto r = recorder();
  r.on_load(clock.steady());
  r.on_error(clock.steady(), {abrplay::ErrorCode::kNetworkIo, "reset"},
             "http://cdn/s.m4s?Signature=SECRET&Key-Pair-Id=K");
  // Error messages name URLs too (net errors do): those are redacted inside the text.
  r.on_error(
      clock.steady(),
      {abrplay::ErrorCode::kNetworkHttpStatus,
       "video media segment of representation '3': HTTP 404 for https://u:pw@cdn/v.m4s?sig=SECRET (after 3 attempts)"},
      "");
  const std::string text = r.heartbeat(snapshot(), clock.wall(), clock.steady()) +
                           r.final_report(snapshot(), tel::EndReason::kStopped, clock.wall(), clock.steady());
  CHECK(text.find("SECRET") == std::string::npos);
  CHECK(text.find("secret") == std::string::npos);
  CHECK(text.find("pw@") == std::string::npos);
  CHECK(text.find("HTTP 404 for https://cdn/v.m4s (after 3 attempts)") != std::string::npos);
}

TEST_CASE("a stall that spans two heartbeats is reported in both, its length in the second", "[telemetry]") {
  abrplay::test::FakeClock clock;
  auto r = recorder();
  r.on_load(clock.steady());
  r.on_first_frame(clock.steady());
  clock.advance(10s);
  r.on_stall_start(clock.steady(), 10.0);
  clock.advance(1s);
  const Json first = Json::parse(r.heartbeat(snapshot(), clock.wall(), clock.steady()));
  REQUIRE(first["stalls"].size() == 1);
  CHECK_FALSE(first["stalls"][0].contains("duration_s"));
  clock.advance(2s);
  r.on_stall_end(clock.steady());
  const Json second = Json::parse(r.heartbeat(snapshot(), clock.wall(), clock.steady()));
  REQUIRE(second["stalls"].size() == 1);
  CHECK(second["stalls"][0]["start_s"] == 10.0);
  CHECK(second["stalls"][0]["duration_s"] == 3.0);
}

TEST_CASE("waiting for the first frame is startup time, not a stall", "[telemetry]") {
  abrplay::test::FakeClock clock;
  auto r = recorder();
  r.on_load(clock.steady());
  r.on_stall_start(clock.steady(), 0);
  clock.advance(1200ms);
  r.on_stall_end(clock.steady());
  r.on_first_frame(clock.steady());
  const Json fin = Json::parse(r.final_report(snapshot(), tel::EndReason::kEndOfStream, clock.wall(), clock.steady()));
  CHECK(fin["startup_s"] == 1.2);
  CHECK(fin["rebuffer_count"] == 0);
  CHECK(fin["rebuffer_s"] == 0.0);
}

TEST_CASE("each heartbeat list is bounded: what does not fit is counted", "[telemetry]") {
  abrplay::test::FakeClock clock;
  auto r = recorder();
  r.on_load(clock.steady());
  for (int i = 0; i < 100; ++i) r.on_error(clock.steady(), {abrplay::ErrorCode::kNetworkTimeout, "stall"}, "");
  const Json hb = Json::parse(r.heartbeat(snapshot(), clock.wall(), clock.steady()));
  CHECK(hb["errors"].size() == tel::kMaxEventsPerHeartbeat);
  CHECK(hb["events_dropped"] == 100 - tel::kMaxEventsPerHeartbeat);
  CHECK_FALSE(hb["errors"][0].contains("url"));
  const Json fin = Json::parse(r.final_report(snapshot(), tel::EndReason::kError, clock.wall(), clock.steady()));
  CHECK(fin["error_count"] == 100);
}

TEST_CASE("the final report sums the session: bitrate, time per representation, rebuffering, QoE_lin", "[telemetry]") {
  abrplay::test::FakeClock clock;
  auto r = recorder();
  r.on_load(clock.steady());
  clock.advance(500ms);
  r.on_first_frame(clock.steady());
  // 4 s segments: 1.2, 1.2, 2.85, 1.2 Mbps; one 2 s stall.
  r.on_video_segment(rep("v480", 1'200'000, 480), 4);
  r.on_video_segment(rep("v480", 1'200'000, 480), 4);
  r.on_video_segment(rep("v1080", 2'850'000, 1080), 4);
  r.on_video_segment(rep("v480", 1'200'000, 480), 4);
  r.on_switch(clock.steady(), 8, rep("v480", 1'200'000, 480), rep("v1080", 2'850'000, 1080), "up");
  r.on_switch(clock.steady(), 12, rep("v1080", 2'850'000, 1080), rep("v480", 1'200'000, 480), "down");
  r.on_stall_start(clock.steady(), 9);
  clock.advance(2s);
  r.on_stall_end(clock.steady());
  r.on_dropped_frames(2);
  const Json fin = Json::parse(r.final_report(snapshot(), tel::EndReason::kEndOfStream, clock.wall(), clock.steady()));
  CHECK(fin["event"] == "final");
  CHECK(fin["final"] == true);
  CHECK(fin["end_reason"] == "end_of_stream");
  CHECK(fin["startup_s"] == 0.5);
  CHECK(fin["played_s"] == 16.0);
  CHECK(fin["average_bitrate_kbps"] == 1613);  // (3 x 1200 + 2850) / 4 = 1612.5, rounded
  CHECK(fin["time_at_representation"] == Json::array({{{"id", "v1080"}, {"bitrate_kbps", 2850.0}, {"seconds", 4.0}},
                                                      {{"id", "v480"}, {"bitrate_kbps", 1200.0}, {"seconds", 12.0}}}));
  CHECK(fin["rebuffer_count"] == 1);
  CHECK(fin["rebuffer_s"] == 2.0);
  CHECK(fin["rebuffer_ratio"] == 0.111);  // 2 / 18
  CHECK(fin["switch_count"] == 2);
  CHECK(fin["dropped_frames"] == 2);
  // Segments 1..3: utility 1.2 + 2.85 + 1.2 = 5.25; smoothness 0 + 1.65 + 1.65 = 3.3; stall 4.3 x 2 = 8.6.
  CHECK(fin["qoe_lin"] == Approx(5.25 - 3.3 - 8.6).margin(1e-3));
  CHECK(fin["qoe_lin_per_segment"] == Approx((5.25 - 3.3 - 8.6) / 3).margin(1e-3));
  CHECK(fin["device"] == "linux-x86_64");
  CHECK(fin["library_version"] == "0.1.0");
  CHECK(fin["abr"] == "robust_mpc");  // every payload names the algorithm, for A/B analytics
}

TEST_CASE("downloads are reported per representation in the next payload only: the final report sums the bytes",
          "[telemetry]") {
  abrplay::test::FakeClock clock;
  auto r = recorder();
  r.on_load(clock.steady());
  r.on_download("video", "v360", true, abrplay::DataSize::bytes(800));
  r.on_download("video", "v360", false, abrplay::DataSize::bytes(100'000));
  r.on_download("video", "v360", false, abrplay::DataSize::bytes(120'000));
  r.on_download("audio", "a128", false, abrplay::DataSize::bytes(64'000));
  const Json hb1 = Json::parse(r.heartbeat(snapshot(), clock.wall(), clock.steady()));
  REQUIRE(hb1["downloads"].size() == 2);
  CHECK(hb1["downloads"][0] == Json{{"representation", "a128"},
                                    {"track", "audio"},
                                    {"init_segments", 0},
                                    {"media_segments", 1},
                                    {"bytes", 64'000}});
  CHECK(hb1["downloads"][1] == Json{{"representation", "v360"},
                                    {"track", "video"},
                                    {"init_segments", 1},
                                    {"media_segments", 2},
                                    {"bytes", 220'800}});
  const Json hb2 = Json::parse(r.heartbeat(snapshot(), clock.wall(), clock.steady()));
  CHECK(hb2["downloads"].empty());
  r.on_download("video", "v720", false, abrplay::DataSize::bytes(300'000));
  const Json fin = Json::parse(r.final_report(snapshot(), tel::EndReason::kStopped, clock.wall(), clock.steady()));
  REQUIRE(fin["downloads"].size() == 1);
  CHECK(fin["downloads"][0]["bytes"] == 300'000);
  CHECK(fin["bytes_downloaded"] == 220'800 + 64'000 + 300'000);
}

TEST_CASE("heartbeats, final reports and batches validate against docs/telemetry.schema.json", "[telemetry][schema]") {
  abrplay::test::FakeClock clock;
  auto r = recorder();
  r.on_load(clock.steady());
  clock.advance(1s);
  r.on_first_frame(clock.steady());
  r.on_switch(clock.steady(), 1, rep("v360", 750'000, 360), rep("v720", 1'850'000, 720), "throughput");
  r.on_stall_start(clock.steady(), 2);
  r.on_error(clock.steady(), {abrplay::ErrorCode::kMediaDecode, "bad slice"}, "http://cdn/x.m4s?t=1");
  r.on_video_segment(rep("v720", 1'850'000, 720), 4);
  r.on_download("video", "v720", true, abrplay::DataSize::bytes(900));
  r.on_download("video", "v720", false, abrplay::DataSize::bytes(925'000));
  r.on_segment(clock.steady(), {"video", "v720", abrplay::DataRate::bits_per_second(1'850'000), 0, 4,
                                abrplay::DataSize::bytes(925'000), 0.5, 0.04});
  const std::string hb1 = r.heartbeat(snapshot(), clock.wall(), clock.steady());
  clock.advance(3s);
  r.on_stall_end(clock.steady());
  r.on_seek(clock.steady(), 3, 40);
  const std::string hb2 = r.heartbeat(tel::Snapshot{}, clock.wall(), clock.steady());
  const std::string fin = r.final_report(snapshot(), tel::EndReason::kDestroyed, clock.wall(), clock.steady());
  CHECK(validate_telemetry({hb1, hb2, fin, "[" + hb1 + "," + hb2 + "]"}) == 0);
  // And the schema really checks: a payload with a query string in a URL, or without seq, fails.
  Json bad = Json::parse(hb1);
  bad["cdn"] = "http://cdn/?token=1";
  Json no_seq = Json::parse(fin);
  no_seq.erase("seq");
  CHECK(validate_telemetry({bad.dump()}) != 0);
  CHECK(validate_telemetry({no_seq.dump()}) != 0);
  // A segment without its media time, or of an unknown track, fails too.
  Json no_start = Json::parse(hb1);
  no_start["segments"][0].erase("start_s");
  Json bad_track = Json::parse(hb1);
  bad_track["segments"][0]["track"] = "subtitles";
  CHECK(validate_telemetry({no_start.dump()}) != 0);
  CHECK(validate_telemetry({bad_track.dump()}) != 0);
}

TEST_CASE("each completed media segment is listed once, in the next payload, with its media time and download",
          "[telemetry]") {
  abrplay::test::FakeClock clock;
  auto r = recorder();
  r.on_load(clock.steady());
  clock.advance(2500ms);
  r.on_segment(clock.steady(), {"video", "v720", abrplay::DataRate::bits_per_second(1'850'000), 4, 4,
                                abrplay::DataSize::bytes(925'000), 0.5, 0.04});
  const Json hb = Json::parse(r.heartbeat(snapshot(), clock.wall(), clock.steady()));
  REQUIRE(hb["segments"].size() == 1);
  CHECK(hb["segments"][0] == Json{{"t_s", 2.5},
                                  {"track", "video"},
                                  {"representation", "v720"},
                                  {"bitrate_kbps", 1850.0},
                                  {"start_s", 4.0},
                                  {"duration_s", 4.0},
                                  {"bytes", 925'000},
                                  {"download_s", 0.5},
                                  {"ttfb_s", 0.04}});
  CHECK(hb["events_dropped"] == 0);
  const Json next = Json::parse(r.heartbeat(snapshot(), clock.wall(), clock.steady()));
  CHECK(next["segments"].empty());
}

TEST_CASE("the segments list is bounded like the others: the rest are counted in events_dropped", "[telemetry]") {
  abrplay::test::FakeClock clock;
  auto r = recorder();
  r.on_load(clock.steady());
  for (int i = 0; i < 70; ++i) {
    r.on_segment(clock.steady(), {"audio", "a128", abrplay::DataRate::bits_per_second(128'000), 2.0 * i, 2,
                                  abrplay::DataSize::bytes(32'000), 0.01, 0.001});
  }
  r.on_switch(clock.steady(), 0, rep("v360", 750'000, 360), rep("v720", 1'850'000, 720), "up");
  const Json hb = Json::parse(r.heartbeat(snapshot(), clock.wall(), clock.steady()));
  REQUIRE(hb["segments"].size() == tel::kMaxEventsPerHeartbeat);
  CHECK(hb["segments"].back()["start_s"] == 2.0 * (tel::kMaxEventsPerHeartbeat - 1));
  CHECK(hb["switches"].size() == 1);  // each list has its own bound
  CHECK(hb["events_dropped"] == 70 - tel::kMaxEventsPerHeartbeat);
  const Json next = Json::parse(r.heartbeat(snapshot(), clock.wall(), clock.steady()));
  CHECK(next["events_dropped"] == 0);
}

TEST_CASE("the final report carries the events since the last heartbeat, so none is lost at the end", "[telemetry]") {
  abrplay::test::FakeClock clock;
  auto r = recorder();
  r.on_load(clock.steady());
  r.on_first_frame(clock.steady());
  r.on_switch(clock.steady(), 1, rep("v360", 750'000, 360), rep("v720", 1'850'000, 720), "up");
  (void)r.heartbeat(snapshot(), clock.wall(), clock.steady());
  clock.advance(3s);
  r.on_switch(clock.steady(), 4, rep("v720", 1'850'000, 720), rep("v360", 750'000, 360), "down");
  r.on_segment(clock.steady(), {"video", "v360", abrplay::DataRate::bits_per_second(750'000), 8, 4,
                                abrplay::DataSize::bytes(375'000), 0.2, 0.02});
  r.on_stall_start(clock.steady(), 4.5);
  clock.advance(1s);
  const std::string fin_text = r.final_report(snapshot(), tel::EndReason::kStopped, clock.wall(), clock.steady());
  const Json fin = Json::parse(fin_text);
  CHECK(fin["switch_count"] == 2);
  REQUIRE(fin["switches"].size() == 1);
  CHECK(fin["switches"][0]["reason"] == "down");
  CHECK(fin["switches"][0]["t_s"] == 3.0);
  REQUIRE(fin["segments"].size() == 1);
  CHECK(fin["segments"][0]["representation"] == "v360");
  REQUIRE(fin["stalls"].size() == 1);  // ended by the report itself: its length so far
  CHECK(fin["stalls"][0]["duration_s"] == 1.0);
  CHECK(fin["events_dropped"] == 0);
  CHECK(validate_telemetry({fin_text}) == 0);
}
