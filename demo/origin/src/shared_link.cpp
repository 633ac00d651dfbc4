#include "shared_link.h"

#include <algorithm>

namespace abrplay::origin {

namespace {
std::optional<abr::TraceCursor> make_cursor(const std::optional<abr::Trace>& trace) {
  if (!trace) return std::nullopt;
  return abr::TraceCursor(*trace);
}
}  // namespace

SharedLink::SharedLink(LinkParams params, Clock::time_point server_start)
    : cursor_(make_cursor(params.trace)), added_latency_(params.added_latency) {
  if (!params.start_at_first_request) epoch_ = server_start;
}

std::chrono::microseconds SharedLink::trace_time_locked(Clock::time_point now) const {
  if (!epoch_ || now < *epoch_) return std::chrono::microseconds(0);
  return std::chrono::duration_cast<std::chrono::microseconds>(now - *epoch_);
}

std::chrono::microseconds SharedLink::trace_time(Clock::time_point now) const {
  std::lock_guard lock(mutex_);
  return trace_time_locked(now);
}

SharedLink::Clock::duration SharedLink::on_request(Clock::time_point now) {
  std::lock_guard lock(mutex_);
  if (!epoch_) epoch_ = now;
  Clock::duration latency = added_latency_;
  if (cursor_) latency += cursor_->latency_at(trace_time_locked(now));
  return latency;
}

SharedLink::Clock::time_point SharedLink::reserve(std::size_t bytes, Clock::time_point ready) {
  if (!cursor_) return ready;
  std::lock_guard lock(mutex_);
  if (!epoch_) epoch_ = ready;
  const Clock::time_point start = std::max(ready, busy_until_);
  const auto needed = cursor_->time_to_deliver(static_cast<double>(bytes), trace_time_locked(start));
  busy_until_ = start + needed;
  return busy_until_;
}

std::size_t SharedLink::chunk_bytes(Clock::time_point now) const {
  if (!cursor_) return 64 * 1024;
  return static_cast<std::size_t>(abr::paced_chunk_bytes(cursor_->bandwidth_kbps_at(trace_time(now))));
}

}  // namespace abrplay::origin
