// abrplay/abr/estimator/estimators.h: the four throughput estimators and the latency tracker.
// Each is small; they share this header so a caller sees the whole menu in one place.
// Threading: see throughput_estimator.h (one owning thread, no locks).
#pragma once

#include <cstddef>
#include <deque>

#include "abrplay/abr/estimator/throughput_estimator.h"

namespace abrplay::abr {

// Dual half-life exponentially weighted moving average, as dash.js (ThroughputModel) and Shaka
// (EwmaBandwidthEstimator) do: a fast and a slow average, weighted by each sample's download time,
// with the zero-start bias corrected; the estimate is the smaller of the two, so it drops fast when
// the network degrades and rises slowly when it recovers.
struct EwmaParams {
  Seconds fast_half_life{3};  // dash.js defaults: 3 s fast, 8 s slow (Shaka: 2 s / 5 s)
  Seconds slow_half_life{8};
};
class EwmaEstimator final : public ThroughputEstimator {
 public:
  explicit EwmaEstimator(EwmaParams params = {}) : params_(params) {}
  void add_sample(const ThroughputSample& sample) override;
  [[nodiscard]] std::optional<DataRate> estimate() const override;
  void reset() override;
  std::string_view name() const override { return "ewma"; }

 private:
  EwmaParams params_;
  double fast_ = 0, slow_ = 0;                // biased averages, kbps
  double fast_weight_ = 0, slow_weight_ = 0;  // 1 - decay^total_time, for bias correction
};

// Harmonic mean of the last `window` samples, as MPC (Yin et al. 2015) uses: the harmonic mean is
// dominated by the slow samples, so one fast outlier cannot inflate it.
class HarmonicMeanEstimator final : public ThroughputEstimator {
 public:
  explicit HarmonicMeanEstimator(std::size_t window = 5) : window_(window == 0 ? 1 : window) {}
  void add_sample(const ThroughputSample& sample) override;
  [[nodiscard]] std::optional<DataRate> estimate() const override;
  void reset() override { samples_kbps_.clear(); }
  std::string_view name() const override { return "harmonic"; }

 private:
  std::size_t window_;
  std::deque<double> samples_kbps_;
};

// Weighted sliding percentile, as ExoPlayer's DefaultBandwidthMeter (SlidingPercentile): each sample
// weighs sqrt(bytes); the oldest samples leave once the total weight exceeds max_weight; the estimate
// is the sample at the given weighted percentile.
struct PercentileParams {
  double percentile = 0.5;   // ExoPlayer: median
  double max_weight = 2000;  // ExoPlayer DEFAULT_SLIDING_WINDOW_MAX_WEIGHT (sqrt of bytes)
};
class PercentileEstimator final : public ThroughputEstimator {
 public:
  explicit PercentileEstimator(PercentileParams params = {}) : params_(params) {}
  void add_sample(const ThroughputSample& sample) override;
  [[nodiscard]] std::optional<DataRate> estimate() const override;
  void reset() override {
    samples_.clear();
    total_weight_ = 0;
  }
  std::string_view name() const override { return "percentile"; }

 private:
  struct Weighted {
    double kbps;
    double weight;
  };
  PercentileParams params_;
  std::deque<Weighted> samples_;  // arrival order
  double total_weight_ = 0;
};

// Always the same value: for tests and for what-if runs.
class FixedEstimator final : public ThroughputEstimator {
 public:
  explicit FixedEstimator(DataRate rate) : rate_(rate) {}
  void add_sample(const ThroughputSample&) override {}
  [[nodiscard]] std::optional<DataRate> estimate() const override { return rate_; }
  void reset() override {}
  std::string_view name() const override { return "fixed"; }

 private:
  DataRate rate_;
};

// Time to first byte, tracked apart from rate: the mean of the last `window` TTFBs. A request's
// expected duration is then latency + bytes / rate.
class LatencyEstimator {
 public:
  explicit LatencyEstimator(std::size_t window = 8) : window_(window == 0 ? 1 : window) {}
  void add_sample(const ThroughputSample& sample);
  [[nodiscard]] Seconds estimate() const;  // 0 before the first sample
  void reset() { ttfb_s_.clear(); }

 private:
  std::size_t window_;
  std::deque<double> ttfb_s_;
};

}  // namespace abrplay::abr
