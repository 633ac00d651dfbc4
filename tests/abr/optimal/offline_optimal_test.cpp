#include <catch2/catch.hpp>

#include "abrplay/abr/algorithm/registry.h"
#include "abrplay/abr/estimator/estimators.h"
#include "abrplay/abr/optimal/offline_optimal.h"
#include "abrplay/abr/optimal/oracle_mpc.h"
#include "abrplay/abr/traceio/load_trace.h"

using namespace abrplay::abr;  // NOLINT: test file
using namespace abrplay::literals;
using abrplay::DataRate;

namespace {

// Plays a precomputed schedule (the offline optimum's, the oracle MPC's) through the simulator, so
// it is scored by the same code as every algorithm.
class ScheduleReplay final : public AbrAlgorithm {
 public:
  explicit ScheduleReplay(std::vector<std::size_t> s) : s_(std::move(s)) {}
  [[nodiscard]] Decision choose(const AbrInput& in) override {
    return {s_[std::min(in.next_segment, s_.size() - 1)], "replay"};
  }
  std::string_view name() const override { return "replay"; }

 private:
  std::vector<std::size_t> s_;
};

// Pensieve's video: its ladder and the chunk sizes of its 48 segments of 4 s (tests/data/reference).
Video pensieve_sizes_video() {
  auto video = load_video_sizes(std::string(ABRPLAY_TEST_DATA_DIR) + "/reference/video_sizes", kPensieveLadder,
                                Seconds{4}, 48);
  REQUIRE(video);
  return *std::move(video);
}

// 100 s of a constant link.
Trace flat_link(double kbps) {
  Trace flat;
  flat.name = "flat";
  flat.segments.assign(10, {std::chrono::seconds(10), kbps, std::chrono::microseconds(0)});
  return flat;
}

// QoE_lin of the schedule on the trace (Pensieve's ladder floor, 4 s segments).
double replayed_qoe(const Trace& trace, const Video& video, const std::vector<std::size_t>& schedule) {
  ScheduleReplay replay(schedule);
  FixedEstimator unused(DataRate::zero());
  return score_session(simulate_session(trace, video, replay, unused), QoeMetric::kLin, video.bitrates.front(),
                       video.segment_duration.count())
      .qoe;
}

}  // namespace

TEST_CASE("Offline optimum: its schedule replays to its QoE and beats every algorithm", "[optimal]") {
  const std::string data = ABRPLAY_TEST_DATA_DIR;
  const Video video = pensieve_sizes_video();
  const auto trace = load_trace_file(data + "/traces/fcc_train/bus.ljansbakken-oslo-report.2010-09-28_1407CEST.log");
  REQUIRE(trace);
  const OptimalResult best = offline_optimal(*trace, video);
  REQUIRE(best.schedule.size() == 48);
  CHECK(best.schedule[0] == 1);
  CHECK(replayed_qoe(*trace, video, best.schedule) == Approx(best.qoe).margin(1e-6));
  FixedEstimator estimator(DataRate::zero());
  for (std::string_view name : algorithm_names()) {
    CAPTURE(name);
    auto algorithm = make_algorithm(name);
    const double qoe =
        score_session(simulate_session(*trace, video, *algorithm, estimator), QoeMetric::kLin, 300_kbps, 4).qoe;
    CHECK(qoe <= best.qoe + 1e-9);
  }
  // Halving the time cell cannot make the result worse by more than a little (see the header).
  const OptimalResult finer = offline_optimal(*trace, video, {}, {Seconds{0.125}});
  CHECK(finer.qoe == Approx(best.qoe).margin(0.5));
}

TEST_CASE("Offline optimum and oracle MPC on a constant link hold the highest rung it carries", "[optimal]") {
  const Trace flat = flat_link(3000);
  const Video video = Video::constant_bitrate(kPensieveLadder, Seconds{4}, 20);
  // 3000 x 0.95 kbps of payload sustains 2850 kbps, so after a short climb from the start-up rung
  // (the first 4 s of buffer cannot carry a 2850k segment at once) both hold index 4, never 5.
  for (const OptimalResult& r : {offline_optimal(flat, video), oracle_mpc(flat, video)}) {
    REQUIRE(r.schedule.size() == 20);
    std::size_t at_four = 0;
    for (std::size_t s : r.schedule) {
      CHECK(s <= 4);
      at_four += s == 4;
    }
    CHECK(at_four >= 16);
  }
}

TEST_CASE("Oracle MPC: its schedule replays to its QoE, between the best algorithm and the optimum", "[optimal]") {
  const std::string data = ABRPLAY_TEST_DATA_DIR;
  const Video video = pensieve_sizes_video();
  const auto traces = load_trace_dir(data + "/traces/pensieve_train");
  REQUIRE(traces);
  REQUIRE(traces->size() == 5);
  double oracle_sum = 0, optimum_sum = 0;
  std::vector<double> algorithm_sums(algorithm_names().size(), 0.0);
  for (const Trace& trace : *traces) {
    CAPTURE(trace.name);
    const OptimalResult oracle = oracle_mpc(trace, video);
    REQUIRE(oracle.schedule.size() == 48);
    CHECK(oracle.schedule[0] == 1);
    CHECK(replayed_qoe(trace, video, oracle.schedule) == Approx(oracle.qoe).margin(1e-6));
    const OptimalResult best = offline_optimal(trace, video);
    CHECK(oracle.qoe <= best.qoe + 1e-9);
    oracle_sum += oracle.qoe;
    optimum_sum += best.qoe;
    for (std::size_t a = 0; a < algorithm_names().size(); ++a) {
      auto algorithm = make_algorithm(algorithm_names()[a]);
      EwmaEstimator estimator;
      algorithm_sums[a] +=
          score_session(simulate_session(trace, video, *algorithm, estimator), QoeMetric::kLin, 300_kbps, 4).qoe;
    }
  }
  // A perfect forecast beats every algorithm's forecast on the set, and a 5-segment horizon still
  // leaves room under the optimum (these five traces: about 0.9 of it).
  for (std::size_t a = 0; a < algorithm_names().size(); ++a) {
    CAPTURE(algorithm_names()[a]);
    CHECK(algorithm_sums[a] < oracle_sum);
  }
  CHECK(oracle_sum < optimum_sum);
}

TEST_CASE("Oracle MPC: a horizon of 0 plans one segment, and an empty video gives an empty schedule", "[optimal]") {
  const Trace flat = flat_link(3000);
  const Video video = Video::constant_bitrate(kPensieveLadder, Seconds{4}, 6);
  const OptimalResult zero = oracle_mpc(flat, video, {}, {.horizon = 0});
  const OptimalResult one = oracle_mpc(flat, video, {}, {.horizon = 1});
  CHECK(zero.schedule == one.schedule);
  CHECK(zero.qoe == one.qoe);
  Video empty = video;
  empty.segment_count = 0;
  const OptimalResult none = oracle_mpc(flat, empty);
  CHECK(none.schedule.empty());
  CHECK(none.qoe == 0);
}
