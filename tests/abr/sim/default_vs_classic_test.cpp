// Trace-driven: the default algorithm against RobustMPC on the copied recorded traces (tolerance:
// the default must be ahead on the mean; both figures come from the same simulator).
#include <catch2/catch.hpp>

#include "abrplay/abr/algorithm/registry.h"
#include "abrplay/abr/estimator/estimators.h"
#include "abrplay/abr/qoe/qoe.h"
#include "abrplay/abr/traceio/load_trace.h"

using namespace abrplay::abr;  // NOLINT: test file
using namespace abrplay::literals;
using abrplay::DataRate;

namespace {
double mean_qoe(const std::string& algorithm_name, const std::vector<Trace>& traces, const Video& video) {
  auto algorithm = make_algorithm(algorithm_name);
  EwmaEstimator estimator;
  double sum = 0;
  for (const Trace& t : traces) {
    sum += score_session(simulate_session(t, video, *algorithm, estimator), QoeMetric::kLin, 300_kbps, 4).qoe;
  }
  return sum / static_cast<double>(traces.size());
}
}  // namespace

TEST_CASE("ScenarioMPC beats RobustMPC and BB on the mean QoE of the copied traces (chunk model)", "[sim][default]") {
  const std::string data = ABRPLAY_TEST_DATA_DIR;
  const auto video = load_video_sizes(data + "/reference/video_sizes", kPensieveLadder, Seconds{4}, 48);
  REQUIRE(video);
  for (const char* set : {"pensieve_train", "fcc_train"}) {
    CAPTURE(set);
    const auto traces = load_trace_dir(data + "/traces/" + set);
    REQUIRE(traces);
    const double ours = mean_qoe("scenario-mpc", *traces, *video);
    CHECK(ours > mean_qoe("robustmpc", *traces, *video));
    CHECK(ours > mean_qoe("bb", *traces, *video));
  }
}

TEST_CASE("Mahimahi and Sabre traces run through the simulator", "[sim]") {
  const std::string data = ABRPLAY_TEST_DATA_DIR;
  const Video video = Video::constant_bitrate(kPensieveLadder, Seconds{4}, 20);
  for (const char* file : {"/traces/mahimahi/Verizon-LTE-short.down", "/traces/sabre/trace0000.json"}) {
    CAPTURE(file);
    const auto trace = load_trace_file(data + file);
    REQUIRE(trace);
    auto algorithm = make_algorithm("scenario-mpc");
    EwmaEstimator estimator;
    const SessionLog log = simulate_session(*trace, video, *algorithm, estimator);
    REQUIRE(log.chunks.size() == 20);
    for (const ChunkRecord& c : log.chunks) CHECK(c.download.count() > 0.08);  // at least the RTT
  }
}
