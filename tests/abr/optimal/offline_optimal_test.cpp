#include <catch2/catch.hpp>

#include "abrplay/abr/algorithm/registry.h"
#include "abrplay/abr/estimator/estimators.h"
#include "abrplay/abr/optimal/offline_optimal.h"
#include "abrplay/abr/traceio/load_trace.h"

using namespace abrplay::abr;  // NOLINT: test file
using namespace abrplay::literals;
using abrplay::DataRate;

namespace {
class Replay final : public AbrAlgorithm {
 public:
  explicit Replay(std::vector<std::size_t> s) : s_(std::move(s)) {}
  [[nodiscard]] Decision choose(const AbrInput& in) override {
    return {s_[std::min(in.next_segment, s_.size() - 1)], "replay"};
  }
  std::string_view name() const override { return "replay"; }

 private:
  std::vector<std::size_t> s_;
};
}  // namespace

TEST_CASE("Offline optimum: its schedule replays to its QoE and beats every algorithm", "[optimal]") {
  const std::string data = ABRPLAY_TEST_DATA_DIR;
  const auto video = load_video_sizes(data + "/reference/video_sizes", kPensieveLadder, Seconds{4}, 48);
  REQUIRE(video);
  const auto trace = load_trace_file(data + "/traces/fcc_train/bus.ljansbakken-oslo-report.2010-09-28_1407CEST.log");
  REQUIRE(trace);
  const OptimalResult best = offline_optimal(*trace, *video);
  REQUIRE(best.schedule.size() == 48);
  CHECK(best.schedule[0] == 1);
  Replay replay(best.schedule);
  FixedEstimator estimator(DataRate::zero());
  const QoeSummary replayed = score_session(simulate_session(*trace, *video, replay, estimator), QoeMetric::kLin,
                                            300_kbps, 4);
  CHECK(replayed.qoe == Approx(best.qoe).margin(1e-6));
  for (std::string_view name : algorithm_names()) {
    CAPTURE(name);
    auto algorithm = make_algorithm(name);
    const double qoe =
        score_session(simulate_session(*trace, *video, *algorithm, estimator), QoeMetric::kLin, 300_kbps, 4).qoe;
    CHECK(qoe <= best.qoe + 1e-9);
  }
  // Halving the time cell cannot make the result worse by more than a little (see the header).
  const OptimalResult finer = offline_optimal(*trace, *video, {}, {Seconds{0.125}});
  CHECK(finer.qoe == Approx(best.qoe).margin(0.5));
}

TEST_CASE("Offline optimum on a constant link picks a steady bitrate", "[optimal]") {
  Trace flat;
  flat.name = "flat";
  flat.segments.assign(10, {std::chrono::seconds(10), 3000, std::chrono::microseconds(0)});
  const Video video = Video::constant_bitrate(kPensieveLadder, Seconds{4}, 20);
  const OptimalResult best = offline_optimal(flat, video);
  // 3000 x 0.95 kbps of payload sustains 2850 kbps, so after the start the optimum holds index 4.
  std::size_t at_four = 0;
  for (std::size_t s : best.schedule) at_four += s == 4;
  CHECK(at_four >= 16);
}
