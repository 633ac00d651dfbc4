// libFuzzer target: the ISO BMFF sidx parser (sidx.h) on arbitrary bytes, at a small and at a huge
// absolute offset (the offset is added to every entry, so the second call drives the 64-bit overflow
// checks). On success the result must be self-consistent: entries contiguous in bytes and in time,
// no size or duration 0, no wrapped sums. Built only with -DABRPLAY_FUZZ=ON and clang; seeds are
// written by tests/fuzz/run-fuzzers (styp + sidx version 0 and 1 boxes).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <span>

#include "abrplay/player/manifest/sidx.h"

using namespace abrplay::manifest;

namespace {

void check(const SegmentIndexBox& box, uint64_t bytes_offset, std::size_t size) {
  if (box.timescale == 0 || box.entries.empty()) std::abort();
  // The first subsegment starts after the sidx box, which lies inside the bytes.
  if (box.entries.front().offset < bytes_offset) std::abort();
  for (std::size_t k = 0; k < box.entries.size(); ++k) {
    const SidxEntry& e = box.entries[k];
    if (e.size == 0 || e.duration == 0) std::abort();
    if (e.offset > std::numeric_limits<uint64_t>::max() - e.size) std::abort();
    if (e.time > std::numeric_limits<uint64_t>::max() - e.duration) std::abort();
    if (k > 0) {
      const SidxEntry& p = box.entries[k - 1];
      if (e.offset != p.offset + p.size || e.time != p.time + p.duration) std::abort();
    }
  }
  // Each reference takes 12 bytes of the box.
  if (box.entries.size() > size / 12) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  const std::span<const uint8_t> bytes(data, size);
  for (uint64_t offset : {uint64_t{0}, uint64_t{4096}, std::numeric_limits<uint64_t>::max() - 65536}) {
    auto box = parse_sidx(bytes, offset);
    if (box) check(*box, offset, size);
  }
  return 0;
}
