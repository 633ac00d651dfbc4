// abrplay-sim --engine: the ABR lab through its command line (the real engine on virtual time),
// on the synthetic Pensieve ladder and on small DASH presentations written here. Bad input: exit 2.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "run_tool.h"

namespace {

namespace fs = std::filesystem;
const std::string kTestData = ABRPLAY_TEST_DATA_DIR;

fs::path engine_scratch(const std::string& tag) { return abrplay::test::scratch_dir("sim_engine", tag); }

void write(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p) << text;
}

}  // namespace

TEST_CASE("abrplay-sim --engine on the Pensieve ladder: Pensieve mode's JSON shape, a CSV row per session",
          "[demo][sim][engine]") {
  const fs::path dir = engine_scratch("ladder");
  const auto r = abrplay::test::run_tool(ABRPLAY_SIM_EXE,
                                         {"--engine", "--traces", kTestData + "/traces/sabre", "--video-sizes",
                                          kTestData + "/reference/video_sizes", "--algo",
                                          "bb,robustmpc,dynamic,default", "--duration", "40", "--json",
                                          (dir / "e.json").string(), "--csv", (dir / "e.csv").string(),
                                          "--sessions-json", (dir / "s.json").string(), "--no-plot"},
                                         dir);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("engine in the loop"));
  const auto doc = nlohmann::json::parse(abrplay::test::slurp_file(dir / "e.json"));
  CHECK(doc["traces"] == 2);
  for (const char* name : {"bb", "robustmpc", "dynamic", "default"}) {
    CAPTURE(name);
    const auto& a = doc["algorithms"][name];
    for (const char* key : {"mean", "median", "p10", "bitrate", "rebuffer", "smoothness"}) CHECK(a.contains(key));
    CHECK(a["failed"] == 0);
    CHECK(a["bitrate"].get<double>() >= 300);
  }
  const std::string csv = abrplay::test::slurp_file(dir / "e.csv");
  CHECK(std::count(csv.begin(), csv.end(), '\n') == 1 + 4 * 2);
  const auto sessions = nlohmann::json::parse(abrplay::test::slurp_file(dir / "s.json"));
  REQUIRE(sessions.size() == 8);
  for (const auto& s : sessions) {
    CHECK(s["played_s"].get<double>() >= 40.0);
    CHECK(s["video_representations"].size() >= 10);
    CHECK(s["virtual_s"].get<double>() >= 40.0);
  }
}

TEST_CASE("abrplay-sim --engine: a refused MPD, a missing one, an empty trace and 'optimal' are handled",
          "[demo][sim][engine]") {
  const fs::path dir = engine_scratch("bad");
  write(dir / "traces" / "ok.log", "0\t2.0\n1\t2.0\n2\t2.0\n");
  write(dir / "pres" / "manifest.mpd", "<MPD type=\"static\"><Period><AdaptationSet></Period></MPD>");
  auto r = abrplay::test::run_tool(ABRPLAY_SIM_EXE,
                                   {"--engine", "--traces", (dir / "traces").string(), "--mpd", (dir / "pres").string(),
                                    "--algo", "bb", "--no-plot"},
                                   dir);
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("manifest.mpd") && Catch::Contains("refuses"));

  r = abrplay::test::run_tool(ABRPLAY_SIM_EXE,
                              {"--engine", "--traces", (dir / "traces").string(), "--mpd", (dir / "nowhere").string(),
                               "--no-plot"},
                              dir);
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("nowhere"));

  write(dir / "empty" / "empty.log", "");
  r = abrplay::test::run_tool(ABRPLAY_SIM_EXE,
                              {"--engine", "--traces", (dir / "empty").string(), "--video-sizes",
                               kTestData + "/reference/video_sizes", "--no-plot"},
                              dir);
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("empty.log"));

  r = abrplay::test::run_tool(ABRPLAY_SIM_EXE,
                              {"--engine", "--traces", (dir / "traces").string(), "--video-sizes",
                               kTestData + "/reference/video_sizes", "--algo", "bb,optimal", "--duration", "8",
                               "--no-plot"},
                              dir);
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.err, Catch::Contains("'optimal' is left out"));

  // Load-control marks that contradict each other are refused before any session runs.
  r = abrplay::test::run_tool(ABRPLAY_SIM_EXE,
                              {"--engine", "--traces", (dir / "traces").string(), "--video-sizes",
                               kTestData + "/reference/video_sizes", "--algo", "bb", "--min-buffer-s", "30",
                               "--max-buffer-s", "20", "--no-plot"},
                              dir);
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("--min-buffer-s / --max-buffer-s: min_buffer must not exceed max_buffer"));
}

TEST_CASE("abrplay-sim --engine --max-buffer-s: loading stops at the mark", "[demo][sim][engine]") {
  // A 2 Mbit/s link carries the lowest rung (300k) far faster than it plays, so the buffer fills to
  // whatever the load control allows. The synthetic presentation is video only: the MPD, the init
  // segment and 4 s media segments. With a 5 s mark, 30 s of playback fetch about 35 s of media (9
  // segments); with the default 50 s mark, 70 to 80 s (18 to 20).
  const fs::path dir = engine_scratch("marks");
  write(dir / "traces" / "ok.log", "0\t2.0\n1000\t2.0\n");
  std::vector<std::uint64_t> requests;
  for (const std::vector<std::string>& marks :
       {std::vector<std::string>{"--min-buffer-s", "4", "--max-buffer-s", "5"}, std::vector<std::string>{}}) {
    std::vector<std::string> args = {"--engine",
                                     "--traces",
                                     (dir / "traces").string(),
                                     "--video-sizes",
                                     kTestData + "/reference/video_sizes",
                                     "--algo",
                                     "lowest",
                                     "--duration",
                                     "30",
                                     "--sessions-json",
                                     (dir / "s.json").string(),
                                     "--no-plot"};
    args.insert(args.end(), marks.begin(), marks.end());
    const auto r = abrplay::test::run_tool(ABRPLAY_SIM_EXE, args, dir);
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    const auto sessions = nlohmann::json::parse(abrplay::test::slurp_file(dir / "s.json"));
    REQUIRE(sessions.size() == 1);
    CHECK(sessions[0]["body_bytes"].get<std::uint64_t>() > 0);
    requests.push_back(sessions[0]["requests"].get<std::uint64_t>());
  }
  CAPTURE(requests);
  CHECK(requests[0] >= 2 + 8);
  CHECK(requests[0] <= 2 + 10);
  CHECK(requests[1] >= 2 + 17);
}
