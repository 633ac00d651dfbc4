#include "abrplay/abr/algorithm/bba.h"

namespace abrplay::abr {

Decision BbaAlgorithm::choose(const AbrInput& in) {
  const std::size_t top = in.ladder.size() - 1;
  const double b = in.buffer_level.count();
  const double reservoir = params_.reservoir.count();
  const double cushion = params_.cushion.count();
  if (b < reservoir) return {0, "buffer below reservoir: lowest"};
  if (b >= reservoir + cushion) return {top, "buffer above cushion: highest"};
  if (params_.pensieve_index_map) {
    return {static_cast<std::size_t>(static_cast<double>(top) * (b - reservoir) / cushion),
            "buffer in cushion: linear index map"};
  }
  const double min_kbps = in.ladder.front().bitrate.kbps();
  const double max_kbps = in.ladder.back().bitrate.kbps();
  const double f = min_kbps + (max_kbps - min_kbps) * (b - reservoir) / cushion;
  const std::size_t prev = in.last_index ? std::min(*in.last_index, top) : 0;
  const double rate_plus = prev == top ? max_kbps : in.ladder[prev + 1].bitrate.kbps();
  const double rate_minus = prev == 0 ? min_kbps : in.ladder[prev - 1].bitrate.kbps();
  if (f >= rate_plus && prev < top) {
    // Highest rate strictly below f(B).
    std::size_t next = prev;
    while (next + 1 <= top && in.ladder[next + 1].bitrate.kbps() < f) ++next;
    return {next, "rate map reached the next higher bitrate: up"};
  }
  if (f <= rate_minus && prev > 0) {
    // Lowest rate strictly above f(B).
    std::size_t next = prev;
    while (next > 0 && in.ladder[next - 1].bitrate.kbps() > f) --next;
    return {next, "rate map fell to the next lower bitrate: down"};
  }
  return {prev, "rate map between neighbours: keep"};
}

}  // namespace abrplay::abr
