#include "abrplay/player/engine/track_buffer.h"

namespace abrplay::engine {

bool TrackBuffer::push(BufferedSegment s) {
  if (!s.media || s.duration <= MediaTime{0}) return false;
  if (!segments_.empty()) {
    const BufferedSegment& last = segments_.back();
    if (s.start + kContinuityTolerance < last.end() && !after_splice_) return false;
    s.discontinuity = after_flush_ || after_splice_ || s.period != last.period ||
                      s.start > last.end() + kContinuityTolerance;
    s.representation_changed = after_splice_ || s.init != last.init || s.representation_id != last.representation_id;
  } else {
    s.discontinuity = true;
    s.representation_changed = true;
  }
  after_flush_ = false;
  after_splice_ = false;
  bytes_ += s.bytes();
  segments_.push_back(std::move(s));
  return true;
}

std::optional<BufferedSegment> TrackBuffer::read_next() {
  if (next_read_ >= segments_.size()) return std::nullopt;
  return segments_[next_read_++];
}

bool TrackBuffer::has_unread() const { return next_read_ < segments_.size(); }

MediaTime TrackBuffer::ahead(MediaTime position) const {
  std::optional<MediaTime> reach;
  for (const auto& s : segments_) {
    if (!reach) {
      if (s.end() <= position) continue;
      if (s.start > position + kContinuityTolerance) return MediaTime{0};
      reach = s.end();
      continue;
    }
    if (s.start > *reach + kContinuityTolerance) break;
    reach = s.end();
  }
  return reach && *reach > position ? *reach - position : MediaTime{0};
}

std::optional<MediaTime> TrackBuffer::end() const {
  if (segments_.empty()) return std::nullopt;
  return segments_.back().end();
}

std::optional<MediaTime> TrackBuffer::start() const {
  if (segments_.empty()) return std::nullopt;
  return segments_.front().start;
}

bool TrackBuffer::contains(MediaTime position) const {
  for (const auto& s : segments_) {
    if (position + kContinuityTolerance >= s.start && position < s.end()) return true;
  }
  return false;
}

std::size_t TrackBuffer::evict(MediaTime position, const BufferLimits& limits, std::uint64_t incoming) {
  std::size_t evicted = 0;
  auto evictable = [&] { return !segments_.empty() && next_read_ > 0 && segments_.front().end() <= position; };
  auto pop = [&] {
    bytes_ -= segments_.front().bytes();
    segments_.pop_front();
    --next_read_;
    ++evicted;
  };
  while (evictable() && segments_.front().end() + limits.max_behind <= position) pop();
  while (evictable() && bytes_ + incoming > limits.max_bytes) pop();
  return evicted;
}

bool TrackBuffer::has_room(std::uint64_t bytes, MediaTime position, const BufferLimits& limits) const {
  std::uint64_t kept = bytes_;
  for (std::size_t i = 0; i < next_read_ && i < segments_.size(); ++i) {
    if (segments_[i].end() > position) break;
    kept -= segments_[i].bytes();
  }
  return kept + bytes <= limits.max_bytes;
}

bool TrackBuffer::seek(MediaTime target) {
  for (std::size_t i = 0; i < segments_.size(); ++i) {
    const auto& s = segments_[i];
    if (target + kContinuityTolerance >= s.start && target < s.end()) {
      next_read_ = i;
      // The consumer starts over at this segment: it must re-initialise its decoder.
      segments_[i].discontinuity = true;
      segments_[i].representation_changed = true;
      return true;
    }
  }
  clear();
  return false;
}

void TrackBuffer::splice(MediaTime position, MediaTime cut) {
  std::deque<BufferedSegment> kept;
  std::size_t next_read = 0;
  std::uint64_t bytes = 0;
  for (std::size_t i = 0; i < segments_.size(); ++i) {
    BufferedSegment& s = segments_[i];
    if (s.end() <= position || s.end() > cut + kContinuityTolerance) continue;
    if (i < next_read_) ++next_read;
    bytes += s.bytes();
    kept.push_back(std::move(s));
  }
  segments_ = std::move(kept);
  next_read_ = next_read;
  bytes_ = bytes;
  after_splice_ = true;
  if (segments_.empty()) after_flush_ = true;
}

void TrackBuffer::clear() {
  segments_.clear();
  next_read_ = 0;
  bytes_ = 0;
  after_flush_ = true;
  after_splice_ = false;
}

}  // namespace abrplay::engine
