// SegmentIndex queries: positions, times, availability and URLs (see segment_index.h).
// Construction is in segment_index_create.cpp.
#include "abrplay/player/manifest/segment_index.h"

#include <algorithm>
#include <limits>

#include "abrplay/net/url.h"

namespace abrplay::manifest {
namespace {

constexpr uint64_t kU64Max = std::numeric_limits<uint64_t>::max();

// (time - pto) / timescale, signed: segments may start before presentationTimeOffset.
MediaTime relative_time(uint64_t time, uint64_t pto, uint32_t timescale) {
  return time >= pto ? ticks_to_duration(time - pto, timescale) : -ticks_to_duration(pto - time, timescale);
}

uint64_t add_saturating(uint64_t a, uint64_t b) { return a > kU64Max - b ? kU64Max : a + b; }

}  // namespace

uint64_t SegmentIndex::open_limit() const {
  // An open live run is computed from the clock, never enumerated, so it is bounded only by 64-bit
  // ticks (checked in run_for_position): a channel with availabilityStartTime 1970 and 2 s segments
  // is at position ~900 million, far above max_segments_per_representation.
  if (runs_.empty()) return 0;
  return kU64Max - runs_.back().first_position;
}

const SegmentIndex::Run* SegmentIndex::run_for_position(uint64_t position) const {
  auto it = std::upper_bound(runs_.begin(), runs_.end(), position,
                             [](uint64_t p, const Run& r) { return p < r.first_position; });
  if (it == runs_.begin()) return nullptr;
  const Run& run = *std::prev(it);
  bool last_open = last_run_open_ && &run == &runs_.back();
  uint64_t count = last_open ? open_limit() : run.count;
  if (position - run.first_position >= count) return nullptr;
  if (last_open) {  // the tick of this position must still fit in 64 bits
    uint64_t k = position - run.first_position;
    if (k > (kU64Max - run.t - run.d) / run.d) return nullptr;
  }
  return &run;
}

std::optional<uint64_t> SegmentIndex::count() const {
  if (runs_.empty() || last_run_open_) return std::nullopt;
  return runs_.back().first_position + runs_.back().count;
}

std::optional<MediaTime> SegmentIndex::total_duration() const {
  if (!count()) return std::nullopt;
  uint64_t ticks = 0;
  for (const Run& r : runs_) ticks = add_saturating(ticks, r.d * r.count);  // validated at create
  return ticks_to_duration(ticks, timescale_);
}

std::optional<Segment> SegmentIndex::segment(uint64_t position, std::size_t base) const {
  if (base >= base_urls_.size()) return std::nullopt;
  const Run* run = run_for_position(position);
  if (!run) return std::nullopt;
  uint64_t k = position - run->first_position;
  Segment s;
  s.position = position;
  s.number = add_saturating(run->first_number, k);
  s.time = run->t + k * run->d;
  s.duration_ticks = run->d;
  s.start = period_start_ + relative_time(s.time, pto_, timescale_);
  s.duration = ticks_to_duration(run->d, timescale_);
  switch (addressing_) {
    case Addressing::kTemplateTimeline:
    case Addressing::kTemplateDuration:
      s.url = media_templates_[base].expand({representation_id_, s.number, s.time, bandwidth_});
      break;
    case Addressing::kListTimeline:
    case Addressing::kListDuration: {
      const UrlAndRange& u = list_urls_[position];
      auto resolved = net::resolve_reference(base_urls_[base], u.url);
      s.url = resolved ? *resolved : u.url;  // every list URL was checked at create()
      s.range = u.range;
      break;
    }
    case Addressing::kBaseIndexed:
      s.url = base_urls_[base];
      s.range = index_ranges_[position];
      break;
    case Addressing::kSingle: s.url = base_urls_[base]; break;
  }
  return s;
}

std::optional<Segment> SegmentIndex::segment_at(MediaTime t, std::size_t base) const {
  if (runs_.empty()) return std::nullopt;
  MediaTime rel = t - period_start_;
  uint64_t tick = add_saturating(pto_, rel.count() > 0 ? duration_to_ticks(rel, timescale_) : 0);
  auto it = std::upper_bound(runs_.begin(), runs_.end(), tick, [](uint64_t x, const Run& r) { return x < r.t; });
  if (it == runs_.begin()) return segment(0, base);
  const Run& run = *std::prev(it);
  bool last_open = last_run_open_ && &run == &runs_.back();
  uint64_t count = last_open ? open_limit() : run.count;
  uint64_t k = (tick - run.t) / run.d;
  return segment(run.first_position + std::min(k, count), base);
}

std::optional<Segment> SegmentIndex::next(const Segment& s, std::size_t base) const {
  return segment(s.position + 1, base);
}

std::optional<uint64_t> SegmentIndex::last_position_ending_by(uint64_t tick) const {
  auto it = std::upper_bound(runs_.begin(), runs_.end(), tick, [](uint64_t x, const Run& r) { return x < r.t; });
  if (it == runs_.begin()) return std::nullopt;
  const Run& run = *std::prev(it);
  bool last_open = last_run_open_ && &run == &runs_.back();
  uint64_t complete = (tick - run.t) / run.d;
  complete = std::min(complete, last_open ? open_limit() : run.count);
  if (complete == 0) {
    if (run.first_position == 0) return std::nullopt;
    return run.first_position - 1;
  }
  return run.first_position + complete - 1;
}

std::optional<uint64_t> SegmentIndex::first_position_ending_after(uint64_t tick) const {
  auto run_end = [&](const Run& r) {
    if (last_run_open_ && &r == &runs_.back()) return kU64Max;
    return r.t + r.d * r.count;
  };
  // Runs are in time order and do not overlap, so their ends are sorted too.
  auto it = std::partition_point(runs_.begin(), runs_.end(), [&](const Run& r) { return run_end(r) < tick; });
  if (it == runs_.end()) return std::nullopt;
  const Run& run = *it;
  if (tick <= run.t + run.d) return run.first_position;
  return run.first_position + (tick - run.t - 1) / run.d;
}

std::optional<PositionRange> SegmentIndex::available(WallTime now) const {
  if (runs_.empty()) return std::nullopt;
  if (!dynamic_) {
    uint64_t n = *count();
    if (n == 0) return std::nullopt;
    return PositionRange{0, n - 1};
  }
  if (!period_available_from_) return std::nullopt;
  MediaTime elapsed = now - *period_available_from_;
  MediaTime edge = elapsed + availability_offset_;
  if (edge.count() <= 0) return std::nullopt;
  std::optional<uint64_t> last = last_position_ending_by(add_saturating(pto_, duration_to_ticks(edge, timescale_)));
  if (!last) return std::nullopt;
  if (auto n = count(); n && *last >= *n) last = *n - 1;
  uint64_t first = 0;
  if (time_shift_buffer_depth_) {
    MediaTime window_start = elapsed - *time_shift_buffer_depth_;
    uint64_t tick = add_saturating(pto_, duration_to_ticks(window_start, timescale_));
    std::optional<uint64_t> f = first_position_ending_after(tick);
    if (!f) return std::nullopt;
    first = *f;
  }
  if (first > *last) return std::nullopt;
  return PositionRange{first, *last};
}

}  // namespace abrplay::manifest
