#include "abrplay/player/engine/virtual_consumer.h"

#include <algorithm>

namespace abrplay::engine {

namespace {

using std::chrono::duration_cast;
using std::chrono::microseconds;

MediaTime contiguous_end(const std::deque<std::pair<MediaTime, MediaTime>>& ranges, MediaTime from) {
  MediaTime reach = from;
  for (const auto& [start, end] : ranges) {
    if (end <= reach) continue;
    if (start > reach + kContinuityTolerance) break;
    reach = end;
  }
  return reach;
}

}  // namespace

VirtualConsumer::VirtualConsumer(EventLoop& loop, double speed, MediaTime report_every)
    : loop_(loop), speed_(speed > 0 ? speed : 1.0), report_every_(report_every) {}

VirtualConsumer::~VirtualConsumer() {
  if (timer_ != 0) loop_.cancel(timer_);
}

void VirtualConsumer::attach(SegmentSource& source, std::span<const TrackType> tracks, MediaTime start) {
  source_ = &source;
  tracks_.clear();
  for (TrackType t : tracks) tracks_.push_back(Track{t, {}});
  if (timer_ != 0) loop_.cancel(timer_);
  timer_ = 0;
  playing_ = false;
  anchor_position_ = start;
  anchor_time_ = loop_.clock().steady();
}

void VirtualConsumer::read_all() {
  if (source_ == nullptr) return;
  for (auto& t : tracks_) {
    while (auto s = source_->read(t.type)) {
      ++segments_read_;
      if (!t.ranges.empty() && s->start <= t.ranges.back().second + kContinuityTolerance &&
          s->start >= t.ranges.back().first) {
        t.ranges.back().second = std::max(t.ranges.back().second, s->end());
      } else {
        t.ranges.emplace_back(s->start, s->end());
      }
    }
  }
}

std::optional<MediaTime> VirtualConsumer::limit() const {
  std::optional<MediaTime> lim;
  for (const auto& t : tracks_) {
    if (t.type == TrackType::kText) continue;  // subtitles never hold playback
    const bool done = source_->end_of_stream(t.type) &&
                      (t.ranges.empty() || t.ranges.back().second <= anchor_position_ + kContinuityTolerance);
    if (done) continue;
    const MediaTime e = contiguous_end(t.ranges, anchor_position_);
    lim = lim ? std::min(*lim, e) : e;
  }
  return lim;
}

bool VirtualConsumer::all_ended() const {
  if (source_ == nullptr) return false;
  return std::all_of(tracks_.begin(), tracks_.end(), [&](const Track& t) {
    if (t.type == TrackType::kText) return true;
    return source_->end_of_stream(t.type) &&
           (t.ranges.empty() || t.ranges.back().second <= anchor_position_ + kContinuityTolerance);
  });
}

MediaTime VirtualConsumer::position() const {
  if (!playing_) return anchor_position_;
  const auto elapsed = loop_.clock().steady() - anchor_time_;
  MediaTime p = anchor_position_ + duration_cast<microseconds>(elapsed * (speed_ * rate_));
  if (source_ != nullptr) {
    if (auto lim = limit()) p = std::min(p, std::max(*lim, anchor_position_));
  }
  return p;
}

void VirtualConsumer::trim() {
  for (auto& t : tracks_) {
    while (!t.ranges.empty() && t.ranges.front().second <= anchor_position_) t.ranges.pop_front();
  }
}

void VirtualConsumer::skip_gap() {
  // Every unfinished track must have nothing at the position and something later.
  std::optional<MediaTime> target;
  for (const auto& t : tracks_) {
    if (t.type == TrackType::kText) continue;  // subtitles never hold playback
    const bool done = source_->end_of_stream(t.type) &&
                      (t.ranges.empty() || t.ranges.back().second <= anchor_position_ + kContinuityTolerance);
    if (done) continue;
    if (contiguous_end(t.ranges, anchor_position_) > anchor_position_) return;  // data here
    auto later = std::find_if(t.ranges.begin(), t.ranges.end(),
                              [&](const auto& r) { return r.first > anchor_position_; });
    if (later == t.ranges.end()) return;  // this track has nothing yet
    target = target ? std::max(*target, later->first) : later->first;
  }
  if (target) anchor_position_ = *target;
}

void VirtualConsumer::on_data() {
  read_all();
  if (!playing_) {
    const MediaTime before = anchor_position_;
    skip_gap();
    if (anchor_position_ != before) source_->report_position(anchor_position_);
    return;
  }
  reschedule();
}

void VirtualConsumer::play() {
  if (playing_ || source_ == nullptr) return;
  playing_ = true;
  anchor_time_ = loop_.clock().steady();
  reschedule();
}

void VirtualConsumer::stop_advancing() {
  anchor_position_ = position();
  anchor_time_ = loop_.clock().steady();
  playing_ = false;
  if (timer_ != 0) loop_.cancel(timer_);
  timer_ = 0;
}

void VirtualConsumer::set_rate(double rate) {
  if (!(rate > 0) || rate == rate_) return;
  if (playing_) {
    anchor_position_ = position();
    anchor_time_ = loop_.clock().steady();
  }
  rate_ = rate;
  if (playing_) reschedule();
}

void VirtualConsumer::pause() {
  if (!playing_) return;
  stop_advancing();
}

void VirtualConsumer::flush(MediaTime position) {
  if (timer_ != 0) loop_.cancel(timer_);
  timer_ = 0;
  playing_ = false;
  for (auto& t : tracks_) t.ranges.clear();
  anchor_position_ = position;
  anchor_time_ = loop_.clock().steady();
  read_all();
}

void VirtualConsumer::splice(TrackType track, MediaTime at) {
  auto it = std::find_if(tracks_.begin(), tracks_.end(), [&](const Track& t) { return t.type == track; });
  if (it == tracks_.end()) {
    tracks_.push_back(Track{track, {}});
  } else {
    auto& r = it->ranges;
    while (!r.empty() && r.back().first >= at) r.pop_back();
    if (!r.empty() && r.back().second > at) r.back().second = at;
  }
  on_data();
}

void VirtualConsumer::reschedule() {
  if (timer_ != 0) loop_.cancel(timer_);
  timer_ = 0;
  if (!playing_ || source_ == nullptr) return;
  // Re-anchor so that limit() is measured from the current position.
  anchor_position_ = position();
  anchor_time_ = loop_.clock().steady();
  trim();
  if (all_ended()) {
    stop_advancing();
    source_->report_position(anchor_position_);
    source_->report_ended();
    return;
  }
  auto lim = limit();
  if (lim && *lim <= anchor_position_) {
    const MediaTime before = anchor_position_;
    skip_gap();
    if (anchor_position_ != before) {
      source_->report_position(anchor_position_);
      if (playing_) reschedule();
      return;
    }
    stop_advancing();
    source_->report_position(anchor_position_);
    source_->report_starved();
    return;
  }
  MediaTime step = report_every_;
  if (lim) step = std::min(step, *lim - anchor_position_);
  const auto real = duration_cast<microseconds>(
      std::chrono::duration<double, std::micro>(step.count() / (speed_ * rate_)));
  timer_ = loop_.post_after(std::max(real, microseconds(1)), [this] {
    timer_ = 0;
    on_tick();
  });
}

void VirtualConsumer::on_tick() {
  anchor_position_ = position();
  anchor_time_ = loop_.clock().steady();
  trim();
  source_->report_position(anchor_position_);
  if (playing_) reschedule();
}

}  // namespace abrplay::engine
