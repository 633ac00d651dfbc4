// abrplay/player/engine/live_catchup.h: the playback rate that holds a live session at its target
// latency (low-latency live). A pure policy fed values; the engine asks it at every position report.
//
//   latency = (live now - availabilityStartTime) - playback position
//   beyond max_latency             seek to the live edge (target behind it)
//   within dead_band of the target 1.0
//   else                           1 + s x (max_rate - 1) ahead of target, 1 + s x (1 - min_rate)
//                                  behind, with s = 2 / (1 + e^(-5 x (latency - target) in s)) - 1,
//                                  dash.js's default catch-up curve: gentle near the target, the
//                                  bound a second or more away
//   buffer under min_buffer        no speeding up (it would stall); under half of it, min_rate, so
//                                  the loader catches up (LoL+'s safeguard)
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
  MediaTime dead_band{std::chrono::milliseconds(50)};
  MediaTime min_buffer{std::chrono::milliseconds(500)};
};

struct CatchupDecision {
  double rate = 1.0;
  bool seek_to_edge = false;
};

CatchupDecision decide_catchup(MediaTime latency, MediaTime buffer_ahead, const CatchupParams& params);

}  // namespace abrplay::engine
