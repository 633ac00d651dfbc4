#include "abrplay/abr/qoe/qoe.h"

#include <array>
#include <cmath>

namespace abrplay::abr {

std::optional<QoeMetric> parse_qoe_metric(std::string_view text) {
  if (text == "lin") return QoeMetric::kLin;
  if (text == "log") return QoeMetric::kLog;
  if (text == "hd") return QoeMetric::kHd;
  return std::nullopt;
}

std::string_view to_string(QoeMetric metric) {
  switch (metric) {
    case QoeMetric::kLin: return "lin";
    case QoeMetric::kLog: return "log";
    case QoeMetric::kHd: return "hd";
  }
  return "lin";
}

namespace {
// Pensieve's QoE_hd table (multi_video_sim / HD_REWARD), bitrate kbps → score.
constexpr std::array<double, 6> kHdKbps = {300, 750, 1200, 1850, 2850, 4300};
constexpr std::array<double, 6> kHdScore = {1, 2, 3, 12, 15, 20};

double hd_score(double kbps) {
  if (kbps <= kHdKbps.front()) return kHdScore.front();
  for (std::size_t i = 1; i < kHdKbps.size(); ++i) {
    if (kbps <= kHdKbps[i]) {
      const double f = (kbps - kHdKbps[i - 1]) / (kHdKbps[i] - kHdKbps[i - 1]);
      return kHdScore[i - 1] + f * (kHdScore[i] - kHdScore[i - 1]);
    }
  }
  return kHdScore.back();
}
}  // namespace

double qoe_utility(QoeMetric metric, DataRate bitrate, DataRate min_bitrate) {
  switch (metric) {
    case QoeMetric::kLin: return bitrate.mbps();
    case QoeMetric::kLog: return std::log(bitrate / min_bitrate);
    case QoeMetric::kHd: return hd_score(bitrate.kbps());
  }
  return 0;
}

double qoe_rebuffer_penalty(QoeMetric metric) {
  switch (metric) {
    case QoeMetric::kLin: return 4.3;
    case QoeMetric::kLog: return 2.66;
    case QoeMetric::kHd: return 8;
  }
  return 4.3;
}

QoeSummary score_session(const SessionLog& log, QoeMetric metric, DataRate min_bitrate, double segment_duration_s) {
  QoeSummary s;
  if (log.chunks.empty()) return s;
  s.startup_s = log.chunks.front().download.count();
  const double mu = qoe_rebuffer_penalty(metric);
  DataRate bitrate_sum;
  for (std::size_t n = 1; n < log.chunks.size(); ++n) {
    const ChunkRecord& c = log.chunks[n];
    const ChunkRecord& prev = log.chunks[n - 1];
    const double q = qoe_utility(metric, c.bitrate, min_bitrate);
    const double q_prev = qoe_utility(metric, prev.bitrate, min_bitrate);
    s.utility += q;
    s.rebuffer_penalty += mu * c.rebuffer.count();
    s.smoothness += std::abs(q - q_prev);
    s.rebuffer_s += c.rebuffer.count();
    bitrate_sum += c.bitrate;
    if (c.index != prev.index) ++s.switches;
    ++s.segments;
  }
  s.qoe = s.utility - s.rebuffer_penalty - s.smoothness;
  if (s.segments > 0) s.mean_bitrate = bitrate_sum / static_cast<double>(s.segments);
  const double played = segment_duration_s * static_cast<double>(s.segments);
  if (played + s.rebuffer_s > 0) s.rebuffer_ratio = s.rebuffer_s / (played + s.rebuffer_s);
  return s;
}

}  // namespace abrplay::abr
