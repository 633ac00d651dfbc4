// abrplay/abr/sim/video.h: the video a simulation plays: a bitrate ladder and each segment's size.
#pragma once

#include <cstdint>
#include <vector>

#include "abrplay/abr/algorithm/abr_algorithm.h"

namespace abrplay::abr {

struct Video {
  std::vector<double> bitrates_kbps;                  // ascending
  std::vector<std::vector<std::int64_t>> segment_bytes;  // [representation][segment]; may hold spares
  Seconds segment_duration{4};
  std::size_t segment_count = 0;  // segments played (segment_bytes rows hold at least this many)

  // The ladder as the algorithms see it; the spans point into this Video.
  std::vector<Representation> ladder() const;

  // Every segment exactly bitrate × duration (a CBR encode).
  static Video constant_bitrate(std::vector<double> bitrates_kbps, Seconds segment_duration,
                                std::size_t segment_count);
};

// Pensieve's video (the "envivio" clip): 6 levels, 48 segments of 4 s. Sizes come from its
// video_size_Q files (see abrplay/abr/traceio/load_trace.h: load_video_sizes).
inline const std::vector<double> kPensieveLadderKbps = {300, 750, 1200, 1850, 2850, 4300};
inline constexpr std::size_t kPensieveSegmentCount = 48;

}  // namespace abrplay::abr
