#include "frame_queues.h"

#include <algorithm>
#include <cmath>

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

// ---- AudioQueue ----

void AudioQueue::set_format(int sample_rate, int channels) {
  std::lock_guard lock(mu_);
  sample_rate_ = sample_rate;
  channels_ = channels;
}

std::chrono::microseconds AudioQueue::frames_to_us(double frames) const {
  return std::chrono::microseconds{static_cast<std::int64_t>(std::llround(frames * 1e6 / sample_rate_))};
}

bool AudioQueue::push(std::chrono::microseconds pts, std::vector<float> samples, std::uint64_t epoch,
                      std::uint64_t splice) {
  {
    std::unique_lock lock(mu_);
    const auto spliced_away = [&] { return splice != splice_ && pts >= cut_; };
    space_.wait(lock, [&] {
      return closed_ || epoch != epoch_ || spliced_away() ||
             frames_to_us(static_cast<double>(queued_frames_)) < capacity_;
    });
    if (closed_ || epoch != epoch_ || spliced_away()) return false;
    if (splice != splice_) {  // the old track up to the cut
      const auto ch = static_cast<std::size_t>(channels_);
      const auto keep = static_cast<std::size_t>((cut_ - pts).count() * sample_rate_ / 1'000'000) * ch;
      if (keep < samples.size()) samples.resize(keep);
      if (samples.empty()) return false;
    }
    queued_frames_ += samples.size() / static_cast<std::size_t>(channels_);
    q_.push_back(Chunk{pts, std::move(samples)});
  }
  if (notify_) notify_();
  return true;
}

std::size_t AudioQueue::read(std::span<float> out, double rate, float gain) {
  std::size_t media_frames = 0;
  {
    std::lock_guard lock(mu_);
    const auto ch = static_cast<std::size_t>(channels_);
    const std::size_t want = out.size() / ch;
    std::size_t i = 0;
    for (; i < want && !q_.empty(); ++i) {
      const Chunk& c = q_.front();
      const std::size_t frames = c.samples.size() / ch;
      const auto at = static_cast<std::size_t>(cursor_);
      const double frac = cursor_ - static_cast<double>(at);
      const float* a = &c.samples[at * ch];
      // The next sample frame for interpolation: in this chunk, else the next chunk's first.
      const float* b = at + 1 < frames ? a + ch : (q_.size() > 1 ? q_[1].samples.data() : a);
      for (std::size_t k = 0; k < ch; ++k) {
        out[i * ch + k] = gain * static_cast<float>(a[k] + (b[k] - a[k]) * frac);
      }
      cursor_ += rate;
      has_position_ = true;
      position_ = c.pts + frames_to_us(cursor_);
      while (!q_.empty() && cursor_ >= static_cast<double>(q_.front().samples.size() / ch)) {
        const auto done = q_.front().samples.size() / ch;
        cursor_ -= static_cast<double>(done);
        queued_frames_ -= std::min(queued_frames_, done);
        q_.pop_front();
        if (!q_.empty()) position_ = q_.front().pts + frames_to_us(cursor_);
      }
    }
    media_frames = i;
    std::fill(out.begin() + static_cast<std::ptrdiff_t>(i * ch), out.end(), 0.0f);
  }
  space_.notify_all();
  return media_frames;
}

std::chrono::microseconds AudioQueue::buffered() const {
  std::lock_guard lock(mu_);
  return frames_to_us(static_cast<double>(queued_frames_) - cursor_);
}

std::optional<std::chrono::microseconds> AudioQueue::front_pts() const {
  std::lock_guard lock(mu_);
  if (q_.empty()) return std::nullopt;
  return q_.front().pts + frames_to_us(cursor_);
}

bool AudioQueue::has_position() const {
  std::lock_guard lock(mu_);
  return has_position_;
}

std::chrono::microseconds AudioQueue::position() const {
  std::lock_guard lock(mu_);
  return position_;
}

void AudioQueue::clear(std::uint64_t new_epoch) {
  {
    std::lock_guard lock(mu_);
    q_.clear();
    cursor_ = 0;
    queued_frames_ = 0;
    has_position_ = false;
    epoch_ = new_epoch;
  }
  space_.notify_all();
}

void AudioQueue::trim(std::chrono::microseconds at, std::uint64_t splice) {
  {
    std::lock_guard lock(mu_);
    splice_ = splice;
    cut_ = at;
    const auto ch = static_cast<std::size_t>(channels_);
    while (!q_.empty()) {
      Chunk& c = q_.back();
      const std::size_t frames = c.samples.size() / ch;
      if (c.pts >= at && q_.size() > 1) {
        queued_frames_ -= std::min(queued_frames_, frames);
        q_.pop_back();
        continue;
      }
      // The chunk across the cut, or the front one (the reader may be inside it).
      const auto keep =
          std::min(frames, c.pts >= at ? std::size_t{0}
                                       : static_cast<std::size_t>((at - c.pts).count() * sample_rate_ / 1'000'000));
      if (q_.size() == 1 && static_cast<double>(keep) <= cursor_) {  // nothing unread before the cut
        queued_frames_ -= std::min(queued_frames_, frames);
        q_.pop_back();
        cursor_ = 0;
      } else {
        queued_frames_ -= std::min(queued_frames_, frames - keep);
        c.samples.resize(keep * ch);
      }
      break;
    }
  }
  space_.notify_all();
}

void AudioQueue::close() {
  {
    std::lock_guard lock(mu_);
    closed_ = true;
  }
  space_.notify_all();
}

}  // namespace abrplay::media
