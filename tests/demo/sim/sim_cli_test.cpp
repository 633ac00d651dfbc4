// Runs the abrplay-sim executable as a user would (no shell: run_tool.h), on the copied traces.
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
const std::string kData = ABRPLAY_TEST_DATA_DIR;

using Run = abrplay::test::ToolRun;

fs::path scratch(const std::string& tag) { return abrplay::test::scratch_dir("sim_cli", tag); }

Run run_sim(const std::vector<std::string>& args, const fs::path& dir) {
  return abrplay::test::run_tool(ABRPLAY_SIM_EXE, args, dir);
}

}  // namespace

TEST_CASE("abrplay-sim: table, JSON and CSV on the copied Pensieve traces", "[demo][sim]") {
  const fs::path dir = scratch("ok");
  const Run r = run_sim({"--traces", kData + "/traces/fcc_train", "--video-sizes", kData + "/reference/video_sizes",
                         "--algo", "bb,robustmpc,default,optimal", "--json", (dir / "s.json").string(), "--csv",
                         (dir / "s.csv").string(), "--jobs", "2", "--no-plot"},
                        dir);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("robustmpc"));
  const auto doc = nlohmann::json::parse(abrplay::test::slurp_file(dir / "s.json"));
  CHECK(doc["traces"] == 5);
  for (const char* name : {"bb", "robustmpc", "default", "optimal"}) {
    CAPTURE(name);
    const auto& a = doc["algorithms"][name];
    for (const char* key : {"mean", "median", "p10", "bitrate", "rebuffer", "smoothness", "vs_optimal"}) {
      CHECK(a.contains(key));
    }
    CHECK(a["vs_optimal"].get<double>() <= 1.0 + 1e-9);
  }
  CHECK(doc["algorithms"]["optimal"]["vs_optimal"].get<double>() == Approx(1.0));
  // Header + 4 algorithms x 5 traces.
  const std::string csv = abrplay::test::slurp_file(dir / "s.csv");
  CHECK(std::count(csv.begin(), csv.end(), '\n') == 21);
}

// The first test's paths (the chunk simulator on the Pensieve sizes, 'optimal' and its vs_optimal
// column, JSON and CSV, two jobs) on one short trace: small enough for the ASan stage of tests/run,
// which leaves the first test out (its run is mostly the offline optimum of five long traces).
TEST_CASE("abrplay-sim: 'optimal', 'oracle-mpc' and the Pensieve sizes on one trace, as table, JSON and CSV",
          "[demo][sim]") {
  const fs::path dir = scratch("optimal");
  const Run r = run_sim({"--traces", kData + "/traces/mahimahi", "--video-sizes", kData + "/reference/video_sizes",
                         "--algo", "bb,oracle-mpc,optimal", "--json", (dir / "s.json").string(), "--csv",
                         (dir / "s.csv").string(), "--jobs", "2", "--no-plot"},
                        dir);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("optimal"));
  const auto doc = nlohmann::json::parse(abrplay::test::slurp_file(dir / "s.json"));
  CHECK(doc["traces"] == 1);
  CHECK(doc["algorithms"]["bb"]["vs_optimal"].get<double>() <= 1.0 + 1e-9);
  CHECK(doc["algorithms"]["optimal"]["vs_optimal"].get<double>() == Approx(1.0));
  // The oracle plans with the true link: above BB here, at most the optimum.
  const double oracle = doc["algorithms"]["oracle-mpc"]["mean"].get<double>();
  CHECK(oracle > doc["algorithms"]["bb"]["mean"].get<double>());
  CHECK(doc["algorithms"]["oracle-mpc"]["vs_optimal"].get<double>() <= 1.0 + 1e-9);
  // Header + 3 algorithms x 1 trace.
  const std::string csv = abrplay::test::slurp_file(dir / "s.csv");
  CHECK(std::count(csv.begin(), csv.end(), '\n') == 4);
  // Its horizon is bounded: 6^9 plans per segment would take hours.
  const Run bad = run_sim({"--traces", kData + "/traces/mahimahi", "--algo", "oracle-mpc", "--oracle-horizon", "9"},
                          dir);
  CHECK(bad.exit_code != 0);
  CHECK_THAT(bad.err, Catch::Contains("--oracle-horizon"));
}

TEST_CASE("abrplay-sim: a CBR ladder on Mahimahi and Sabre traces", "[demo][sim]") {
  const fs::path dir = scratch("cbr");
  for (const char* set : {"/traces/mahimahi", "/traces/sabre"}) {
    const Run r = run_sim({"--traces", kData + set, "--ladder-kbps", "300,1200,4300", "--segment-s", "2", "--chunks",
                           "30", "--algo", "throughput,bola,default", "--no-plot"},
                          dir);
    INFO(r.err);
    CHECK(r.exit_code == 0);
  }
}

TEST_CASE("abrplay-sim draws the QoE CDF only when asked with --plot", "[demo][sim]") {
  const fs::path dir = scratch("plot");
  Run r = run_sim({"--traces", kData + "/traces/mahimahi", "--algo", "bb"}, dir);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.out, !Catch::Contains("QoE CDF"));  // it used to write qoe-cdf.png into the working directory
  CHECK_THAT(r.err, !Catch::Contains("note:"));
  const fs::path png = dir / "cdf.png";
  r = run_sim({"--traces", kData + "/traces/mahimahi", "--algo", "bb", "--plot", png.string()}, dir);
  REQUIRE(r.exit_code == 0);
  if (r.out.find("QoE CDF: " + png.string()) != std::string::npos) CHECK(fs::file_size(png) > 0);
  else CHECK_THAT(r.err, Catch::Contains("note:"));  // no gnuplot: a note, not a failure
}

TEST_CASE("abrplay-sim: bad traces and options exit non-zero with a message naming the problem", "[demo][sim]") {
  const fs::path dir = scratch("bad");
  const fs::path traces = dir / "traces";
  fs::create_directories(traces);
  std::ofstream(traces / "a.log") << "0 1\n1 2\n";
  std::ofstream(traces / "b.log") << "0 1\n1 nan\n";
  Run r = run_sim({"--traces", traces.string(), "--algo", "bb", "--no-plot"}, dir);
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("b.log:2: bandwidth is not a finite number"));

  r = run_sim({"--traces", (dir / "missing").string(), "--no-plot"}, dir);
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("missing: not a directory"));

  r = run_sim({"--traces", kData + "/traces/sabre", "--algo", "bb,nonesuch", "--no-plot"}, dir);
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("unknown algorithm 'nonesuch'"));

  r = run_sim({"--traces", kData + "/traces/sabre", "--video-sizes", (dir / "nosizes").string(), "--no-plot"}, dir);
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("video_size_0"));

  r = run_sim({"--traces", kData + "/traces/sabre", "--qoe", "best"}, dir);
  CHECK(r.exit_code != 0);
  r = run_sim({}, dir);  // --traces is required
  CHECK(r.exit_code != 0);
}
