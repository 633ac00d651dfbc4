// SegmentIndex::create: merge segment information across levels, resolve base URLs, build runs.
#include <algorithm>
#include <limits>

#include "abrplay/net/url.h"
#include "abrplay/player/manifest/segment_index.h"
#include "inheritance.h"

namespace abrplay::manifest {
namespace {

constexpr uint64_t kMaxTick = std::numeric_limits<uint64_t>::max();

}  // namespace

class SegmentIndexBuilder {
 public:
  SegmentIndexBuilder(const Mpd& mpd, const Period& period, const AdaptationSet& as, const Representation& rep,
                      const ParseLimits& limits)
      : mpd_(mpd), period_(period), as_(as), rep_(rep), limits_(limits) {}

  Expected<SegmentIndex, Error> build();

 private:
  Error error(ErrorCode code, const std::string& where, const std::string& what) const {
    return Error{code, where + ": " + what};
  }
  std::optional<Error> resolve_bases();
  std::optional<Error> build_timeline(const std::vector<TimelineEntry>& entries);
  std::optional<Error> build_duration(uint64_t d);
  std::optional<Error> build_templates();
  std::optional<Error> check_values(const SegmentTemplate& t, const std::string& where) const;
  std::optional<Error> resolve_ref(const UrlAndRange& ref, std::optional<ResourceRef>& out, const std::string& where);
  void truncate(uint64_t max_positions);
  void apply_end_number();

  const Mpd& mpd_;
  const Period& period_;
  const AdaptationSet& as_;
  const Representation& rep_;
  const ParseLimits& limits_;
  SegmentIndex ix_;
  SegmentInfo info_;
  MediaTime base_url_offset_{0};
};

std::optional<Error> SegmentIndexBuilder::resolve_bases() {
  auto chain = detail::resolve_base_url_chain(mpd_, period_, as_, rep_);
  if (!chain) return chain.error();
  ix_.base_urls_ = std::move(chain->urls);
  ix_.base_url_hosts_ = std::move(chain->hosts);
  base_url_offset_ = chain->availability_offset;
  return std::nullopt;
}

std::optional<Error> SegmentIndexBuilder::build_timeline(const std::vector<TimelineEntry>& entries) {
  uint64_t position = 0;
  uint64_t next_t = 0;
  uint64_t next_number = info_.start_number.value_or(1);
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const TimelineEntry& e = entries[i];
    const std::string where = info_.path + "/SegmentTimeline/S[" + std::to_string(i) + "]";
    uint64_t t = e.t.value_or(next_t);
    if (!ix_.runs_.empty() && t < ix_.runs_.back().t)
      return error(ErrorCode::kManifestInvalidValue, where + "@t",
                   std::to_string(t) + " goes back before the previous S (" + std::to_string(ix_.runs_.back().t) + ")");
    if (!ix_.runs_.empty() && t < next_t) {  // overlap: the previous run ends where this one starts
      SegmentIndex::Run& prev = ix_.runs_.back();
      prev.count = std::max<uint64_t>(1, (t - prev.t + prev.d - 1) / prev.d);
      position = prev.first_position + prev.count;
    }
    uint64_t count = 0;
    if (e.r >= 0) {
      count = static_cast<uint64_t>(e.r) + 1;
    } else {
      uint64_t end = 0;
      if (i + 1 < entries.size()) {
        if (!entries[i + 1].t)
          return error(ErrorCode::kManifestMissingAttribute,
                       info_.path + "/SegmentTimeline/S[" + std::to_string(i + 1) + "]@t",
                       "required after an S with r=-1");
        end = *entries[i + 1].t;
      } else if (ix_.period_end_tick_) {
        end = *ix_.period_end_tick_;
      } else if (ix_.dynamic_) {
        ix_.runs_.push_back(SegmentIndex::Run{t, e.d, 0, position, e.n.value_or(next_number)});
        ix_.last_run_open_ = true;
        return std::nullopt;
      } else {
        return error(ErrorCode::kManifestMissingAttribute, where + "@r",
                     "r=-1 on the last S of a static MPD needs the period's end (Period@duration or "
                     "MPD@mediaPresentationDuration)");
      }
      count = end > t ? (end - t + e.d - 1) / e.d : 0;
    }
    if (count > (kMaxTick - t) / e.d)
      return error(ErrorCode::kManifestInvalidValue, where, "t + d * (r + 1) overflows 64-bit ticks");
    if (count > limits_.max_segments_per_representation - std::min(position, limits_.max_segments_per_representation))
      return error(ErrorCode::kManifestLimitExceeded, where + "@r",
                   "the timeline addresses more than " + std::to_string(limits_.max_segments_per_representation) +
                       " segments (the documented limit)");
    uint64_t number = e.n.value_or(next_number);
    if (count > 0) ix_.runs_.push_back(SegmentIndex::Run{t, e.d, count, position, number});
    position += count;
    next_t = t + e.d * count;
    next_number = number + count;
  }
  return std::nullopt;
}

