// abr/optimal/chunk_step.h (internal): one segment download of Pensieve mode from a saved state,
// with simulate_session()'s exact arithmetic, for the planners that branch on copies of the link
// (the offline optimum and the oracle MPC).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>

#include "abrplay/abr/sim/chunk_simulator.h"
#include "abrplay/abr/sim/pensieve_link.h"

namespace abrplay::abr::detail {

struct ChunkState {
  PensieveLink::Position link;
  double clock_s = 0;
  double buffer_ms = 0;
};

class ChunkStepper {
 public:
  ChunkStepper(const Trace& trace, const Video& video, const SimParams& sim)
      : video_(video),
        sim_(sim),
        link_(trace, sim.payload_portion),
        segment_ms_(video.segment_duration.count() * 1000),
        threshold_ms_(sim.buffer_threshold.count() * 1000),
        step_ms_(sim.drain_step.count() * 1000) {}

  ChunkState origin() const { return {link_.position(), 0, 0}; }

  // Downloads `segment` at representation q from `from` into `to`; returns the rebuffer seconds.
  double advance(const ChunkState& from, std::size_t q, std::size_t segment, ChunkState& to) {
    link_.set_position(from.link);
    const double latency_s = sim_.link_rtt.count() + link_.latency_s();
    const double bytes = static_cast<double>(video_.segment_bytes[q][segment]);
    const double delay_ms = link_.download(bytes) * 1000 + latency_s * 1000;
    const double rebuffer_ms = std::max(delay_ms - from.buffer_ms, 0.0);
    to.buffer_ms = std::max(from.buffer_ms - delay_ms, 0.0) + segment_ms_;
    double sleep_ms = 0;
    if (to.buffer_ms > threshold_ms_) {
      sleep_ms = std::ceil((to.buffer_ms - threshold_ms_) / step_ms_) * step_ms_;
      to.buffer_ms -= sleep_ms;
      link_.sleep_ms(sleep_ms);
    }
    to.link = link_.position();
    to.clock_s = from.clock_s + (delay_ms + sleep_ms) / 1000;
    return rebuffer_ms / 1000;
  }

 private:
  const Video& video_;
  const SimParams& sim_;
  PensieveLink link_;
  double segment_ms_, threshold_ms_, step_ms_;
};

}  // namespace abrplay::abr::detail
