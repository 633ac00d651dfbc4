#include "abrplay/abr/algorithm/mpc.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace abrplay::abr {

namespace {

// Exhaustive search over index sequences in lexicographic order (itertools.product order).
struct PlanSearch {
  const AbrInput& in;
  const MpcParams& params;
  double bytes_per_s;
  std::size_t depth;
  std::vector<std::size_t> plan;
  double best_reward = -1e300;
  std::size_t best_first = 0;

  void run(std::size_t pos, double buffer, double rebuffer, double bitrate_sum, double smooth, std::size_t last) {
    if (pos == depth) {
      const double reward = bitrate_sum / 1000 - params.rebuffer_penalty * rebuffer -
                            params.smoothness_penalty * smooth / 1000;
      if (reward >= best_reward) {
        best_reward = reward;
        best_first = plan[0];
      }
      return;
    }
    const std::size_t segment = in.next_segment + pos + params.lookahead_size_offset;
    for (std::size_t q = 0; q < in.ladder.size(); ++q) {
      const double download = in.segment_bytes(q, segment) / bytes_per_s;
      double b = buffer, r = rebuffer;
      if (b < download) {
        r += download - b;
        b = 0;
      } else {
        b -= download;
      }
      b += in.segment_duration.count();
      plan[pos] = q;
      run(pos + 1, b, r, bitrate_sum + in.ladder[q].bitrate.kbps(),
          smooth + std::abs(in.ladder[q].bitrate.kbps() - in.ladder[last].bitrate.kbps()), q);
    }
  }
};

double harmonic_mean_kbps(std::span<const ThroughputSample> samples, std::size_t window) {
  const std::size_t n = std::min(window, samples.size());
  double inverse_sum = 0;
  for (std::size_t i = samples.size() - n; i < samples.size(); ++i) inverse_sum += 1 / samples[i].rate().kbps();
  return static_cast<double>(n) / inverse_sum;
}

}  // namespace

void MpcAlgorithm::reset() {
  last_seen_sample_.reset();
  if (params_.keep_errors_across_streams) return;
  errors_.clear();
  last_prediction_kbps_.reset();
}

void MpcAlgorithm::record_error(const AbrInput& in) {
  const ThroughputSample& newest = in.recent_samples.back();
  if (last_seen_sample_ && *last_seen_sample_ == newest.end_time) return;  // already counted
  last_seen_sample_ = newest.end_time;
  const double measured = newest.rate().kbps();
  errors_.push_back(last_prediction_kbps_ ? std::abs(*last_prediction_kbps_ - measured) / measured : 0.0);
  while (errors_.size() > params_.error_window) errors_.pop_front();
}

Decision MpcAlgorithm::choose(const AbrInput& in) {
  const std::size_t last = in.last_index ? std::min(*in.last_index, in.ladder.size() - 1) : 0;
  double predicted_kbps = 0;
  std::vector<ThroughputSample> usable;
  for (const ThroughputSample& s : in.recent_samples) {
    if (s.bytes > DataSize::zero() && s.duration.count() > 0) usable.push_back(s);
  }
  if (!usable.empty()) {
    AbrInput view = in;
    view.recent_samples = usable;
    record_error(view);
    predicted_kbps = harmonic_mean_kbps(usable, params_.window);
    last_prediction_kbps_ = predicted_kbps;
  } else if (in.throughput) {
    predicted_kbps = in.throughput->kbps();
  } else {
    return {0, "no throughput sample yet: lowest"};
  }
  double future_kbps = predicted_kbps;
  if (params_.robust && !errors_.empty()) {
    future_kbps /= 1 + *std::max_element(errors_.begin(), errors_.end());
  }
  last_future_kbps_ = future_kbps;
  const std::size_t depth = std::min(params_.horizon, in.segments_left().value_or(params_.horizon));
  if (depth == 0) return {last, "end of video: nothing to plan"};
  PlanSearch search{in, params_, future_kbps * 1000 / 8, depth, std::vector<std::size_t>(depth), -1e300, 0};
  search.run(0, in.buffer_level.count(), 0, 0, 0, last);
  return {search.best_first,
          params_.robust ? "RobustMPC: best plan at discounted harmonic mean" : "MPC: best plan at harmonic mean"};
}

}  // namespace abrplay::abr
