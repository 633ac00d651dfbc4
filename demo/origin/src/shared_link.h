// shared_link.h: the simulated bottleneck link of one CDN, shaped by a recorded network trace.
//
// Every connection of one CDN shares one SharedLink, as flows share an access link. A response body
// is sent in chunks; before writing a chunk, the sender reserves its bytes here and waits until the
// returned time. Reservations queue FIFO behind those made before (by any connection), so the link
// carries bytes at the trace's rate in total and concurrent downloads interleave chunk by chunk.
// An idle link accumulates no credit: a reservation on an idle link starts "now".
//
// Trace time 0 is the server start, or the first request when `start_at_first_request` is set; the
// trace loops (abr::TraceCursor). Without a trace the link is unshaped: reservations complete now.
//
// Threading: every method may be called from any handler thread; one mutex guards the queue tail.
#pragma once

#include <chrono>
#include <cstddef>
#include <mutex>
#include <optional>

#include "abrplay/abr/trace/trace.h"
#include "abrplay/abr/trace/trace_cursor.h"

namespace abrplay::origin {

struct LinkParams {
  std::optional<abr::Trace> trace;             // none: unshaped
  bool start_at_first_request = true;          // else trace time 0 is the server start
  std::chrono::milliseconds added_latency{0};  // --rtt-ms: waited before each response's first byte
};

class SharedLink {
 public:
  using Clock = std::chrono::steady_clock;

  SharedLink(LinkParams params, Clock::time_point server_start);

  // A request arrived at `now`: starts the trace clock if it has not started, and returns the
  // latency to wait before the response starts (added latency + the trace's latency at now).
  Clock::duration on_request(Clock::time_point now);

  // Reserves `bytes` after every earlier reservation; returns when they have crossed the link.
  // `ready` is when the sender had them ready: normally now, but a sender continuing its own
  // transfer passes its previous chunk's deadline, so that waking late from the wait (a busy
  // machine) does not leave the link idle: a real sender's socket buffer would have kept it busy.
  Clock::time_point reserve(std::size_t bytes, Clock::time_point ready);

  // Bytes to send per chunk at `now`: about 10 ms of the current rate, so pacing stays smooth at
  // high rates without a syscall per packet at low ones (clamped to 1.5 KB .. 64 KB).
  std::size_t chunk_bytes(Clock::time_point now) const;

  bool shaped() const { return cursor_.has_value(); }
  // Trace time of `now` (zero before the trace has started).
  std::chrono::microseconds trace_time(Clock::time_point now) const;

 private:
  std::chrono::microseconds trace_time_locked(Clock::time_point now) const;

  const std::optional<abr::TraceCursor> cursor_;
  const std::chrono::milliseconds added_latency_;
  mutable std::mutex mutex_;
  std::optional<Clock::time_point> epoch_;  // GUARDED_BY(mutex_): trace time 0
  Clock::time_point busy_until_{};          // GUARDED_BY(mutex_): the link is busy until then
};

}  // namespace abrplay::origin
