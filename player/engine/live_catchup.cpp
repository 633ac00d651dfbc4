#include "abrplay/player/engine/live_catchup.h"

#include <algorithm>
#include <cmath>

namespace abrplay::engine {

CatchupDecision decide_catchup(MediaTime latency, MediaTime buffer_ahead, const CatchupParams& p) {
  CatchupDecision d;
  if (latency > p.max_latency) {
    d.seek_to_edge = true;
    return d;
  }
  const double delta_s = std::chrono::duration<double>(latency - p.target).count();
  if (std::abs(delta_s) > std::chrono::duration<double>(p.dead_band).count()) {
    const double s = 2.0 / (1.0 + std::exp(-5.0 * delta_s)) - 1.0;
    d.rate = 1.0 + s * (s > 0 ? p.max_rate - 1.0 : 1.0 - p.min_rate);
  }
  if (buffer_ahead < p.min_buffer) d.rate = std::min(d.rate, 1.0);
  d.rate = std::clamp(std::round(d.rate * 100.0) / 100.0, p.min_rate, p.max_rate);
  return d;
}

}  // namespace abrplay::engine
