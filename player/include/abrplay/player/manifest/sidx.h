// abrplay/player/manifest/sidx.h: the ISO BMFF Segment Index box (ISO/IEC 14496-12 8.16.3).
//
// SegmentBase@indexRange points at a sidx box; its references give each subsegment's byte size and
// duration. The parser is bounds-checked on every read, accepts version 0 (32-bit) and 1 (64-bit)
// fields, and checks every sum for overflow. A reference of reference_type 1 points at another sidx
// box (a hierarchical index, or the next link of a daisy chain); parse_sidx reports it as an entry
// with is_index set, and SegmentIndex::load_index follows it (see segment_index.h). Pure; any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "abrplay/core/expected.h"
#include "abrplay/player/error.h"

namespace abrplay::manifest {

struct SidxEntry {
  uint64_t offset = 0;    // absolute byte offset of the subsegment in the resource
  uint64_t size = 0;      // bytes
  uint64_t time = 0;      // earliest presentation time, in `timescale` ticks
  uint64_t duration = 0;  // ticks
  // reference_type 1: the referenced bytes start with another sidx box, which indexes the rest of
  // them (`size` covers that box and its subsegments), instead of being one subsegment.
  bool is_index = false;
};

struct SegmentIndexBox {
  uint64_t box_offset = 0;  // absolute byte offset of the sidx box itself
  uint64_t box_size = 0;    // bytes, header included
  uint32_t timescale = 0;
  std::vector<SidxEntry> entries;
};

// The bounds of following sidx references (SegmentIndex::load_index). Real files have one level
// (one global sidx), sometimes two (a top sidx over per-segment ones); daisy chains have one box
// per fragment or per few.
struct SidxChainLimits {
  // Levels of hierarchy below the top box. A daisy chain's next link (the last reference of a box)
  // stays on its box's level, so a chain's length is bounded by max_boxes instead.
  std::size_t max_depth = 8;
  // sidx boxes read, the top one included: one request each. 4096 covers a daisy chain with one
  // box per 2 s fragment of a 2-hour film (3600 boxes).
  std::size_t max_boxes = 4096;
  // Bytes of sidx boxes read: a box of 65535 references is 768 KiB; a 3-hour film of 2 s
  // fragments needs 65 KiB. 16 MiB bounds memory at ~1.4 million entries.
  uint64_t max_bytes = 16u * 1024 * 1024;
  // A referenced sidx box's size is unknown until its header arrives: the first request for it
  // asks for this many bytes (or the referenced size, if smaller), enough for 336 references,
  // and a larger box is asked for again by its exact size.
  uint64_t probe_bytes = 4096;
};

// An ISO BMFF box header: the type as four characters packed big-endian, the size in bytes
// (header included; a size 0 box, "to the end of the file", is reported as 0).
struct BoxHeader {
  uint32_t type = 0;
  uint64_t size = 0;
  std::size_t header_size = 0;
};
inline constexpr uint32_t kSidxBoxType = 0x73696478u;  // 'sidx'
// The header at the start of `bytes`; empty when `bytes` are too short to hold it.
std::optional<BoxHeader> read_box_header(std::span<const uint8_t> bytes);
// The type as text for messages ("moof"; unprintable bytes as '?').
std::string box_type_name(uint32_t type);

// `bytes` are the resource's bytes starting at absolute offset `bytes_offset` (the first byte of
// indexRange). Boxes before the sidx (e.g. styp) are skipped. Errors name the byte offset.
Expected<SegmentIndexBox, Error> parse_sidx(std::span<const uint8_t> bytes, uint64_t bytes_offset);

}  // namespace abrplay::manifest
