// abrplay/abr/sim/pensieve_link.h: the link model of Pensieve's simulator (fixed_env.py), step for
// step, so that results match its figures to rounding.
//
// The trace is walked segment by segment from where the last transfer stopped; a transfer is paid at
// the segment's bandwidth × payload_portion; the trace loops. Arithmetic is in double seconds in the
// same order as the Python code. A Sabre trace's per-segment latency is reported for the caller to
// add (Pensieve traces have none). Copyable: the offline optimum branches on copies.
#pragma once

#include <cstddef>
#include <vector>

#include "abrplay/abr/trace/trace.h"

namespace abrplay::abr {

class PensieveLink {
 public:
  explicit PensieveLink(const Trace& trace, double payload_portion = 0.95);

  // Seconds needed to deliver `bytes` from the current position (no RTT), advancing the position.
  double download(double bytes);
  // Idle for `ms` milliseconds (the player sleeping with a full buffer), advancing the position.
  void sleep_ms(double ms);
  // One-way latency of the trace segment at the current position, seconds.
  double latency_s() const { return latency_s_[ptr_ - 1]; }

  // The walk position (line pointer and time within the loop), to branch from a saved state.
  struct Position {
    std::size_t ptr = 1;
    double last_time_s = 0;
  };
  Position position() const { return {ptr_, last_time_s_}; }
  void set_position(Position p) {
    ptr_ = p.ptr;
    last_time_s_ = p.last_time_s;
  }

 private:
  void step();                     // to the next trace line, looping to line 1 after the last
  std::vector<double> time_s_;     // cumulative time at each Pensieve line, [0] = 0
  std::vector<double> rate_Bps_;   // bandwidth of the interval ending at line i ([0] unused)
  std::vector<double> latency_s_;  // per segment
  double payload_portion_;
  std::size_t ptr_ = 1;
  double last_time_s_ = 0;
};

}  // namespace abrplay::abr
