// player/engine/cmaf_chunks.h: finding the complete CMAF chunks in a segment that is still arriving
// (low-latency live, chunked transfer), so each can be buffered and decoded before the segment ends.
//
// A CMAF chunk is one moof + mdat pair, with whatever top-level boxes come before the moof (styp,
// sidx, prft, emsg): a chunk ends with each top-level mdat. Init + one chunk is a complete fragmented
// MP4 that the media pipeline demuxes on its own. The chunk's place on the media timeline comes from
// its first track fragment: tfdt (baseMediaDecodeTime) and the sum of its trun sample durations (or
// the tfhd / trex default duration times the sample count), in the timescale of the init's mdhd.
// Pure functions over bytes; no allocation beyond the result.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "abrplay/core/expected.h"

namespace abrplay::engine::detail {

struct CmafChunk {
  std::size_t end = 0;                       // byte offset just past the chunk's mdat
  std::optional<std::uint64_t> decode_time;  // tfdt of its first track fragment, in media ticks
  std::optional<std::uint64_t> duration;     // its samples' total duration, in media ticks
};

// The chunks that are complete in `bytes` starting at offset `from` (a chunk boundary), in order; a
// box still arriving ends the scan. `default_duration` (the init's trex) times a trun's sample count
// stands in when neither the trun nor the tfhd gives durations. An error names the box and byte
// offset that cannot be right (a size below its header); the caller then waits for the whole
// segment instead.
Expected<std::vector<CmafChunk>, std::string> complete_chunks(std::span<const std::uint8_t> bytes, std::size_t from,
                                                              std::uint32_t default_duration = 0);

// The init segment's media timescale (moov/trak/mdia/mdhd) and default sample duration
// (moov/mvex/trex), for the chunks' times; nullopt timescale when absent or 0.
struct InitTiming {
  std::optional<std::uint32_t> timescale;
  std::uint32_t default_sample_duration = 0;
};
InitTiming init_timing(std::span<const std::uint8_t> init);

}  // namespace abrplay::engine::detail
