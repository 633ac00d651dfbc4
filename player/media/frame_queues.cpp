#include "frame_queues.h"

namespace abrplay::media {

// ---- VideoQueue ----

bool VideoQueue::push(VideoFrame frame, std::uint64_t epoch) {
  {
    std::unique_lock lock(mu_);
    space_.wait(lock, [&] { return closed_ || epoch != epoch_ || q_.size() < capacity_; });
    if (closed_ || epoch != epoch_) return false;
    q_.push_back(std::move(frame));
  }
  if (notify_) notify_();
  return true;
}

std::optional<VideoFrame> VideoQueue::front() const {
  std::lock_guard lock(mu_);
  if (q_.empty()) return std::nullopt;
  return q_.front();
}

std::optional<std::chrono::microseconds> VideoQueue::second_pts() const {
  std::lock_guard lock(mu_);
  if (q_.size() < 2) return std::nullopt;
  return q_[1].pts;
}

void VideoQueue::pop(const VideoFrame& frame) {
  {
    std::lock_guard lock(mu_);
    if (!q_.empty() && q_.front().owner == frame.owner) q_.pop_front();
  }
  space_.notify_all();
}

std::size_t VideoQueue::size() const {
  std::lock_guard lock(mu_);
  return q_.size();
}

void VideoQueue::clear(std::uint64_t new_epoch) {
  {
    std::lock_guard lock(mu_);
    q_.clear();
    epoch_ = new_epoch;
  }
  space_.notify_all();
}

void VideoQueue::close() {
  {
    std::lock_guard lock(mu_);
    closed_ = true;
  }
  space_.notify_all();
}

}  // namespace abrplay::media
