// abrplay/player/engine/load_control.h: when to load and when to play: buffer hysteresis as named
// parameters (the habit of ExoPlayer's DefaultLoadControl). A pure policy: values in, values out.
//
// Loading: a track loads while its buffer ahead is below `max_buffer`; once it got there it rests
// until the buffer drains below `min_buffer`, then loads again up to `max_buffer`. The gap between
// the two marks turns loading into bursts: the connection idles between them, and each burst gives
// the throughput estimator several back-to-back samples instead of one lonely one.
//
// Playback: starts when every track holds `startup_buffer` ahead (or everything up to the end of
// the presentation), and resumes after a stall when it holds `rebuffer_buffer`.
//
// Defaults, against the anchors (dash.js stableBufferTime 12 s / bufferTimeAtTopQuality 30 s /
// bufferTimeAtTopQualityLongForm 60 s; Shaka bufferingGoal 10 s; ExoPlayer min 50 s max 50 s):
//   min_buffer 40 s, max_buffer 50 s: ExoPlayer's 50 s, with a 10 s gap for bursts. Measured in the
//     ABR lab on 192 s sessions (docs/abr.md, "The buffer the engine keeps"): every algorithm but
//     BB gains (ScenarioMPC's mean QoE_lin 28.2 with 12 s / 20 s, 34.1 with 20 s / 30 s, 36.1 with
//     40 s / 50 s on pensieve_train; BOLA-E's and Dynamic's double), because an algorithm can only
//     spend a reserve the load control lets it build; the gain flattens beyond 50 s. The cost: up
//     to 50 s of media fetched that a viewer who leaves early never sees, and memory (50 s of
//     4.3 Mbit/s is 27 MB; at higher rates the byte cap, BufferLimits::max_bytes, ends a burst
//     before the time does).
//   startup_buffer 3.5 s: one 4 s segment, or two 2 s ones (0.5 s of slack for a segment a few
//     frames short). Shaka starts at 2 s, ExoPlayer at 2.5 s. One 2 s segment was measured too
//     thin in the ABR lab: the next one must arrive within 2 s, and with 2 s segments the default
//     stalled on most recorded traces (docs/abr.md, "Startup"); a 4 s segment already holds 4 s.
//   rebuffer_buffer 4 s: after a stall the network has proven itself weaker than hoped, so ask
//     for twice the startup amount (ExoPlayer 5 s, Shaka 2 s) to avoid a second stall at once.
#pragma once
#include <chrono>

#include "abrplay/core/time.h"

namespace abrplay::engine {

struct LoadControlParams {
  MediaTime min_buffer = std::chrono::seconds(40);
  MediaTime max_buffer = std::chrono::seconds(50);
  MediaTime startup_buffer = std::chrono::milliseconds(3500);
  MediaTime rebuffer_buffer = std::chrono::seconds(4);
};

// Empty when the parameters are consistent (0 < startup, rebuffer <= max; min <= max), else what is
// wrong, naming the parameter.
const char* validate(const LoadControlParams& params);

struct LoadInput {
  MediaTime buffer_ahead{0};
  bool loading = false;  // the track is currently in a loading burst
};

// True: load (another) segment now. False: rest until the buffer drains below min_buffer.
[[nodiscard]] bool should_load(const LoadControlParams& params, const LoadInput& input);

struct PlayInput {
  MediaTime buffer_ahead{0};     // the smallest over the playing tracks
  bool after_stall = false;      // false at startup and after a seek
  bool buffered_to_end = false;  // every track holds everything up to the end of the stream
};

[[nodiscard]] bool ready_to_play(const LoadControlParams& params, const PlayInput& input);

}  // namespace abrplay::engine
