// abrplay/abr/trace/trace_cursor.h: delivery arithmetic on a looping trace.
//
// Answers "how many bytes can the link deliver between t0 and t1" and "how long does it take to
// deliver N bytes starting at t", with t measured from the start of the trace and the trace looping
// forever. Both are O(log segments) after an O(segments) set-up (prefix sums over one loop). Used by
// the chunk simulator and by the shaped test origin.
//
// Latency is not applied here: latency_at(t) reports the segment's latency for the caller to add.
// Threading: immutable after construction; const calls are safe from any thread.
#pragma once

#include <chrono>
#include <vector>

#include "abrplay/abr/trace/trace.h"

namespace abrplay::abr {

class TraceCursor {
 public:
  // The trace must come from a parser (positive total duration and at least one byte per loop);
  // the cursor copies what it needs, so the trace need not outlive it.
  explicit TraceCursor(const Trace& trace);

  // Bytes the link can deliver in [t0, t1] (0 when t1 <= t0).
  double bytes_between(std::chrono::microseconds t0, std::chrono::microseconds t1) const;
  double bytes_between_s(double t0_s, double t1_s) const;

  // Time needed to deliver `bytes` starting at `start` (0 for bytes <= 0). Always finite, since
  // every loop delivers at least one byte.
  std::chrono::microseconds time_to_deliver(double bytes, std::chrono::microseconds start) const;
  double time_to_deliver_s(double bytes, double start_s) const;

  // Bandwidth and latency of the segment in force at t.
  double bandwidth_kbps_at(std::chrono::microseconds t) const;
  std::chrono::microseconds latency_at(std::chrono::microseconds t) const;

  double loop_duration_s() const { return period_s_; }
  double loop_bytes() const { return period_bytes_; }

 private:
  // Bytes delivered in [0, t) for t within one loop, t in [0, period_s_].
  double bytes_in_loop(double t_s) const;
  // Segment index in force at a time within one loop.
  std::size_t segment_at(double t_in_loop_s) const;

  std::vector<double> start_s_;      // start time of each segment within the loop
  std::vector<double> start_bytes_;  // bytes delivered before each segment
  std::vector<double> end_bytes_;    // bytes delivered by the end of each segment
  std::vector<double> rate_Bps_;     // bytes per second of each segment
  std::vector<std::chrono::microseconds> latency_;
  double period_s_ = 0;
  double period_bytes_ = 0;
};

// The chunk a shaped sender paces a body in at `kbps`: 10 ms of the rate, at least one 1500-byte
// packet, at most 64 KiB. abrplay-origin writes bodies in these chunks, and the ABR lab's network
// model delivers its first chunk by the same rule, so the time to first byte agrees.
double paced_chunk_bytes(double kbps);

}  // namespace abrplay::abr
