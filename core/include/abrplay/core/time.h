// abrplay/core/time.h: the project's time types, one definition each.
//
// Seconds: policy time in abr/. Buffer levels, download times and timestamps come from simulators and
//   players at sub-microsecond precision, and decisions compare them against thresholds (BBA's
//   reservoir, BOLA's switching levels), so they are doubles: rounding to integer ticks would move
//   decisions. abr/ never reads a clock; its timestamps are Seconds since an epoch the caller
//   chooses (a session's start, a trace's start).
// MediaTime: presentation time or a media duration (manifests, buffers, the playhead), exact
//   microseconds so that segment boundaries add up.
// SteadyTime: a point on the monotonic clock (timers, timeouts, throughput).
// WallTime: a point in UTC (live DASH's availability times, telemetry timestamps).
#pragma once

#include <chrono>

namespace abrplay {

using Seconds = std::chrono::duration<double>;
using MediaTime = std::chrono::microseconds;
using SteadyTime = std::chrono::steady_clock::time_point;
using WallTime = std::chrono::sys_time<std::chrono::microseconds>;

}  // namespace abrplay
