#include "abrplay/abr/algorithm/throughput_rule.h"

namespace abrplay::abr {

Decision ThroughputRule::choose(const AbrInput& in) {
  if (!in.throughput) return {0, "no throughput estimate yet: lowest"};
  // At playback rate r the player consumes r seconds of media per second, so each media second of a
  // bitrate-b representation needs b × r of link rate.
  const DataRate usable = *in.throughput * params_.safety_factor / in.playback_rate;
  return {in.highest_index_at_most(usable), "highest bitrate under safety × throughput"};
}

}  // namespace abrplay::abr
