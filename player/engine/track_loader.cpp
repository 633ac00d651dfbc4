// TrackLoader, deciding: periods, representation choice, the pump step, live waits.
// Downloads (fetch, chunks, completion, abandonment) are in track_loader_fetch.cpp.
#include "track_loader.h"

#include <algorithm>

#include "abrplay/player/engine/rate_rules.h"

namespace abrplay::engine {

namespace {

using std::chrono::duration_cast;

// A tolerance for "this segment ends at or before where loading stands".
constexpr MediaTime kEdge = std::chrono::milliseconds(1);

}  // namespace

TrackLoader::TrackLoader(LoaderHost& host, TrackType type, BufferLimits limits)
    : host_(host), type_(type), limits_(limits) {}

TrackLoader::~TrackLoader() { cancel_in_flight(); }

MediaTime TrackLoader::level() const {
  const MediaTime pos = host_.play_position();
  return next_time_ > pos ? next_time_ - pos : MediaTime{0};
}

void TrackLoader::cancel_in_flight() {
  if (in_flight_) {
    in_flight_->fetcher->cancel(in_flight_->id);
    in_flight_.reset();
  }
  if (init_beside_) {
    init_beside_->fetcher->cancel(init_beside_->id);
    init_beside_.reset();
  }
  awaiting_init_.reset();
  ++seq_;  // callbacks of what was in flight are now stale
  if (wait_timer_ != 0) host_.loop().cancel(wait_timer_);
  if (abandon_timer_ != 0) host_.loop().cancel(abandon_timer_);
  wait_timer_ = abandon_timer_ = 0;
}

void TrackLoader::enter_period(std::size_t period, const SelectedTrack& selection, MediaTime from) {
  cancel_in_flight();
  const auto& p = host_.mpd().periods.at(period);
  const auto& set = p.adaptation_sets.at(selection.adaptation_set);
  reps_.clear();
  ladder_.clear();
  for (std::size_t r : selection.representations) {
    const auto& rep = set.representations.at(r);
    reps_.push_back(Rep{selection.adaptation_set, r, rep.id, rep.bandwidth, std::nullopt, nullptr});
    ladder_.push_back(abr::Representation{rep.bandwidth, {}});
  }
  period_ = period;
  next_time_ = from;
  last_index_.reset();
  forced_index_.reset();
  pending_choice_.reset();
  finished_ = false;
  loading_burst_ = false;
  capped_ = false;
  live_retries_ = 0;
}

void TrackLoader::switch_track(std::size_t period, const SelectedTrack& selection, MediaTime from) {
  parked_.reset();
  consecutive_failures_ = 0;
  enter_period(period, selection, from);
}

void TrackLoader::finish() {
  cancel_in_flight();
  finished_ = true;
}

void TrackLoader::refresh_indices() {
  const auto& mpd = host_.mpd();
  for (auto& r : reps_) {
    if (!r.index) continue;
    const bool same =
        period_ < mpd.periods.size() && r.adaptation_set < mpd.periods[period_].adaptation_sets.size() &&
        r.representation < mpd.periods[period_].adaptation_sets[r.adaptation_set].representations.size() &&
        mpd.periods[period_].adaptation_sets[r.adaptation_set].representations[r.representation].id == r.id;
    if (!same) {
      host_.warn(Error{ErrorCode::kManifestInvalidValue,
                       "MPD refresh: representation '" + r.id + "' moved or vanished; keeping its old index"});
      continue;
    }
    auto index = manifest::SegmentIndex::create(mpd, period_, r.adaptation_set, r.representation);
    if (index) r.index = std::move(*index);
  }
  if (wait_timer_ != 0) {  // waiting for the refresh: look again now
    host_.loop().cancel(wait_timer_);
    wait_timer_ = 0;
  }
}

bool TrackLoader::ensure_index(Rep& rep) {
  if (rep.index) return true;
  auto index = manifest::SegmentIndex::create(host_.mpd(), period_, rep.adaptation_set, rep.representation);
  if (!index) {
    host_.fatal(index.error());
    return false;
  }
  rep.index = std::move(*index);
  return true;
}

std::size_t TrackLoader::choose() {
  AbrDecisionEvent ev;
  ev.track = type_;
  ev.segment_start = next_time_;
  ev.buffer_ahead = level();
  ev.throughput = host_.throughput();
  std::vector<DataRate> rates;
  for (const auto& l : ladder_) rates.push_back(l.bitrate);
  std::size_t index = 0;
  if (forced_index_) {
    index = std::min(*forced_index_, reps_.size() - 1);
    forced_index_.reset();
    ev.reason = forced_reason_;
  } else if (type_ == TrackType::kAudio) {
    index = audio_index(rates, ev.throughput, host_.config().rates);
    ev.reason = "audio: highest within its share of the throughput";
  } else if (type_ == TrackType::kText) {
    index = 0;
    ev.reason = "text: the lowest";
  } else if (host_.media_samples() < host_.config().rates.min_samples && !host_.abr().pinned() &&
             !(chunked() && host_.media_samples() > 0)) {
    // Fast start. Low-latency live keeps it for the first segment only: with a second or less
    // buffered, 0.9 x one sample sent the second segment over a slow link and playback stalled
    // within seconds of its start; from one sample on the algorithm plans with the live model.
    index = fast_start_index(rates, ev.throughput, host_.config().rates);
    ev.reason = "fast start";
  } else {
    abr::AbrInput in;
    in.ladder = ladder_;
    in.buffer_level = seconds_of(level());
    in.buffer_capacity = seconds_of(host_.config().load.max_buffer);
    in.last_index = last_index_;
    in.throughput = ev.throughput;
    in.recent_samples = host_.recent_samples();
    in.latency = host_.latency();
    in.segment_duration = seconds_of(last_duration_);
    in.rebuffering = host_.rebuffering();
    in.now = host_.session_time();
    locate_next_segment(in);
    in.live_chunks = live_chunks();
    const abr::Decision d = host_.abr().choose(in);
    index = std::min(d.index, reps_.size() - 1);
    ev.reason = d.reason;
  }
  ev.index = index;
  ev.representation_id = reps_[index].id;
  ev.bandwidth = reps_[index].bandwidth;
  host_.emit(ev);
  return index;
}

const manifest::SegmentIndex* TrackLoader::static_index() const {
  const std::size_t at = last_index_.value_or(0);
  const Rep* rep = at < reps_.size() && reps_[at].index ? &reps_[at] : nullptr;
  for (const Rep& r : reps_) {
    if (!rep && r.index) rep = &r;
  }
  return rep && !rep->index->is_dynamic() ? &*rep->index : nullptr;
}

std::optional<manifest::Segment> TrackLoader::next_segment_in(const manifest::SegmentIndex& index) const {
  std::optional<manifest::Segment> seg = index.segment_at(next_time_);
  while (seg && seg->end() <= next_time_ + kEdge) seg = index.next(*seg);
  return seg;
}

bool TrackLoader::at_end() const {
  const manifest::SegmentIndex* index = static_index();
  return index && index->count() && !next_segment_in(*index);
}

void TrackLoader::locate_next_segment(abr::AbrInput& in) const {
  // The position of the segment to choose and, on demand (a static MPD), how many there are: MPC-style
  // algorithms plan no further than the end of the video, where buffered media is worth nothing.
  const manifest::SegmentIndex* index = static_index();
  if (!index) return;
  const std::optional<manifest::Segment> seg = next_segment_in(*index);
  const std::optional<std::uint64_t> count = index->count();
  if (!seg || !count) return;
  in.next_segment = static_cast<std::size_t>(seg->position);
  in.segment_count = static_cast<std::size_t>(*count);
}

bool TrackLoader::chunked() const {
  // Indexes are made as representations are first chosen: any made says it for all.
  for (const Rep& r : reps_) {
    if (r.index) return r.index->chunked();
  }
  return false;
}

std::optional<abr::LiveChunks> TrackLoader::live_chunks() const {
  // Low-latency live: when the next segment's last chunk is encoded, on the live clock, and how long
  // a chunk is (the last one seen; before any, what availabilityTimeOffset leaves of a segment).
  const auto& ast = host_.mpd().availability_start_time;
  if (!chunked() || !ast) return std::nullopt;
  const auto& index = reps_[std::min(last_index_.value_or(0), reps_.size() - 1)].index;
  const std::optional<manifest::Segment> seg = index ? next_segment_in(*index) : std::nullopt;
  if (!seg) return std::nullopt;
  const WallTime end = *ast + std::chrono::duration_cast<WallTime::duration>(seg->end());
  const auto left = std::chrono::duration_cast<MediaTime>(end - host_.live_now());
  const MediaTime chunk = last_chunk_.value_or(seg->duration - std::min(index->availability_offset(), seg->duration));
  return abr::LiveChunks{seconds_of(std::max(left, MediaTime{0})), seconds_of(chunk)};
}

bool TrackLoader::push_or_park(BufferedSegment segment) {
  const MediaTime pos = host_.play_position();
  if (!buffer_.has_room(segment.bytes(), pos, limits_)) {
    parked_ = std::move(segment);
    return true;
  }
  buffer_.evict(pos, limits_, segment.bytes());
  if (!buffer_.push(std::move(segment))) {
    host_.fatal(Error{ErrorCode::kInternal,
                      std::string(to_string(type_)) + " loader: a segment out of presentation order was refused"});
    return false;
  }
  return true;
}

void TrackLoader::pump() {
  if (in_flight_ || awaiting_init_ || wait_timer_ != 0 || reps_.empty()) return;
  if (parked_) {
    auto seg = std::move(*parked_);
    parked_.reset();
    if (!push_or_park(std::move(seg))) return;
    if (parked_) return;  // still no room: the next position report tries again
    host_.segment_buffered(type_);
  }
  if (finished_) return;
  if (!should_load(host_.config().load, {level(), loading_burst_})) {
    loading_burst_ = false;
    return;
  }
  loading_burst_ = true;
  // One media download at a time over the audio and video tracks (EngineConfig::serial_media):
  // init and index fetches are small and go in parallel, media segments wait their turn.
  // Chunked (low-latency) downloads last as long as the segment takes to encode: tracks load side by side.
  if (type_ != TrackType::kText && host_.config().serial_media && !chunked() && next_is_media() &&
      !host_.may_start_media(type_, level())) {
    return;
  }

  // The representation: kept for the init/index fetches that precede its media segment.
  // Past the last segment of a static period no choice is made: the last representation finds no
  // segment below and ends the period (a choice here would fetch an init for nothing).
  const std::size_t idx = pending_choice_ ? *pending_choice_ : last_index_ && at_end() ? *last_index_ : choose();
  pending_choice_ = idx;
  Rep& rep = reps_[idx];
  if (!ensure_index(rep)) return;
  manifest::SegmentIndex& index = *rep.index;
  if (index.needs_index()) {
    const auto& req = index.index_request();
    start_fetch(DownloadKind::kIndex, idx, req->url, req->range, std::nullopt);
    return;
  }
  if (index.init() && !rep.init) {
    if (!init_goes_beside(rep)) {
      start_fetch(DownloadKind::kInit, idx, index.init()->url, index.init()->range, std::nullopt);
      return;
    }
    // The init segment now, and its media segment beside it when this track's turn comes.
    fetch_init_beside(idx);
    if (type_ != TrackType::kText && host_.config().serial_media && !host_.may_start_media(type_, level())) return;
  }

  std::optional<manifest::Segment> seg = next_segment_in(index);
  const auto& mpd = host_.mpd();
  if (index.is_dynamic()) {
    const WallTime now = host_.live_now();
    const auto avail = index.available(now);
    if (seg && avail && seg->position < avail->first) {
      const auto first = index.segment(avail->first);
      host_.warn(Error{ErrorCode::kOk, std::string(to_string(type_)) + ": fell out of the time-shift window at " +
                                           manifest::format_seconds(next_time_) + "; jumping to " +
                                           manifest::format_seconds(first ? first->start : next_time_)});
      seg = first;
      if (seg) next_time_ = seg->start;
    }
    if (seg && (!avail || seg->position > avail->last) && mpd.availability_start_time) {
      // Not published yet: wait for its availability time, its end less availabilityTimeOffset (a
      // low-latency segment is available from its first chunk). Waiting for its end instead made
      // low-latency requests late whenever no MPD refresh came between: the whole segment then
      // came at once, seconds behind the edge, and playback stalled for its first chunk.
      wait_until(*mpd.availability_start_time + seg->end() - std::min(index.availability_offset(), seg->duration));
      loading_burst_ = true;
      return;
    }
    if (!seg && mpd.minimum_update_period && period_ + 1 >= mpd.periods.size()) {
      // The timeline ends here for now: the next MPD refresh will extend it.
      wait_for(*mpd.minimum_update_period);
      return;
    }
  }
  if (!seg) {
    const auto& period = mpd.periods[period_];
    if (period.duration && next_time_ + kContinuityTolerance < period.start + *period.duration) {
      // E.g. a SegmentBase whose sidx addresses only the first fragment (FFmpeg's dash muxer
      // writes one sidx per fragment without global_sidx): play what is addressed, say so.
      host_.warn(Error{ErrorCode::kManifestBadIndex,
                       period.path + ": the segments of " + std::string(to_string(type_)) + " representation '" +
                           rep.id + "' end at " + manifest::format_seconds(next_time_) +
                           ", before the period ends at " + manifest::format_seconds(period.start + *period.duration)});
    }
    host_.period_ended(type_, period_);
    return;
  }
  last_duration_ = seg->duration;
  const auto expected = static_cast<std::uint64_t>(bytes_in(rep.bandwidth, seconds_of(seg->duration)));
  if (!buffer_.has_room(expected, host_.play_position(), limits_)) {  // a position report retries
    if (!capped_) {
      capped_ = true;
      host_.segment_buffered(type_);  // playback may be waiting for more than the cap holds
    }
    return;
  }
  capped_ = false;
  pending_choice_.reset();
  last_index_ = idx;
  start_fetch(DownloadKind::kMedia, idx, seg->url, seg->range, seg);
}

bool TrackLoader::wants_to_load() const {
  if (in_flight_ || awaiting_init_ || wait_timer_ != 0 || reps_.empty() || parked_ || capped_ || finished_)
    return false;
  return should_load(host_.config().load, {level(), loading_burst_});
}

bool TrackLoader::next_is_media() const {
  const std::optional<std::size_t> idx = pending_choice_ ? pending_choice_ : last_index_;
  if (!idx || *idx >= reps_.size()) return false;
  const Rep& rep = reps_[*idx];
  if (!rep.index || rep.index->needs_index()) return false;
  return !rep.index->init() || rep.init != nullptr || (init_beside_ && init_beside_->rep == *idx);
}

bool TrackLoader::init_goes_beside(const Rep& rep) const { return rep.index && !rep.index->chunked(); }

void TrackLoader::fetch_init_beside(std::size_t rep) {
  if (init_beside_ && init_beside_->rep == rep) return;  // on its way already
  if (init_beside_) init_beside_->fetcher->cancel(init_beside_->id);
  init_beside_.reset();
  const auto& init = reps_[rep].index->init();
  start_fetch(DownloadKind::kInit, rep, init->url, init->range, std::nullopt, true);
}

void TrackLoader::wait_until(WallTime when) {
  // 50 ms after the availability time: the origin's clock and ours agree to a round trip. At least
  // 100 ms: when the index and our arithmetic disagree about a segment already due, this looks
  // again ten times a second instead of spinning.
  const auto delay = when - host_.live_now() + std::chrono::milliseconds(50);
  wait_for(std::max(duration_cast<MediaTime>(delay), MediaTime(std::chrono::milliseconds(100))));
}

void TrackLoader::wait_for(MediaTime delay) {
  const Liveness::Watch alive = alive_.watch();
  wait_timer_ = host_.loop().post_after(delay, [this, alive] {
    if (alive.expired()) return;
    wait_timer_ = 0;
    pump();
  });
}

}  // namespace abrplay::engine
