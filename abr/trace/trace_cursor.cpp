#include "abrplay/abr/trace/trace_cursor.h"

#include <algorithm>
#include <cassert>
#include <cmath>

namespace abrplay::abr {

using std::chrono::microseconds;

namespace {
double to_s(microseconds t) { return static_cast<double>(t.count()) / 1e6; }
microseconds to_us(double s) { return microseconds(std::llround(s * 1e6)); }
}  // namespace

TraceCursor::TraceCursor(const Trace& trace) {
  double t = 0;
  double bytes = 0;
  for (const TraceSegment& s : trace.segments) {
    start_s_.push_back(t);
    start_bytes_.push_back(bytes);
    rate_Bps_.push_back(s.bandwidth_kbps * 1000.0 / 8.0);
    latency_.push_back(s.latency);
    t += to_s(s.duration);
    bytes += rate_Bps_.back() * to_s(s.duration);
    end_bytes_.push_back(bytes);
  }
  period_s_ = t;
  period_bytes_ = bytes;
  assert(period_s_ > 0 && period_bytes_ > 0 && "TraceCursor needs a validated trace");
}

std::size_t TraceCursor::segment_at(double t_in_loop_s) const {
  const auto it = std::upper_bound(start_s_.begin(), start_s_.end(), t_in_loop_s);
  return static_cast<std::size_t>(std::max<std::ptrdiff_t>(it - start_s_.begin() - 1, 0));
}

double TraceCursor::bytes_in_loop(double t_s) const {
  if (t_s >= period_s_) return period_bytes_;
  const std::size_t i = segment_at(t_s);
  return start_bytes_[i] + rate_Bps_[i] * (t_s - start_s_[i]);
}

double TraceCursor::bytes_between_s(double t0_s, double t1_s) const {
  if (t1_s <= t0_s) return 0;
  // Cumulative bytes from 0 to t over the looping trace.
  const auto cumulative = [this](double t) {
    const double loops = std::floor(t / period_s_);
    return loops * period_bytes_ + bytes_in_loop(t - loops * period_s_);
  };
  return std::max(0.0, cumulative(t1_s) - cumulative(t0_s));
}

double TraceCursor::time_to_deliver_s(double bytes, double start_s) const {
  if (bytes <= 0) return 0;
  const double start_loops = std::floor(start_s / period_s_);
  const double start_in_loop = start_s - start_loops * period_s_;
  // Target cumulative byte count, measured from the start of start's loop.
  double target = bytes_in_loop(start_in_loop) + bytes;
  double whole_loops = std::floor(target / period_bytes_);
  target -= whole_loops * period_bytes_;
  if (target <= 0 && whole_loops > 0) {  // exactly at a loop boundary: finish at the earlier loop's end
    whole_loops -= 1;
    target += period_bytes_;
  }
  // The first segment whose end reaches `target` (end bytes are non-decreasing); it has a positive
  // rate unless target is 0.
  const auto it = std::lower_bound(end_bytes_.begin(), end_bytes_.end(), target);
  const std::size_t i = std::min<std::size_t>(static_cast<std::size_t>(it - end_bytes_.begin()), end_bytes_.size() - 1);
  const double end_in_loop = rate_Bps_[i] > 0 ? start_s_[i] + (target - start_bytes_[i]) / rate_Bps_[i] : start_s_[i];
  const double end_s = (start_loops + whole_loops) * period_s_ + end_in_loop;
  return std::max(0.0, end_s - start_s);
}

microseconds TraceCursor::time_to_deliver(double bytes, microseconds start) const {
  return to_us(time_to_deliver_s(bytes, to_s(start)));
}

double TraceCursor::bytes_between(microseconds t0, microseconds t1) const {
  return bytes_between_s(to_s(t0), to_s(t1));
}

double TraceCursor::bandwidth_kbps_at(microseconds t) const {
  const double s = to_s(t);
  const double in_loop = s - std::floor(s / period_s_) * period_s_;
  return rate_Bps_[segment_at(in_loop)] * 8.0 / 1000.0;
}

microseconds TraceCursor::latency_at(microseconds t) const {
  const double s = to_s(t);
  return latency_[segment_at(s - std::floor(s / period_s_) * period_s_)];
}

double paced_chunk_bytes(double kbps) {
  constexpr double kChunkSeconds = 0.010;
  constexpr double kMinBytes = 1500;       // one Ethernet packet
  constexpr double kMaxBytes = 64 * 1024;  // bounds the burst a reader sees at once
  return std::clamp(kbps * 1000.0 / 8.0 * kChunkSeconds, kMinBytes, kMaxBytes);
}

}  // namespace abrplay::abr
