// abrplay/abr/units.h: the time type of ABR policy code.
//
// Policy inputs are durations in seconds held as doubles: buffer levels, download times and
// timestamps come from simulators and players at sub-microsecond precision, and decisions compare
// them against thresholds (BBA's reservoir, BOLA's switching levels), so rounding them to integer
// ticks would move decisions. Timestamps are Seconds since an epoch the caller chooses (a player's
// session start, a simulator's trace start): abr/ never reads a clock.
#pragma once

#include <chrono>

namespace abrplay::abr {

using Seconds = std::chrono::duration<double>;

}  // namespace abrplay::abr
