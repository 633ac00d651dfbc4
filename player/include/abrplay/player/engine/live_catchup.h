// abrplay/player/engine/live_catchup.h: the playback rate that holds a live session at its target
// latency (low-latency live). A pure policy fed values; the engine asks it at every position report.
//
//   latency = (live now - availabilityStartTime) - playback position
//   beyond max_latency             seek to the live edge (target behind it)
//   within dead_band of the target 1.0 (250 ms, see below)
//   else                           1 + s x (max_rate - 1) ahead of target, 1 + s x (1 - min_rate)
//                                  behind, with s = 2 / (1 + e^(-5 x (latency - target) in s)) - 1,
//                                  dash.js's default catch-up curve: gentle near the target, the
//                                  bound a second or more away
//   buffer under min_buffer        no speeding up (it would stall)
// The dead band is 250 ms: a rate other than 1.0 puts the audio through the time-stretch filter, and
// entering it at the live edge, with a buffer of a chunk or less, made underruns (stalls) in the
// low-latency benchmark; small corrections are not worth that. For the same reason there is no
// slowing down on a short buffer (LoL+'s safeguard): with 1 s chunks the buffer is short between
// every two of them.
// The rate is quantised to 0.01, so small wobbles of the latency do not retune the audio.
#pragma once

#include <chrono>

#include "abrplay/core/units.h"

namespace abrplay::engine {

struct CatchupParams {
  MediaTime target{std::chrono::seconds(3)};
  MediaTime max_latency{std::chrono::seconds(6)};
  double min_rate = 0.9;
  double max_rate = 1.1;
  MediaTime dead_band{std::chrono::milliseconds(250)};
  MediaTime min_buffer{std::chrono::milliseconds(500)};
};

struct CatchupDecision {
  double rate = 1.0;
  bool seek_to_edge = false;
};

CatchupDecision decide_catchup(MediaTime latency, MediaTime buffer_ahead, const CatchupParams& params);

}  // namespace abrplay::engine
