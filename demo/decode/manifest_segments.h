// demo/decode/manifest_segments.h: a manifest folder on disk -> the MediaSegments of one
// representation, read into memory (so the benchmark measures the pipeline, not the disk).
// Uses the player's MPD parser and segment index: $Number$, SegmentTimeline and SegmentBase (sidx).
#pragma once

#include <string>
#include <vector>

#include "abrplay/core/expected.h"
#include "abrplay/player/error.h"
#include "abrplay/player/media/segment_feed.h"

namespace abrplay::decode_bench {

struct RepresentationSegments {
  std::string id;
  std::string content_type;  // "video" or "audio"
  int stream_index = 0;      // among the manifest's representations of that type, in MPD order
  std::vector<media::MediaSegment> segments;
};

// `content_type` "video" or "audio"; empty `rep_id` picks the first representation of that type.
// With `read_media` false only the id and stream index are filled (no segment is read).
Expected<RepresentationSegments, Error> load_representation(const std::string& manifest_path,
                                                            const std::string& content_type, const std::string& rep_id,
                                                            bool read_media = true);

}  // namespace abrplay::decode_bench
