// abrplay/player/manifest/segment_index.h: where each segment of one representation is, and when.
//
// A SegmentIndex is built for one Representation of one Period. It merges the SegmentBase,
// SegmentList or SegmentTemplate elements of the Period, AdaptationSet and Representation
// (attribute by attribute, the deepest level winning), resolves the BaseURL chain with
// net::resolve_reference, and answers addressing questions on demand. Segments are never
// materialised: a SegmentTimeline is kept as its runs (one per S element), a @duration template
// as one run, so an MPD with r="99999999" costs one run, and lookups are O(log runs). The number of
// segments a closed timeline or a static @duration template may address is bounded by
// ParseLimits::max_segments_per_representation; an open live run (trailing r=-1, or @duration
// without a period end) is bounded only by 64-bit ticks, since live channels commonly set
// availabilityStartTime years in the past.
//
// Addressing modes:
//   kTemplateTimeline  SegmentTemplate + SegmentTimeline ($Time$ or $Number$)
//   kTemplateDuration  SegmentTemplate@duration ($Number$)
//   kListTimeline      SegmentList + SegmentTimeline
//   kListDuration      SegmentList@duration (or a single SegmentURL)
//   kBaseIndexed       SegmentBase@indexRange: load_index() the sidx bytes until !needs_index()
//   kSingle            one segment: the BaseURL resource itself (SegmentBase without indexRange, or
//                      no segment information at all, e.g. a side-loaded subtitle file)
//
// Time: `Segment::time` is in the representation's timescale ticks, as $Time$ writes it; `start` is
// the presentation time on the MPD timeline (period start + (time - presentationTimeOffset) /
// timescale), so segments of consecutive periods line up.
//
// Live (dynamic MPDs): a trailing S@r="-1" or a @duration template in a period without a known end
// is open-ended: count() is then empty and available(now) gives the positions whose availability
// window (availabilityStartTime + period start + segment end - availabilityTimeOffset <= now, and
// segment end >= now - timeShiftBufferDepth) contains `now`. segment()/segment_at() extrapolate past
// the live edge; the streaming engine asks available() first.
//
// Thread safety: immutable after create(), except load_index(); call load_index() on the owning
// (player) thread before sharing the index.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "abrplay/core/expected.h"
#include "abrplay/player/error.h"
#include "abrplay/player/manifest/model.h"
#include "abrplay/player/manifest/parser.h"
#include "abrplay/player/manifest/segment_template.h"
#include "abrplay/player/manifest/sidx.h"

namespace abrplay::manifest {

struct Segment {
  uint64_t position = 0;  // 0-based within this representation and period
  uint64_t number = 0;    // $Number$: startNumber-based, or S@n-based
  uint64_t time = 0;      // $Time$: earliest presentation time in timescale ticks
  uint64_t duration_ticks = 0;
  MediaTime start{0};  // on the MPD timeline
  MediaTime duration{0};
  std::string url;                 // absolute when the MPD had a document URL
  std::optional<ByteRange> range;  // HTTP Range to request, if any
  MediaTime end() const { return start + duration; }
};

struct ResourceRef {
  std::string url;
  std::optional<ByteRange> range;
};

struct PositionRange {  // inclusive
  uint64_t first = 0;
  uint64_t last = 0;
  uint64_t size() const { return last - first + 1; }
};

namespace detail {

// SegmentIndex::load_index's depth-first walk over sidx references (segment_index_load.cpp). At
// namespace scope, not nested: clang cannot default-construct a nested class with member
// initializers inside std::optional members of the enclosing class.
struct SidxFrame {  // a sidx box being read
  uint64_t box_offset = 0;
  std::vector<SidxEntry> entries;
  std::size_t next = 0;   // the entry to read next
  std::size_t depth = 0;  // hierarchy level (the top box is 0)
};
struct SidxWalk {
  std::vector<SidxFrame> stack;        // the top box first
  std::vector<SidxEntry> leaves;       // subsegments found so far, in presentation order
  std::vector<uint64_t> boxes_read;    // offsets of the sidx boxes read, sorted (loops)
  uint64_t bytes_read = 0;             // of sidx boxes
  uint32_t timescale = 0;              // of the top box; every box must share it
  uint64_t want_bytes = 0;             // bytes requested for the next box (0: not yet asked)
  std::optional<ResourceRef> request;  // the next bytes to fetch; empty when complete
};

}  // namespace detail

class SegmentIndex {
 public:
  enum class Addressing { kTemplateTimeline, kTemplateDuration, kListTimeline, kListDuration, kBaseIndexed, kSingle };

  // Errors: kManifestMissingAttribute / kManifestInvalidValue / kManifestBadTemplate /
  // kManifestLimitExceeded, naming the segment element's path.
  static Expected<SegmentIndex, Error> create(const Mpd& mpd, std::size_t period, std::size_t adaptation_set,
                                              std::size_t representation, const ParseLimits& limits = {});

  Addressing addressing() const { return addressing_; }
  bool is_dynamic() const { return dynamic_; }
  uint32_t timescale() const { return timescale_; }

  // The initialization segment, if the representation has one.
  const std::optional<ResourceRef>& init() const { return init_; }

