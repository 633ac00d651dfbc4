// abrplay/abr/estimator/throughput_estimator.h: the swappable throughput estimator interface.
//
// Implementations: EwmaEstimator (dash.js / Shaka dual half-life), HarmonicMeanEstimator (MPC),
// PercentileEstimator (ExoPlayer), FixedEstimator (tests). Latency (TTFB) is tracked apart by
// LatencyEstimator. Estimators are fed finished transfers and hold no clock.
// Threading: not thread-safe; owned by one thread (the player thread, or a simulator worker).
#pragma once

#include <optional>
#include <string_view>

#include "abrplay/abr/estimator/throughput_sample.h"

namespace abrplay::abr {

class ThroughputEstimator {
 public:
  virtual ~ThroughputEstimator() = default;
  // Records a transfer. Samples with no bytes or no duration are ignored.
  virtual void add_sample(const ThroughputSample& sample) = 0;
  // Estimated throughput, or nullopt before the first usable sample.
  [[nodiscard]] virtual std::optional<DataRate> estimate() const = 0;
  // Forgets every sample (a new stream).
  virtual void reset() = 0;
  virtual std::string_view name() const = 0;
};

}  // namespace abrplay::abr
