// The Pensieve-mode simulator against the reference figures of Pensieve's own simulator
// (tests/data/reference/figures, for the first traces of each set in sorted order).
#include <catch2/catch.hpp>

#include <fstream>
#include <map>
#include <sstream>

#include "abrplay/abr/algorithm/bba.h"
#include "abrplay/abr/algorithm/mpc.h"
#include "abrplay/abr/estimator/estimators.h"
#include "abrplay/abr/qoe/qoe.h"
#include "abrplay/abr/traceio/load_trace.h"

using namespace abrplay::abr;  // NOLINT: test file
using namespace abrplay::literals;
using abrplay::DataRate;
using abrplay::Seconds;

namespace {
const std::string kData = ABRPLAY_TEST_DATA_DIR;

struct Figure {
  double qoe, bitrate, rebuffer, smooth;
};

// trace → scheme → figure
std::map<std::string, std::map<std::string, Figure>> read_figures(const std::string& set) {
  std::ifstream in(kData + "/reference/figures/" + set + ".csv");
  std::map<std::string, std::map<std::string, Figure>> out;
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    std::stringstream row(line);
    std::string trace, scheme, field;
    std::getline(row, trace, ',');
    std::getline(row, scheme, ',');
    Figure f{};
    for (double* v : {&f.qoe, &f.bitrate, &f.rebuffer, &f.smooth}) {
      std::getline(row, field, ',');
      *v = std::stod(field);
    }
    out[trace][scheme] = f;
  }
  return out;
}

Video pensieve_video() {
  auto video = load_video_sizes(kData + "/reference/video_sizes", kPensieveLadder, Seconds{4}, kPensieveSegmentCount);
  REQUIRE(video);
  return *video;
}

void check_set(const std::string& set) {
  const auto figures = read_figures(set);
  const auto traces = load_trace_dir(kData + "/traces/" + set);
  REQUIRE(traces);
  REQUIRE(traces->size() == figures.size());
  const Video video = pensieve_video();
  BbaAlgorithm bb(BbaParams{.pensieve_index_map = true});
  MpcAlgorithm robust(MpcParams{.robust = true, .keep_errors_across_streams = true, .lookahead_size_offset = 1});
  HarmonicMeanEstimator estimator;
  double ours_mpc_sum = 0, ref_mpc_sum = 0;
  for (const Trace& trace : *traces) {
    CAPTURE(set, trace.name);
    const Figure& ref_bb = figures.at(trace.name).at("bb");
    const QoeSummary s_bb = score_session(simulate_session(trace, video, bb, estimator), QoeMetric::kLin, 300_kbps, 4);
    CHECK(s_bb.qoe == Approx(ref_bb.qoe).margin(1e-4));
    CHECK(s_bb.mean_bitrate.kbps() == Approx(ref_bb.bitrate).margin(1e-2));
    CHECK(s_bb.rebuffer_s == Approx(ref_bb.rebuffer).margin(1e-4));
    CHECK(s_bb.smoothness == Approx(ref_bb.smooth).margin(1e-4));
    const Figure& ref_mpc = figures.at(trace.name).at("robustmpc");
    const QoeSummary s_mpc = score_session(simulate_session(trace, video, robust, estimator), QoeMetric::kLin, 300_kbps,
                                           4);
    // Per trace within 1% of the magnitude (QoE can be near 0, so relative to max(|ref|, 10)).
    CHECK(s_mpc.qoe == Approx(ref_mpc.qoe).margin(0.01 * std::max(std::abs(ref_mpc.qoe), 10.0)));
    ours_mpc_sum += s_mpc.qoe;
    ref_mpc_sum += ref_mpc.qoe;
  }
  CHECK(ours_mpc_sum == Approx(ref_mpc_sum).epsilon(0.01));
}
}  // namespace

TEST_CASE("Pensieve mode reproduces the reference BB and RobustMPC figures on pensieve_train", "[sim][reference]") {
  check_set("pensieve_train");
}

TEST_CASE("Pensieve mode reproduces the reference BB and RobustMPC figures on fcc_train", "[sim][reference]") {
  check_set("fcc_train");
}
