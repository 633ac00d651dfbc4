// abrplay/abr/sim/video.h: the video a simulation plays: a bitrate ladder and each segment's size.
#pragma once

#include <cstdint>
#include <vector>

#include "abrplay/abr/algorithm/abr_algorithm.h"

namespace abrplay::abr {

struct Video {
  std::vector<DataRate> bitrates;                        // ascending
  std::vector<std::vector<std::int64_t>> segment_bytes;  // [representation][segment]; may hold spares
  Seconds segment_duration{4};
  std::size_t segment_count = 0;  // segments played (segment_bytes rows hold at least this many)

  // The ladder as the algorithms see it; the spans point into this Video.
  std::vector<Representation> ladder() const;

  // Every segment exactly bitrate × duration (a CBR encode).
  static Video constant_bitrate(std::vector<DataRate> bitrates, Seconds segment_duration, std::size_t segment_count);
};

// Pensieve's video (the "envivio" clip): 6 levels, 48 segments of 4 s. Sizes come from its
// video_size_Q files (see abrplay/abr/traceio/load_trace.h: load_video_sizes).
inline const std::vector<DataRate> kPensieveLadder = {
    DataRate::kilobits_per_second(300),  DataRate::kilobits_per_second(750),  DataRate::kilobits_per_second(1200),
    DataRate::kilobits_per_second(1850), DataRate::kilobits_per_second(2850), DataRate::kilobits_per_second(4300)};
inline constexpr std::size_t kPensieveSegmentCount = 48;

}  // namespace abrplay::abr
