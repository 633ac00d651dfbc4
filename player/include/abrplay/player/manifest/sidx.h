// abrplay/player/manifest/sidx.h: the ISO BMFF Segment Index box (ISO/IEC 14496-12 8.16.3).
//
// SegmentBase@indexRange points at a sidx box; its references give each subsegment's byte size and
// duration. The parser is bounds-checked on every read, accepts version 0 (32-bit) and 1 (64-bit)
// fields, and checks every sum for overflow. Hierarchical indexes (reference_type 1, a sidx that
// points at more sidx boxes) are reported as kManifestUnsupported. Pure; any thread.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "abrplay/core/expected.h"
#include "abrplay/player/error.h"

namespace abrplay::manifest {

struct SidxEntry {
  uint64_t offset = 0;    // absolute byte offset of the subsegment in the resource
  uint64_t size = 0;      // bytes
  uint64_t time = 0;      // earliest presentation time, in `timescale` ticks
  uint64_t duration = 0;  // ticks
};

struct SegmentIndexBox {
  uint32_t timescale = 0;
  std::vector<SidxEntry> entries;
};

// `bytes` are the resource's bytes starting at absolute offset `bytes_offset` (the first byte of
// indexRange). Boxes before the sidx (e.g. styp) are skipped. Errors name the byte offset.
Expected<SegmentIndexBox, Error> parse_sidx(std::span<const uint8_t> bytes, uint64_t bytes_offset);

}  // namespace abrplay::manifest
