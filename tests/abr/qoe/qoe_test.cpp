#include <catch2/catch.hpp>

#include "abrplay/abr/qoe/qoe.h"

using namespace abrplay::abr;  // NOLINT: test file
using namespace abrplay::literals;
using abrplay::DataRate;

namespace {
SessionLog log_of(std::initializer_list<std::pair<double, double>> kbps_rebuffer) {
  SessionLog log;
  for (auto [kbps, rebuffer] : kbps_rebuffer) {
    log.chunks.push_back({static_cast<std::size_t>(kbps), DataRate::kilobits_per_second(kbps), 0, Seconds{rebuffer + 1},
                          Seconds{rebuffer}, Seconds{4}, Seconds{0}});
  }
  return log;
}
}  // namespace

TEST_CASE("QoE_lin: Mbps - 4.3 x rebuffer - |change|, segment 0 left out", "[qoe]") {
  // Segment 0 (750, 2 s stall) is the start-up: only its bitrate enters, as the first "previous".
  const SessionLog log = log_of({{750, 2}, {1200, 0}, {300, 0.5}, {300, 0}});
  const QoeSummary s = score_session(log, QoeMetric::kLin, 300_kbps, 4);
  CHECK(s.segments == 3);
  CHECK(s.utility == Approx(1.2 + 0.3 + 0.3));
  CHECK(s.rebuffer_penalty == Approx(4.3 * 0.5));
  CHECK(s.smoothness == Approx(0.45 + 0.9));
  CHECK(s.qoe == Approx(1.8 - 2.15 - 1.35));
  CHECK(s.mean_bitrate.kbps() == Approx(600));
  CHECK(s.switches == 2);
  CHECK(s.startup_s == Approx(3));
  CHECK(s.rebuffer_ratio == Approx(0.5 / 12.5));
}

TEST_CASE("QoE_log and QoE_hd use Pensieve's utilities and penalties", "[qoe]") {
  const SessionLog log = log_of({{300, 0}, {4300, 1}});
  const QoeSummary lg = score_session(log, QoeMetric::kLog, 300_kbps, 4);
  CHECK(lg.qoe == Approx(std::log(4300.0 / 300) - 2.66 - std::log(4300.0 / 300)));
  const QoeSummary hd = score_session(log, QoeMetric::kHd, 300_kbps, 4);
  CHECK(hd.qoe == Approx(20 - 8 - 19));
  CHECK(qoe_utility(QoeMetric::kHd, 1850_kbps, 300_kbps) == 12);
  CHECK(qoe_utility(QoeMetric::kHd, 10000_kbps, 300_kbps) == 20);  // clamped
  CHECK(parse_qoe_metric("hd") == QoeMetric::kHd);
  CHECK_FALSE(parse_qoe_metric("HD"));
}
