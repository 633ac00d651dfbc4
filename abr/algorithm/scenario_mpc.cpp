#include "abrplay/abr/algorithm/scenario_mpc.h"

#include <algorithm>
#include <cmath>

namespace abrplay::abr {

namespace {

// Depth-first search over plans; each node carries one (buffer, rebuffer) state per scenario.
class ScenarioSearch {
 public:
  ScenarioSearch(const AbrInput& in, const ScenarioMpcParams& p, const std::vector<double>& bytes_per_s,
                 double latency_s, std::size_t depth)
      : in_(in),
        p_(p),
        rate_(bytes_per_s),
        latency_s_(latency_s),
        depth_(depth),
        buffer_(depth + 1, std::vector<double>(bytes_per_s.size())),
        rebuffer_(depth + 1, std::vector<double>(bytes_per_s.size(), 0.0)) {}

  std::size_t best(std::size_t last) {
    std::fill(buffer_[0].begin(), buffer_[0].end(), in_.buffer_level.count());
    visit(0, 0, last, 0);
    return best_first_;
  }

 private:
  void visit(std::size_t pos, double score, std::size_t last, std::size_t first) {
    if (pos == depth_) {
      double rebuffer = 0;
      for (double r : rebuffer_[pos]) rebuffer += r;
      const double total = score - p_.rebuffer_penalty * rebuffer / static_cast<double>(rate_.size());
      if (total > best_score_) {  // strict: ties keep the earlier (lower) plan
        best_score_ = total;
        best_first_ = first;
      }
      return;
    }
    const std::size_t segment = in_.next_segment + pos;
    const double seg_s = in_.segment_duration.count();
    for (std::size_t q = 0; q < in_.ladder.size(); ++q) {
      const double bytes = in_.segment_bytes(q, segment);
      for (std::size_t k = 0; k < rate_.size(); ++k) {
        const double download = latency_s_ + bytes / rate_[k];
        const double b = buffer_[pos][k];
        rebuffer_[pos + 1][k] = rebuffer_[pos][k] + std::max(download - b, 0.0);
        buffer_[pos + 1][k] = std::max(b - download, 0.0) + seg_s;
      }
      const double kbps = in_.ladder[q].bitrate.kbps();
      const double gain = kbps / 1000 * seg_s / p_.bitrate_reference_s -
                          p_.smoothness_penalty * std::abs(kbps - in_.ladder[last].bitrate.kbps()) / 1000;
      visit(pos + 1, score + gain, q, pos == 0 ? q : first);
    }
  }

  const AbrInput& in_;
  const ScenarioMpcParams& p_;
  const std::vector<double>& rate_;
  double latency_s_;
  std::size_t depth_;
  std::vector<std::vector<double>> buffer_;
  std::vector<std::vector<double>> rebuffer_;
  double best_score_ = -1e300;
  std::size_t best_first_ = 0;
};

}  // namespace

void ScenarioMpc::reset() {
  ratios_.clear();
  last_prediction_kbps_.reset();
  last_seen_sample_.reset();
}

void ScenarioMpc::record_ratio(const ThroughputSample& newest) {
  if (last_seen_sample_ && *last_seen_sample_ == newest.end_time) return;
  last_seen_sample_ = newest.end_time;
  if (!last_prediction_kbps_) return;
  // Clamped so one freak sample cannot create an absurd scenario.
  const double measured = params_.separate_latency ? newest.transfer_rate().kbps() : newest.rate().kbps();
  ratios_.push_back(std::clamp(measured / *last_prediction_kbps_, 0.05, 20.0));
  while (ratios_.size() > params_.error_window) ratios_.pop_front();
}

Decision ScenarioMpc::choose(const AbrInput& in) {
  const std::size_t last = in.last_index ? std::min(*in.last_index, in.ladder.size() - 1) : 0;
  std::vector<const ThroughputSample*> usable;
  for (const ThroughputSample& s : in.recent_samples) {
    if (s.bytes > DataSize::zero() && s.duration.count() > 0) usable.push_back(&s);
  }
  double predicted_kbps = 0;
  double latency_s = in.latency.count();
  if (!usable.empty()) {
    record_ratio(*usable.back());
    const std::size_t n = std::min(params_.rate_window, usable.size());
    double inverse_sum = 0, ttfb_sum = 0;
    for (std::size_t i = usable.size() - n; i < usable.size(); ++i) {
      inverse_sum += 1 / (params_.separate_latency ? usable[i]->transfer_rate().kbps() : usable[i]->rate().kbps());
      ttfb_sum += params_.separate_latency ? usable[i]->ttfb.count() : 0.0;
    }
    predicted_kbps = static_cast<double>(n) / inverse_sum;
    latency_s = ttfb_sum / static_cast<double>(n);
    last_prediction_kbps_ = predicted_kbps;
  } else if (in.throughput) {
    predicted_kbps = in.throughput->kbps();
  } else {
    return {0, "no throughput sample yet: lowest"};
  }
  // Scenarios: the measured ratios, topped up with the prior while fewer than prior_until exist.
  std::vector<double> ratios(ratios_.begin(), ratios_.end());
  for (std::size_t i = 0; ratios.size() < params_.prior_until && i < params_.prior_ratios.size(); ++i) {
    ratios.push_back(params_.prior_ratios[i]);
  }
  if (ratios.empty()) ratios.push_back(1.0);
  std::sort(ratios.begin(), ratios.end());
  const std::size_t n = params_.scenarios == 0 ? ratios.size() : std::min(params_.scenarios, ratios.size());
  std::vector<double> quantiles;
  if (n == ratios.size()) quantiles = ratios;
  for (std::size_t i = 0; n < ratios.size() && i < n; ++i) {
    const double rank = (static_cast<double>(i) + 0.5) / static_cast<double>(n) *
                        static_cast<double>(ratios.size() - 1);
    const auto lo = static_cast<std::size_t>(rank);
    const std::size_t hi = std::min(lo + 1, ratios.size() - 1);
    quantiles.push_back(ratios[lo] + (rank - static_cast<double>(lo)) * (ratios[hi] - ratios[lo]));
  }
  scenarios_kbps_.clear();
  std::vector<double> bytes_per_s;
  for (double r : quantiles) {
    scenarios_kbps_.push_back(predicted_kbps * r);
    bytes_per_s.push_back(predicted_kbps * r * 1000 / 8);
  }
  const std::size_t depth = std::min(params_.horizon, in.segments_left().value_or(params_.horizon));
  if (depth == 0) return {last, "end of video: nothing to plan"};
  ScenarioSearch search(in, params_, bytes_per_s, latency_s, depth);
  return {search.best(last), "ScenarioMPC: best expected QoE over forecast-error scenarios"};
}

}  // namespace abrplay::abr
