// abrplay/abr/algorithm/lowest.h: always the lowest representation. For tests and as a floor.
#pragma once

#include "abrplay/abr/algorithm/abr_algorithm.h"

namespace abrplay::abr {

class LowestAlgorithm final : public AbrAlgorithm {
 public:
  [[nodiscard]] Decision choose(const AbrInput&) override { return {0, "lowest"}; }
  std::string_view name() const override { return "lowest"; }
  bool pinned() const override { return true; }
};

}  // namespace abrplay::abr
