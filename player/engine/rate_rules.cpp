#include "abrplay/player/engine/rate_rules.h"

namespace abrplay::engine {

namespace {

std::size_t highest_at_most(std::span<const DataRate> ladder, DataRate rate) {
  std::size_t best = 0;
  for (std::size_t i = 0; i < ladder.size(); ++i) {
    if (ladder[i] <= rate) best = i;
  }
  return best;
}

}  // namespace

std::size_t fast_start_index(std::span<const DataRate> ladder, std::optional<DataRate> estimate,
                             const RateRuleParams& p) {
  if (ladder.empty()) return 0;
  return highest_at_most(ladder, estimate.value_or(p.initial_estimate) * p.safety);
}

std::size_t audio_index(std::span<const DataRate> ladder, std::optional<DataRate> estimate, const RateRuleParams& p) {
  if (ladder.empty()) return 0;
  return highest_at_most(ladder, estimate.value_or(p.initial_estimate) * p.audio_share);
}

}  // namespace abrplay::engine