  // kBaseIndexed: the bytes to fetch next for the index. First the indexRange (or
  // RepresentationIndex) holding the top sidx box; then, while needs_index(), the byte range of
  // the next sidx box a reference of reference_type 1 points at (same URL), in presentation order.
  // needs_index() stays true until every sidx box of the hierarchy or chain has been read.
  const std::optional<ResourceRef>& index_request() const {
    return index_walk_ ? index_walk_->request : index_request_;
  }
  bool needs_index() const { return addressing_ == Addressing::kBaseIndexed && (runs_.empty() || index_walk_); }
  // `bytes` are the response to index_request() (they start at its range's first byte). One sidx
  // box (the common case: one request) completes the index. References of reference_type 1 are
  // followed: a hierarchy (a top sidx pointing at sidx boxes) and a daisy chain (a box whose last
  // reference points at the next box) both end as one index over the whole file. Referenced boxes
  // already inside `bytes` are read from them; for the others needs_index() stays true and
  // index_request() names the bytes to fetch and pass here next. Bounded by
  // ParseLimits::sidx_chain (depth, boxes, bytes); a reference back to a box already read is a
  // loop. Returns the number of segments indexed so far. Errors (the walk then starts over from
  // the top box): kManifestBadIndex for a truncated, inconsistent or looping box or one that is
  // not where a reference says, kManifestLimitExceeded past a limit, both naming the URL and
  // byte offset.
  Expected<uint64_t, Error> load_index(std::span<const uint8_t> bytes);

  // Resolved base URL alternatives, best first (dvb:priority, then document order); at most 16.
  const std::vector<std::string>& base_urls() const { return base_urls_; }
  // For each of base_urls(): the DVB priority and weight of the BaseURL that named its host (a
  // relative BaseURL below it keeps them), for CDN choice (net::HostSelector).
  const std::vector<BaseUrlHost>& base_url_hosts() const { return base_url_hosts_; }

  // Number of segments; empty when open-ended (live) or while needs_index().
  std::optional<uint64_t> count() const;
  // Sum of segment durations; empty when count() is.
  std::optional<MediaTime> total_duration() const;

  // The segment at `position`; `base` picks a base_urls() alternative (for CDN failover).
  std::optional<Segment> segment(uint64_t position, std::size_t base = 0) const;
  // The segment whose time span contains `t` (MPD timeline); the next one when `t` falls in a gap;
  // the first one when `t` is before it; empty after the last one.
  std::optional<Segment> segment_at(MediaTime t, std::size_t base = 0) const;
  std::optional<Segment> next(const Segment& s, std::size_t base = 0) const;

  // Low-latency live: the segments are served while they are produced (availabilityTimeComplete
  // false in a dynamic MPD), in CMAF chunks worth decoding as they arrive.
  bool chunked() const { return chunked_; }
  // availabilityTimeOffset (with the BaseURL's): how long before its end a segment may be requested.
  MediaTime availability_offset() const { return availability_offset_; }

  // Positions available at wall-clock `now`. Static: all segments. Dynamic: see the file comment;
  // empty when nothing is available yet (or any more), or without availabilityStartTime.
  std::optional<PositionRange> available(WallTime now) const;

 private:
  struct Run {  // `count` segments of `d` ticks starting at tick `t`
    uint64_t t = 0;
    uint64_t d = 0;
    uint64_t count = 0;
    uint64_t first_position = 0;
    uint64_t first_number = 0;
  };
  SegmentIndex() = default;
  friend class SegmentIndexBuilder;
  uint64_t open_limit() const;  // positions an open run may reach
  const Run* run_for_position(uint64_t position) const;
  std::optional<uint64_t> last_position_ending_by(uint64_t tick) const;
  std::optional<uint64_t> first_position_ending_after(uint64_t tick) const;

  Addressing addressing_ = Addressing::kSingle;
  bool dynamic_ = false;
  uint32_t timescale_ = 1;
  uint64_t pto_ = 0;
  MediaTime period_start_{0};
  std::optional<uint64_t> period_end_tick_;        // pto + period duration, when known
  std::optional<WallTime> period_available_from_;  // availabilityStartTime + period start
  MediaTime availability_offset_{0};
  bool chunked_ = false;
  std::optional<MediaTime> time_shift_buffer_depth_;
  std::optional<uint64_t> end_number_;
  uint64_t max_segments_ = 0;
  uint64_t first_number_ = 1;  // startNumber (kBaseIndexed numbering)
  std::vector<Run> runs_;
  bool last_run_open_ = false;
  std::vector<std::string> base_urls_;
  std::vector<BaseUrlHost> base_url_hosts_;
  std::vector<SegmentTemplate> media_templates_;  // one per base URL (kTemplate*)
  std::string representation_id_;
  DataRate bandwidth_;
  std::vector<UrlAndRange> list_urls_;   // kList*
  std::vector<ByteRange> index_ranges_;  // kBaseIndexed, per segment
  std::optional<ResourceRef> init_;
  std::optional<ResourceRef> index_request_;
  // While load_index() follows sidx references (segment_index_load.cpp).
  std::optional<detail::SidxWalk> index_walk_;
  SidxChainLimits sidx_limits_;
  std::optional<Error> add_index_box(SegmentIndexBox box, std::size_t depth);
  std::optional<Error> follow_index(std::span<const uint8_t> bytes, uint64_t offset);
  void finish_index();
  Error index_error(ErrorCode code, const std::string& what) const;
  std::string path_;
};

}  // namespace abrplay::manifest
