// abrplay/abr/algorithm/throughput_rule.h: the highest bitrate below a safety share of the estimate
// (dash.js ThroughputRule, ExoPlayer's bandwidth fraction).
#pragma once

#include "abrplay/abr/algorithm/abr_algorithm.h"

namespace abrplay::abr {

struct ThroughputRuleParams {
  double safety_factor = 0.9;  // dash.js bandwidthSafetyFactor; ExoPlayer uses 0.7
};

class ThroughputRule final : public AbrAlgorithm {
 public:
  explicit ThroughputRule(ThroughputRuleParams params = {}) : params_(params) {}
  [[nodiscard]] Decision choose(const AbrInput& in) override;
  std::string_view name() const override { return "throughput"; }

 private:
  ThroughputRuleParams params_;
};

}  // namespace abrplay::abr
