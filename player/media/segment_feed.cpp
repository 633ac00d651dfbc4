#include "abrplay/player/media/segment_feed.h"

#include <utility>

namespace abrplay::media {

void SegmentFeed::push(MediaSegment segment) {
  {
    std::lock_guard lock(mu_);
    eos_ = false;
    eos_delivered_ = false;
    queue_.push_back(std::move(segment));
  }
  cv_.notify_all();
}

void SegmentFeed::end_of_stream() {
  {
    std::lock_guard lock(mu_);
    eos_ = true;
    eos_delivered_ = false;
  }
  cv_.notify_all();
}

void SegmentFeed::flush() {
  {
    std::lock_guard lock(mu_);
    queue_.clear();
    eos_ = false;
    flushed_ = true;
    splice_after_.reset();
  }
  cv_.notify_all();
}

void SegmentFeed::splice(std::chrono::microseconds at) {
  {
    std::lock_guard lock(mu_);
    constexpr auto kRounding = kTimelineTolerance / 5;
    while (!queue_.empty() && queue_.back().start + kRounding >= at) queue_.pop_back();
    eos_ = false;
    eos_delivered_ = false;
    splice_after_ = queue_.size();
  }
  cv_.notify_all();
}

void SegmentFeed::close() {
  {
    std::lock_guard lock(mu_);
    closed_ = true;
  }
  cv_.notify_all();
}

std::optional<SegmentFeed::PopStatus> SegmentFeed::take_locked(MediaSegment& out) {
  if (closed_) return PopStatus::kClosed;
  if (flushed_) {
    flushed_ = false;
    return PopStatus::kFlushed;
  }
  if (splice_after_ && *splice_after_ == 0) {
    splice_after_.reset();
    return PopStatus::kSpliced;
  }
  if (!queue_.empty()) {
    out = std::move(queue_.front());
    queue_.pop_front();
    if (splice_after_) --*splice_after_;
    return PopStatus::kSegment;
  }
  if (eos_ && !eos_delivered_) {
    eos_delivered_ = true;  // once: the decode thread then waits for a push, flush or close
    return PopStatus::kEndOfStream;
  }
  return std::nullopt;
}

SegmentFeed::PopStatus SegmentFeed::pop(MediaSegment& out) {
  std::unique_lock lock(mu_);
  std::optional<PopStatus> status;
  cv_.wait(lock, [&] { return (status = take_locked(out)).has_value(); });
  return *status;
}

std::optional<SegmentFeed::PopStatus> SegmentFeed::try_pop(MediaSegment& out) {
  std::lock_guard lock(mu_);
  return take_locked(out);
}

std::size_t SegmentFeed::queued() const {
  std::lock_guard lock(mu_);
  return queue_.size();
}

std::chrono::microseconds SegmentFeed::queued_duration() const {
  std::lock_guard lock(mu_);
  std::chrono::microseconds total{0};
  for (const auto& s : queue_) total += s.duration;
  return total;
}

}  // namespace abrplay::media
