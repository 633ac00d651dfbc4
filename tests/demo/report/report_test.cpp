#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "abrplay/player/telemetry/session_recorder.h"
#include "fake_clock.h"
#include "run_tool.h"
#include "video_rep.h"

namespace fs = std::filesystem;
namespace tel = abrplay::telemetry;
using namespace std::chrono_literals;
using abrplay::test::run_tool;
using abrplay::test::slurp_file;

namespace {

fs::path scratch(const std::string& tag) { return abrplay::test::scratch_dir("report", tag); }

tel::RepresentationInfo rep(const char* id, double bps, int h) {
  return abrplay::test::video_rep(id, abrplay::DataRate::bits_per_second(bps), h);
}

// A 40 s session written by the real SessionRecorder: heartbeats every 10 s, one switch, one stall,
// an error whose message tries to inject HTML, then the final report.
void write_session(const fs::path& file) {
  abrplay::test::FakeClock clock;
  tel::SessionRecorder r({"sess-A", "movie", "linux", "0.1", "dynamic"});
  std::ofstream out(file);
  r.on_load(clock.steady());
  clock.advance(1s);
  r.on_first_frame(clock.steady());
  tel::Snapshot s;
  s.state = "playing";
  for (int i = 0; i < 4; ++i) {
    clock.advance(10s);
    s.position_s = 10.0 * i;
    s.buffer_s = {{"video", 8.0 + i}};
    s.video = i < 2 ? rep("v360", 750'000, 360) : rep("v720", 1'850'000, 720);
    s.throughput = abrplay::DataRate::kilobits_per_second(2000 + 100 * i);
    if (i == 1) r.on_switch(clock.steady(), 18, rep("v360", 750'000, 360), rep("v720", 1'850'000, 720), "throughput");
    if (i == 2) {
      r.on_stall_start(clock.steady(), 28);
      clock.advance(2s);
      r.on_stall_end(clock.steady());
      r.on_error(clock.steady(), {abrplay::ErrorCode::kNetworkIo, "<script>alert(1)</script>"}, "http://cdn/a?tok=1");
    }
    for (int k = 0; k < 10; ++k) r.on_video_segment(*s.video, 1);
    out << r.heartbeat(s, clock.wall(), clock.steady()) << "\n";
  }
  out << r.final_report(s, tel::EndReason::kEndOfStream, clock.wall(), clock.steady()) << "\n";
  // Another, shorter session in the same file.
  tel::SessionRecorder other({"sess-B", "movie", "linux", "0.1", "dynamic"});
  other.on_load(clock.steady());
  out << other.heartbeat(s, clock.wall(), clock.steady()) << "\n";
}

}  // namespace

TEST_CASE("abrplay-report draws the longest session as PNG and HTML, with stalls, switches and escaped text",
          "[report]") {
  const fs::path dir = scratch("ok");
  write_session(dir / "telemetry.jsonl");
  const auto run = run_tool(ABRPLAY_REPORT_EXE, {(dir / "telemetry.jsonl").string(), "-o", (dir / "out").string()},
                            dir);
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  CHECK(run.out.find("session sess-A: 5 payloads, 1 stalls, 1 switches") != std::string::npos);
  const std::string png = slurp_file(dir / "out.png");
  REQUIRE(png.size() > 1000);
  CHECK(png.compare(0, 8, "\x89PNG\r\n\x1a\n") == 0);
  const std::string html = slurp_file(dir / "out.html");
  CHECK(html.find("<img src=\"out.png\"") != std::string::npos);
  CHECK(html.find("<th>end_reason</th><td>end_of_stream</td>") != std::string::npos);
  CHECK(html.find("<th>rebuffer_count</th><td>1</td>") != std::string::npos);
  CHECK(html.find("&lt;script&gt;") != std::string::npos);
  CHECK(html.find("<script>") == std::string::npos);
  CHECK(html.find("tok=1") == std::string::npos);  // redacted by the recorder
  // Written without on_segment: the picture falls back to the heartbeats, and the page says so.
  CHECK(html.find("This telemetry has no segments") != std::string::npos);
}

TEST_CASE("abrplay-report picks a session by id and names the ones there are when the id is unknown", "[report]") {
  const fs::path dir = scratch("pick");
  write_session(dir / "t.jsonl");
  const auto b = run_tool(ABRPLAY_REPORT_EXE,
                          {(dir / "t.jsonl").string(), "--session", "sess-B", "-o", (dir / "b").string()}, dir);
  CHECK(b.exit_code == 0);
  CHECK(slurp_file(dir / "b.html").find("No final report") != std::string::npos);
  const auto bad = run_tool(ABRPLAY_REPORT_EXE, {(dir / "t.jsonl").string(), "--session", "nope"}, dir);
  CHECK(bad.exit_code == 1);
  CHECK(bad.err.find("no session 'nope'; sessions: sess-A sess-B") != std::string::npos);
}

TEST_CASE("abrplay-report fails with the file and line for a missing file, a non-JSON line or no session_id",
          "[report]") {
  const fs::path dir = scratch("bad");
  const auto missing = run_tool(ABRPLAY_REPORT_EXE, {(dir / "none.jsonl").string()}, dir);
  CHECK(missing.exit_code == 1);
  CHECK(missing.err.find("none.jsonl: cannot open") != std::string::npos);
  std::ofstream(dir / "broken.jsonl") << "{\"session_id\":\"a\"}\n{not json\n";
  const auto broken = run_tool(ABRPLAY_REPORT_EXE, {(dir / "broken.jsonl").string()}, dir);
  CHECK(broken.exit_code == 1);
  CHECK(broken.err.find("broken.jsonl:2: not JSON") != std::string::npos);
  std::ofstream(dir / "anon.jsonl") << "[{\"seq\":1}]\n";
  const auto anon = run_tool(ABRPLAY_REPORT_EXE, {(dir / "anon.jsonl").string()}, dir);
  CHECK(anon.exit_code == 1);
  CHECK(anon.err.find("anon.jsonl:1: a payload without a string session_id") != std::string::npos);
  std::ofstream(dir / "list.jsonl")
      << "{\"session_id\":\"a\",\"segments\":[]}\n{\"session_id\":\"a\",\"segments\":5}\n";
  const auto list = run_tool(ABRPLAY_REPORT_EXE, {(dir / "list.jsonl").string()}, dir);
  CHECK(list.exit_code == 1);
  CHECK(list.err.find("list.jsonl:2: session a: \"segments\" is not an array") != std::string::npos);
}