std::optional<Error> SegmentIndexBuilder::build_duration(uint64_t d) {
  uint64_t first_number = info_.start_number.value_or(1);
  if (!ix_.period_end_tick_) {
    if (!ix_.dynamic_)
      return error(ErrorCode::kManifestMissingAttribute, period_.path + "@duration",
                   "segments cannot be counted: neither Period@duration nor MPD@mediaPresentationDuration");
    ix_.runs_.push_back(SegmentIndex::Run{ix_.pto_, d, 0, 0, first_number});
    ix_.last_run_open_ = true;
    return std::nullopt;
  }
  uint64_t span = *ix_.period_end_tick_ - ix_.pto_;
  uint64_t count = span / d + (span % d != 0);
  if (count > limits_.max_segments_per_representation)
    return error(ErrorCode::kManifestLimitExceeded, info_.path + "@duration",
                 "the period holds " + std::to_string(count) + " segments, more than the documented limit of " +
                     std::to_string(limits_.max_segments_per_representation));
  if (count > 0) ix_.runs_.push_back(SegmentIndex::Run{ix_.pto_, d, count, 0, first_number});
  return std::nullopt;
}

void SegmentIndexBuilder::truncate(uint64_t max_positions) {
  while (!ix_.runs_.empty() && ix_.runs_.back().first_position >= max_positions) {
    ix_.runs_.pop_back();
    ix_.last_run_open_ = false;
  }
  if (ix_.runs_.empty()) return;
  SegmentIndex::Run& last = ix_.runs_.back();
  uint64_t room = max_positions - last.first_position;
  if (ix_.last_run_open_) {
    last.count = room;
    ix_.last_run_open_ = false;
  } else {
    last.count = std::min(last.count, room);
  }
}

void SegmentIndexBuilder::apply_end_number() {
  if (!info_.end_number) return;
  uint64_t end = *info_.end_number;
  for (std::size_t i = 0; i < ix_.runs_.size(); ++i) {
    const SegmentIndex::Run& r = ix_.runs_[i];
    if (r.first_number > end) {
      truncate(r.first_position);
      return;
    }
    bool open = ix_.last_run_open_ && i + 1 == ix_.runs_.size();
    if (open || r.count > end - r.first_number) {
      truncate(r.first_position + (end - r.first_number) + 1);
      return;
    }
  }
}

std::optional<Error> SegmentIndexBuilder::resolve_ref(const UrlAndRange& ref, std::optional<ResourceRef>& out,
                                                      const std::string& where) {
  auto url = net::resolve_reference(ix_.base_urls_.front(), ref.url);
  if (!url) return error(ErrorCode::kManifestInvalidValue, where, url.error().message);
  out = ResourceRef{std::move(*url), ref.range};
  return std::nullopt;
}

std::optional<Error> SegmentIndexBuilder::check_values(const SegmentTemplate& t, const std::string& where) const {
  if (t.uses_representation_id() && !rep_.has_id)
    return error(ErrorCode::kManifestMissingAttribute, rep_.path + "@id", "needed by $RepresentationID$ in " + where);
  if (t.uses_bandwidth() && !rep_.has_bandwidth)
    return error(ErrorCode::kManifestMissingAttribute, rep_.path + "@bandwidth", "needed by $Bandwidth$ in " + where);
  return std::nullopt;
}

