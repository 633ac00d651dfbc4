// demo/decode/realtime.h: the real-time half of the benchmark: play a video representation and
// the first audio representation of a manifest at 1x through the pipeline (SDL sinks, or null
// sinks following the wall clock), then the same streams with ffplay; report CPU time and peak RSS.
#pragma once

#include <string>

#include "manifest_segments.h"

namespace abrplay::decode_bench {

struct RealtimeOptions {
  std::string manifest;  // absolute path
  std::string ffplay = "ffplay";
  bool sdl = true;  // SDL window + SDL audio (as ffplay); false: null sinks on the wall clock
  int threads = 2;
};

struct FfplayResult {
  double wall_s = 0;
  double cpu_s = 0;
  long peak_rss_kb = 0;
  bool ok = false;
};

// Run first, while this process is still small: Linux counts the spawning process's RSS at exec in
// the child's ru_maxrss, so ffplay's peak reads too high if spawned after segments are loaded.
FfplayResult run_ffplay(const RealtimeOptions& options, int video_stream_index);

// Plays at 1x through the pipeline and prints both results.
int run_realtime(const RealtimeOptions& options, const RepresentationSegments& video,
                 const RepresentationSegments& audio, const FfplayResult& ffplay);

}  // namespace abrplay::decode_bench
