#include "abrplay/player/engine/load_control.h"

namespace abrplay::engine {

const char* validate(const LoadControlParams& p) {
  if (p.startup_buffer <= MediaTime{0}) return "startup_buffer must be positive";
  if (p.rebuffer_buffer <= MediaTime{0}) return "rebuffer_buffer must be positive";
  if (p.min_buffer > p.max_buffer) return "min_buffer must not exceed max_buffer";
  if (p.startup_buffer > p.max_buffer) return "startup_buffer must not exceed max_buffer";
  if (p.rebuffer_buffer > p.max_buffer) return "rebuffer_buffer must not exceed max_buffer";
  return "";
}

bool should_load(const LoadControlParams& p, const LoadInput& in) {
  if (in.buffer_ahead >= p.max_buffer) return false;  // the high mark ends a burst
  if (in.loading) return true;                        // inside a burst: continue to the high mark
  return in.buffer_ahead < p.min_buffer;              // resting: start again below the low mark
}

bool ready_to_play(const LoadControlParams& p, const PlayInput& in) {
  if (in.buffered_to_end) return true;
  return in.buffer_ahead >= (in.after_stall ? p.rebuffer_buffer : p.startup_buffer);
}

}  // namespace abrplay::engine
