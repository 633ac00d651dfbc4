// abrplay/abr/algorithm/bba.h: BBA-0, buffer-based adaptation (Huang et al., SIGCOMM 2014).
//
// The rate map f(B) rises linearly from the lowest bitrate at the reservoir to the highest at
// reservoir + cushion. BBA-0 moves up only when f(B) reaches the next higher bitrate (Rate+) and down
// only when f(B) falls to the next lower one (Rate-), otherwise it keeps the last rate: that gap is its
// hysteresis. With `pensieve_index_map`, the map is the one Pensieve's bb.py uses instead: index =
// floor((levels − 1) × (B − reservoir) / cushion), no hysteresis (for reproducing its figures).
#pragma once

#include "abrplay/abr/algorithm/abr_algorithm.h"

namespace abrplay::abr {

struct BbaParams {
  Seconds reservoir{5};  // Pensieve's setting; the paper uses 90 s with a 240 s buffer
  Seconds cushion{10};
  bool pensieve_index_map = false;
};

class BbaAlgorithm final : public AbrAlgorithm {
 public:
  explicit BbaAlgorithm(BbaParams params = {}) : params_(params) {}
  [[nodiscard]] Decision choose(const AbrInput& in) override;
  std::string_view name() const override { return "bb"; }

 private:
  BbaParams params_;
};

}  // namespace abrplay::abr
