// abrplay/abr/algorithm/fixed.h: always the same representation (clamped to the ladder). For tests.
#pragma once

#include <algorithm>

#include "abrplay/abr/algorithm/abr_algorithm.h"

namespace abrplay::abr {

class FixedAlgorithm final : public AbrAlgorithm {
 public:
  explicit FixedAlgorithm(std::size_t index) : index_(index) {}
  [[nodiscard]] Decision choose(const AbrInput& in) override {
    return {std::min(index_, in.ladder.size() - 1), "fixed"};
  }
  std::string_view name() const override { return "fixed"; }
  bool pinned() const override { return true; }

 private:
  std::size_t index_;
};

}  // namespace abrplay::abr
