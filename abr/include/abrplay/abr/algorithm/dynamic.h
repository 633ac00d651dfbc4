// abrplay/abr/algorithm/dynamic.h: dash.js's DYNAMIC strategy: the throughput rule while the buffer
// is low (it reacts fast at start-up and after a stall), BOLA-E once the buffer is high (it is stable
// and uses the buffer). Hysteresis as in dash.js: switch to BOLA when the buffer reaches the stable
// buffer (12 s), back to throughput when it drops below half of it (6 s).
#pragma once

#include "abrplay/abr/algorithm/bola.h"
#include "abrplay/abr/algorithm/throughput_rule.h"

namespace abrplay::abr {

struct DynamicParams {
  Seconds bola_on{12};
  Seconds bola_off{6};
  ThroughputRuleParams throughput{};
  BolaParams bola{.enhanced = true};
};

class DynamicAlgorithm final : public AbrAlgorithm {
 public:
  explicit DynamicAlgorithm(DynamicParams params = {})
      : params_(params), throughput_(params.throughput), bola_(params.bola) {}
  [[nodiscard]] Decision choose(const AbrInput& in) override;
  void reset() override;
  std::string_view name() const override { return "dynamic"; }

 private:
  DynamicParams params_;
  ThroughputRule throughput_;
  BolaAlgorithm bola_;
  bool use_bola_ = false;
};

}  // namespace abrplay::abr
