// libFuzzer target: the ISO BMFF sidx parser (sidx.h) on arbitrary bytes, at a small and at a huge
// absolute offset (the offset is added to every entry, so the second call drives the 64-bit overflow
// checks). On success the result must be self-consistent: entries contiguous in bytes and in time,
// no size or duration 0, no wrapped sums. Then the input is a whole file whose indexRange starts at
// byte 0: SegmentIndex::load_index follows its chained and hierarchical sidx references, each
// request answered from the input as a server would (a short or empty body past its end), until the
// index is complete or refused; the number of requests must stay within the chain limits (a probe
// and a refetch per box) and a complete index must be in time order. Built only with -DABRPLAY_FUZZ=ON and clang; seeds are
// written by tests/fuzz/run-fuzzers (styp + sidx version 0 and 1 boxes, hierarchies, daisy chains,
// loops).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <span>

#include "abrplay/player/manifest/parser.h"
#include "abrplay/player/manifest/segment_index.h"
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

// A SegmentBase representation whose indexRange is bytes 0..4095 (a shorter input answers with
// fewer bytes, as a server does at the end of a file). Parsed once: each input copies it.
SegmentIndex make_base(const ParseLimits& limits) {
  ParseOptions opt;
  opt.document_url = "https://fuzz.example/manifest.mpd";
  opt.limits = limits;
  auto mpd = parse_mpd(
      R"(<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="static" mediaPresentationDuration="PT10S">)"
      R"(<Period><AdaptationSet mimeType="video/mp4"><Representation id="v" bandwidth="1000" codecs="avc1.64001f">)"
      R"(<BaseURL>v.mp4</BaseURL><SegmentBase indexRange="0-4095"/></Representation></AdaptationSet></Period></MPD>)",
      opt);
  if (!mpd) std::abort();
  auto ix = SegmentIndex::create(*mpd, 0, 0, 0, limits);
  if (!ix) std::abort();
  return std::move(*ix);
}

// The input as a SegmentBase file: load_index follows its sidx chain, each request answered from it.
void walk(std::span<const uint8_t> file) {
  static const ParseLimits limits = [] {
    ParseLimits l;
    l.sidx_chain.max_boxes = 64;  // keeps each run fast; the bound is what is checked
    return l;
  }();
  static const SegmentIndex base = make_base(limits);
  SegmentIndex ix = base;
  std::size_t requests = 0;
  while (ix.needs_index()) {
    if (++requests > 2 * (limits.sidx_chain.max_boxes + 1)) std::abort();  // probe + refetch per box
    const auto& range = ix.index_request()->range;
    if (!range || range->last < range->first) std::abort();
    const uint64_t first = std::min<uint64_t>(range->first, file.size());
    const uint64_t end = std::min<uint64_t>(range->last + 1, file.size());
    auto part = file.subspan(first, end - first);
    if (!ix.load_index(part)) return;
  }
  const auto n = ix.count();
  if (!n) std::abort();
  for (uint64_t k = 0; k < *n && k < 1000; ++k) {
    auto s = ix.segment(k);
    if (!s || !s->range || (k > 0 && s->start < ix.segment(k - 1)->start)) std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  const std::span<const uint8_t> bytes(data, size);
  for (uint64_t offset : {uint64_t{0}, uint64_t{4096}, std::numeric_limits<uint64_t>::max() - 65536}) {
    auto box = parse_sidx(bytes, offset);
    if (box) check(*box, offset, size);
  }
  if (!bytes.empty()) walk(bytes);
  return 0;
}