std::optional<Error> SegmentIndexBuilder::build_templates() {
  if (!info_.media_template)
    return error(ErrorCode::kManifestMissingAttribute, info_.path + "@media", "required attribute is missing");
  for (const std::string& base : ix_.base_urls_) {
    auto resolved = net::resolve_reference(base, *info_.media_template);
    if (!resolved) return error(ErrorCode::kManifestInvalidValue, info_.path + "@media", resolved.error().message);
    auto compiled = SegmentTemplate::compile(*resolved);
    if (!compiled) return error(ErrorCode::kManifestBadTemplate, info_.path + "@media", compiled.error());
    if (auto e = check_values(*compiled, info_.path + "@media")) return e;
    ix_.media_templates_.push_back(std::move(*compiled));
  }
  if (info_.initialization_template) {
    auto resolved = net::resolve_reference(ix_.base_urls_.front(), *info_.initialization_template);
    if (!resolved)
      return error(ErrorCode::kManifestInvalidValue, info_.path + "@initialization", resolved.error().message);
    auto compiled = SegmentTemplate::compile(*resolved);
    if (!compiled) return error(ErrorCode::kManifestBadTemplate, info_.path + "@initialization", compiled.error());
    if (auto e = check_values(*compiled, info_.path + "@initialization")) return e;
    ix_.init_ = ResourceRef{compiled->expand({rep_.id, 0, 0, rep_.bandwidth}), std::nullopt};
  } else if (info_.initialization) {
    return resolve_ref(*info_.initialization, ix_.init_, info_.path + "/Initialization");
  }
  return std::nullopt;
}

