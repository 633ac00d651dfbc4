#include "abrplay/abr/estimator/estimators.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace abrplay::abr {

namespace {
bool usable(const ThroughputSample& s) { return s.bytes > DataSize::zero() && s.duration.count() > 0; }
}  // namespace

void EwmaEstimator::add_sample(const ThroughputSample& sample) {
  if (!usable(sample)) return;
  const double kbps = sample.rate().kbps();
  const double t = sample.duration.count();
  // Per-sample decay for a half-life h and a sample lasting t seconds: 0.5^(t/h).
  const double fast_decay = std::pow(0.5, t / params_.fast_half_life.count());
  const double slow_decay = std::pow(0.5, t / params_.slow_half_life.count());
  fast_ = fast_decay * fast_ + (1 - fast_decay) * kbps;
  slow_ = slow_decay * slow_ + (1 - slow_decay) * kbps;
  fast_weight_ = 1 - (1 - fast_weight_) * fast_decay;
  slow_weight_ = 1 - (1 - slow_weight_) * slow_decay;
}

std::optional<DataRate> EwmaEstimator::estimate() const {
  if (fast_weight_ <= 0 || slow_weight_ <= 0) return std::nullopt;
  return DataRate::kilobits_per_second(std::min(fast_ / fast_weight_, slow_ / slow_weight_));
}

void EwmaEstimator::reset() { fast_ = slow_ = fast_weight_ = slow_weight_ = 0; }

void HarmonicMeanEstimator::add_sample(const ThroughputSample& sample) {
  if (!usable(sample)) return;
  samples_kbps_.push_back(sample.rate().kbps());
  while (samples_kbps_.size() > window_) samples_kbps_.pop_front();
}

std::optional<DataRate> HarmonicMeanEstimator::estimate() const {
  if (samples_kbps_.empty()) return std::nullopt;
  double inverse_sum = 0;
  for (double kbps : samples_kbps_) inverse_sum += 1 / kbps;
  return DataRate::kilobits_per_second(static_cast<double>(samples_kbps_.size()) / inverse_sum);
}

void PercentileEstimator::add_sample(const ThroughputSample& sample) {
  if (!usable(sample)) return;
  const double weight = std::sqrt(static_cast<double>(sample.bytes.bytes()));
  samples_.push_back({sample.rate().kbps(), weight});
  total_weight_ += weight;
  // ExoPlayer trims from the oldest, but keeps at least the newest sample.
  while (total_weight_ > params_.max_weight && samples_.size() > 1) {
    const double excess = total_weight_ - params_.max_weight;
    Weighted& oldest = samples_.front();
    if (oldest.weight <= excess) {
      total_weight_ -= oldest.weight;
      samples_.pop_front();
    } else {
      oldest.weight -= excess;
      total_weight_ -= excess;
    }
  }
}

std::optional<DataRate> PercentileEstimator::estimate() const {
  if (samples_.empty()) return std::nullopt;
  std::vector<Weighted> sorted(samples_.begin(), samples_.end());
  std::sort(sorted.begin(), sorted.end(), [](const Weighted& a, const Weighted& b) { return a.kbps < b.kbps; });
  const double target = params_.percentile * total_weight_;
  double accumulated = 0;
  for (const Weighted& w : sorted) {
    accumulated += w.weight;
    if (accumulated >= target) return DataRate::kilobits_per_second(w.kbps);
  }
  return DataRate::kilobits_per_second(sorted.back().kbps);
}

void LatencyEstimator::add_sample(const ThroughputSample& sample) {
  if (sample.duration.count() <= 0) return;
  ttfb_s_.push_back(std::clamp(sample.ttfb.count(), 0.0, sample.duration.count()));
  while (ttfb_s_.size() > window_) ttfb_s_.pop_front();
}

Seconds LatencyEstimator::estimate() const {
  if (ttfb_s_.empty()) return Seconds{0};
  double sum = 0;
  for (double t : ttfb_s_) sum += t;
  return Seconds{sum / static_cast<double>(ttfb_s_.size())};
}

}  // namespace abrplay::abr
