// abrplay/player/manifest/parser.h: MPD text -> Mpd model, with bounded resources.
//
// parse_mpd never throws, never crashes on any input and never uses memory beyond a small multiple
// of the input size. The first problem found ends the parse with an Error whose message names the
// place: "line 3, column 7 (byte 88): ..." for XML errors, an element path such as
// "MPD/Period[0]/AdaptationSet[1]/Representation[2]@bandwidth" for DASH errors.
// ContentProtection and unknown EssentialProperty schemes are recorded, not refused: refusing is
// make_playable's job (playable.h), so tools can report what a manifest contains.
// Thread safety: pure function; any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "abrplay/core/expected.h"
#include "abrplay/player/error.h"
#include "abrplay/player/manifest/model.h"
#include "abrplay/player/manifest/sidx.h"

namespace abrplay::manifest {

// Documented limits (docs/manifest.md). Each one is hit with kManifestLimitExceeded.
struct ParseLimits {
  // Real MPDs are kilobytes; the largest public ones (long SegmentTimeline/SegmentList VOD) a few
  // MiB. 64 MiB leaves room while bounding the DOM (pugixml uses ~3x the text).
  std::size_t max_bytes = 64u * 1024 * 1024;
  // MPD/Period/AdaptationSet/Representation/SegmentTemplate/SegmentTimeline/S is 7 deep; extension
  // elements add a few. 64 stops pathological nesting long before any stack matters.
  std::size_t max_depth = 64;
  // Segments one representation may address in one closed period (timeline r expansion, @duration
  // over a known period). 100 million is three years of 1 s segments; beyond that it is an error or
  // an attack. Segments are never materialised: SegmentIndex computes them on demand. Open live
  // timelines are not counted against it (they follow the clock; see segment_index.h).
  uint64_t max_segments_per_representation = 100'000'000;
  // Following chained and hierarchical sidx boxes (SegmentIndex::load_index).
  SidxChainLimits sidx_chain;
};

struct ParseOptions {
  // The MPD's own URL (http://, https:// or file://). Relative BaseURLs and templates resolve
  // against it (RFC 3986). Empty: relative references are left as written.
  std::string document_url;
  ParseLimits limits;
};

Expected<Mpd, Error> parse_mpd(std::string_view xml, const ParseOptions& options = {});

}  // namespace abrplay::manifest