Expected<SegmentIndex, Error> SegmentIndexBuilder::build() {
  ix_.path_ = rep_.path;
  ix_.dynamic_ = mpd_.is_dynamic();
  ix_.representation_id_ = rep_.id;
  ix_.bandwidth_ = rep_.bandwidth;
  ix_.max_segments_ = limits_.max_segments_per_representation;
  ix_.sidx_limits_ = limits_.sidx_chain;
  ix_.time_shift_buffer_depth_ = mpd_.time_shift_buffer_depth;
  if (auto e = resolve_bases()) return Unexpected{std::move(*e)};

  // The addressing kind comes from the deepest level that has segment information.
  using A = SegmentIndex::Addressing;
  const SegmentInfoSet* levels[3] = {&rep_.segments, &as_.segments, &period_.segments};
  enum class Kind { kNone, kTemplate, kList, kBase } kind = Kind::kNone;
  for (const SegmentInfoSet* l : levels) {
    if (l->empty()) continue;
    kind = l->templ ? Kind::kTemplate : l->list ? Kind::kList : Kind::kBase;
    break;
  }
  std::vector<const SegmentInfo*> chain;
  for (const SegmentInfoSet* l : levels) {
    const std::optional<SegmentInfo>& s = kind == Kind::kTemplate ? l->templ : kind == Kind::kList ? l->list : l->base;
    if (s) chain.push_back(&*s);
  }
  if (!chain.empty()) info_ = detail::merge_levels(chain);
  if (info_.path.empty()) info_.path = rep_.path;

  ix_.timescale_ = info_.timescale.value_or(1);
  ix_.pto_ = info_.presentation_time_offset.value_or(0);
  ix_.first_number_ = info_.start_number.value_or(1);
  ix_.period_start_ = period_.start;
  if (period_.duration) {
    uint64_t span = duration_to_ticks(*period_.duration, ix_.timescale_);
    ix_.period_end_tick_ = ix_.pto_ > kMaxTick - span ? kMaxTick : ix_.pto_ + span;
  }
  if (mpd_.availability_start_time) ix_.period_available_from_ = *mpd_.availability_start_time + period_.start;
  ix_.availability_offset_ = base_url_offset_ + detail::availability_offset(info_.availability_time_offset_s);
  ix_.chunked_ = ix_.dynamic_ && info_.availability_time_complete == false;

  std::optional<Error> err;
  switch (kind) {
    case Kind::kTemplate:
      if (info_.timeline) {
        ix_.addressing_ = A::kTemplateTimeline;
        err = build_timeline(*info_.timeline);
      } else if (info_.duration) {
        ix_.addressing_ = A::kTemplateDuration;
        err = build_duration(*info_.duration);
      } else {
        err = error(ErrorCode::kManifestMissingAttribute, info_.path + "@duration",
                    "a SegmentTemplate needs @duration or a SegmentTimeline");
      }
      if (!err) err = build_templates();
      break;
    case Kind::kList:
      ix_.list_urls_ = info_.segment_urls;
      for (std::size_t i = 0; i < ix_.list_urls_.size() && !err; ++i) {
        auto r = net::resolve_reference(ix_.base_urls_.front(), ix_.list_urls_[i].url);
        if (!r)
          err = error(ErrorCode::kManifestInvalidValue, info_.path + "/SegmentURL[" + std::to_string(i) + "]@media",
                      r.error().message);
      }
      if (err) break;
      if (info_.timeline) {
        ix_.addressing_ = A::kListTimeline;
        err = build_timeline(*info_.timeline);
      } else if (info_.duration) {
        ix_.addressing_ = A::kListDuration;
        err = build_duration(*info_.duration);
      } else if (ix_.list_urls_.size() == 1) {  // one segment spanning the period
        ix_.addressing_ = A::kListDuration;
        uint64_t span = ix_.period_end_tick_ ? *ix_.period_end_tick_ - ix_.pto_ : 0;
        err = build_duration(span > 0 ? span : kMaxTick / 2);
      } else {
        err = error(ErrorCode::kManifestMissingAttribute, info_.path + "@duration",
                    "a SegmentList of several SegmentURLs needs @duration or a SegmentTimeline");
      }
      if (!err) truncate(ix_.list_urls_.size());
      if (!err && info_.initialization)
        err = resolve_ref(*info_.initialization, ix_.init_, info_.path + "/Initialization");
      break;
    case Kind::kBase:
      if (info_.initialization) {
        err = resolve_ref(*info_.initialization, ix_.init_, info_.path + "/Initialization");
      } else if (info_.index_range && info_.index_range->first > 0) {
        // On-demand profile files put ftyp+moov before the sidx: bytes 0 .. indexRange.first - 1.
        ix_.init_ = ResourceRef{ix_.base_urls_.front(), ByteRange{0, info_.index_range->first - 1}};
      }
      if (err) break;
      if (info_.representation_index) {
        ix_.addressing_ = A::kBaseIndexed;
        err = resolve_ref(*info_.representation_index, ix_.index_request_, info_.path + "/RepresentationIndex");
      } else if (info_.index_range) {
        ix_.addressing_ = A::kBaseIndexed;
        ix_.index_request_ = ResourceRef{ix_.base_urls_.front(), info_.index_range};
      } else {
        ix_.addressing_ = A::kSingle;
      }
      break;
    case Kind::kNone: ix_.addressing_ = A::kSingle; break;
  }
  if (!err && ix_.addressing_ == A::kSingle) {
    // The whole resource is one segment spanning the period.
    ix_.timescale_ = 1'000'000;
    ix_.pto_ = 0;
    uint64_t span = period_.duration ? duration_to_ticks(*period_.duration, ix_.timescale_) : 0;
    if (span == 0) span = static_cast<uint64_t>(kMaxManifestDuration.count());
    ix_.runs_.push_back(SegmentIndex::Run{0, span, 1, 0, ix_.first_number_});
  }
  if (!err) apply_end_number();
  if (err) return Unexpected{std::move(*err)};
  return std::move(ix_);
}

Expected<SegmentIndex, Error> SegmentIndex::create(const Mpd& mpd, std::size_t period, std::size_t adaptation_set,
                                                   std::size_t representation, const ParseLimits& limits) {
  if (period >= mpd.periods.size() || adaptation_set >= mpd.periods[period].adaptation_sets.size() ||
      representation >= mpd.periods[period].adaptation_sets[adaptation_set].representations.size())
    return Unexpected{Error{ErrorCode::kInvalidArgument, "no representation " + std::to_string(representation) +
                                                             " in adaptation set " + std::to_string(adaptation_set) +
                                                             " of period " + std::to_string(period)}};
  const Period& p = mpd.periods[period];
  const AdaptationSet& as = p.adaptation_sets[adaptation_set];
  return SegmentIndexBuilder(mpd, p, as, as.representations[representation], limits).build();
}

}  // namespace abrplay::manifest
