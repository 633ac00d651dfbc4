// AudioQueue (frame_queues.h): decoded audio, the time-stretch stage and the master clock's input.
#include <algorithm>
#include <cmath>

#include "frame_queues.h"

namespace abrplay::media {

AudioQueue::~AudioQueue() = default;

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
  bool stretching = false;
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
    input_ended_ = false;
    stretching = tempo_ != 1.0;
  }
  if (stretching) stretch_cv_.notify_one();  // at 1.0 the tempo thread has nothing to do
  if (notify_) notify_();
  return true;
}

std::size_t AudioQueue::read(std::span<float> out, float gain) {
  std::size_t i = 0;
  bool stretching = false;
  {
    std::lock_guard lock(mu_);
    if (requested_ != tempo_) stretch_step_locked();  // a rate change is applied at once
    const auto ch = static_cast<std::size_t>(channels_);
    const std::size_t want = out.size() / ch;
    while (i < want) {
      if (!out_.empty()) {  // stretched audio first: it precedes what is still in q_
        const Stretched& c = out_.front();
        const std::size_t frames = c.samples.size() / ch;
        const std::size_t n = std::min(want - i, frames - out_cursor_);
        for (std::size_t k = 0; k < n * ch; ++k) out[i * ch + k] = gain * c.samples[out_cursor_ * ch + k];
        i += n;
        out_cursor_ += n;
        has_position_ = true;
        position_ = c.pts + frames_to_us(static_cast<double>(out_cursor_) * c.step);
        position_rate_ = c.step;
        if (out_cursor_ == frames) {
          out_.pop_front();
          out_cursor_ = 0;
        }
      } else if (tempo_ == 1.0 && !q_.empty()) {  // rate 1.0: a copy, no filter
        const Chunk& c = q_.front();
        const std::size_t frames = c.samples.size() / ch;
        const std::size_t n = std::min(want - i, frames - cursor_);
        for (std::size_t k = 0; k < n * ch; ++k) out[i * ch + k] = gain * c.samples[cursor_ * ch + k];
        i += n;
        cursor_ += n;
        has_position_ = true;
        position_ = c.pts + frames_to_us(static_cast<double>(cursor_));
        position_rate_ = 1.0;
        if (cursor_ == frames) {
          queued_frames_ -= std::min(queued_frames_, frames);
          q_.pop_front();
          cursor_ = 0;
          if (!q_.empty()) position_ = q_.front().pts;
        }
      } else if (tempo_ != 1.0 && (!q_.empty() || (filter_ && input_ended_))) {
        stretch_step_locked();  // the tempo thread fell behind: stretch the shortfall here
      } else {
        break;
      }
    }
    std::fill(out.begin() + static_cast<std::ptrdiff_t>(i * ch), out.end(), 0.0f);
    stretching = tempo_ != 1.0;
  }
  space_.notify_all();
  if (stretching) stretch_cv_.notify_one();  // at 1.0 the tempo thread stays asleep
  return i;
}

void AudioQueue::set_rate(double rate) {
  {
    std::lock_guard lock(mu_);
    requested_ = rate;
  }
  stretch_cv_.notify_one();
}

bool AudioQueue::stretch_next() {
  std::unique_lock lock(mu_);
  stretch_cv_.wait(lock, [&] { return closed_ || stretch_work_locked(); });
  if (closed_) return false;
  stretch_step_locked();
  lock.unlock();
  space_.notify_all();  // raw samples were consumed: the decode thread may push again
  return true;
}

std::optional<Error> AudioQueue::take_stretch_error() {
  std::lock_guard lock(mu_);
  return std::exchange(stretch_error_, std::nullopt);
}

bool AudioQueue::stretching() const {
  std::lock_guard lock(mu_);
  return tempo_ != 1.0 || requested_ != 1.0 || filter_ != nullptr || !out_.empty();
}

double AudioQueue::position_rate() const {
  std::lock_guard lock(mu_);
  return position_rate_;
}

bool AudioQueue::stretch_work_locked() const {
  if (requested_ != tempo_) return true;
  if (tempo_ == 1.0) return false;
  if (frames_to_us(stretched_frames_locked()) >= kStretchAhead) return false;
  return !q_.empty() || (filter_ && input_ended_);
}

// One bounded step: apply a rate change, or feed one block (at most kStretchBlock frames, never
// across chunks) to the filter, or flush the filter once the track's last sample was fed. (A
// momentary shortage does not flush it: the filter waits for the next samples, so an underrun
// costs no restart.)
void AudioQueue::stretch_step_locked() {
  if (requested_ != tempo_) {
    if (filter_ && requested_ != 1.0 && !filter_->set_tempo(requested_)) {
      map_base_ = mapped_frames_locked();  // the output from here on is at the new tempo
      map_out_ = 0;
      tempo_ = requested_;
      return;
    }
    if (filter_ && requested_ == 1.0 && !filter_->set_tempo(1.0)) {
      map_base_ = mapped_frames_locked();  // what it holds is played at 1.0, then no filter
      map_out_ = 0;
      tempo_ = 1.0;
    }
    finish_stretch_locked();
    tempo_ = requested_;
    return;
  }
  if (tempo_ == 1.0) return;
  if (q_.empty()) {
    if (input_ended_) finish_stretch_locked();  // the end: what the filter holds must be heard
    return;
  }
  const auto ch = static_cast<std::size_t>(channels_);
  const Chunk& c = q_.front();
  const std::size_t frames = c.samples.size() / ch;
  const std::size_t n = std::min(kStretchBlock, frames - cursor_);
  const auto at = c.pts + frames_to_us(static_cast<double>(cursor_));
  // Not continuous with what the filter was fed (a re-anchored chunk, a splice): a new instance.
  if (filter_ && std::chrono::abs(at - (in_pts_ + frames_to_us(static_cast<double>(in_frames_)))) > frames_to_us(1.0)) {
    finish_stretch_locked();
  }
  if (!filter_) {
    auto made = TimeStretch::create(sample_rate_, channels_, tempo_);
    if (!made) {
      stretch_error_ = made.error();
      requested_ = tempo_ = 1.0;  // play on unstretched
      return;
    }
    filter_ = std::move(*made);
    in_pts_ = at;
    in_frames_ = 0;
    map_base_ = 0;
    map_out_ = 0;
  }
  scratch_.clear();
  auto e = filter_->push(std::span<const float>(c.samples).subspan(cursor_ * ch, n * ch), scratch_);
  in_frames_ += n;
  cursor_ += n;
  if (cursor_ == frames) {
    queued_frames_ -= std::min(queued_frames_, frames);
    q_.pop_front();
    cursor_ = 0;
  }
  if (e) {
    stretch_error_ = std::move(e);
    filter_.reset();
    requested_ = tempo_ = 1.0;
    return;
  }
  append_stretched_locked(scratch_, tempo_);
}

// Ends the filter instance: its tail is queued with the step that makes the instance's output
// cover exactly the media it was fed.
void AudioQueue::finish_stretch_locked() {
  if (!filter_) return;
  scratch_.clear();
  auto e = filter_->finish(scratch_);
  const double held = held_media_frames_locked();
  const double tail = static_cast<double>(scratch_.size() / static_cast<std::size_t>(channels_));
  if (!e && tail > 0) append_stretched_locked(scratch_, held / tail);
  filter_.reset();
  if (e) stretch_error_ = std::move(e);
}

void AudioQueue::append_stretched_locked(std::vector<float>& samples, double step) {
  const auto frames = samples.size() / static_cast<std::size_t>(channels_);
  if (frames == 0) return;
  const auto pts = in_pts_ + frames_to_us(mapped_frames_locked());
  out_.push_back(Stretched{pts, step, samples});
  map_out_ += frames;
}

double AudioQueue::stretched_frames_locked() const {
  double n = -static_cast<double>(out_cursor_);
  for (const auto& c : out_) n += static_cast<double>(c.samples.size() / static_cast<std::size_t>(channels_));
  return n;
}

double AudioQueue::held_media_frames_locked() const {
  if (!filter_) return 0;
  return std::max(0.0, static_cast<double>(in_frames_) - mapped_frames_locked());
}

double AudioQueue::mapped_frames_locked() const { return map_base_ + static_cast<double>(map_out_) * tempo_; }

void AudioQueue::end_of_input() {
  {
    std::lock_guard lock(mu_);
    if (input_ended_) return;
    input_ended_ = true;
  }
  stretch_cv_.notify_one();
}

std::chrono::microseconds AudioQueue::buffered() const {
  std::lock_guard lock(mu_);
  // What the filter holds counts only at the end (it will be flushed); before, it cannot be played
  // until more samples come, so a shortage shows as an underrun.
  double media = static_cast<double>(queued_frames_) - static_cast<double>(cursor_) +
                 (input_ended_ ? held_media_frames_locked() : 0.0);
  for (std::size_t k = 0; k < out_.size(); ++k) {
    const auto frames = out_[k].samples.size() / static_cast<std::size_t>(channels_);
    media += static_cast<double>(frames - (k == 0 ? out_cursor_ : 0)) * out_[k].step;
  }
  return frames_to_us(media);
}

std::optional<std::chrono::microseconds> AudioQueue::front_pts() const {
  std::lock_guard lock(mu_);
  if (!out_.empty()) return out_.front().pts + frames_to_us(static_cast<double>(out_cursor_) * out_.front().step);
  if (filter_) return in_pts_ + frames_to_us(mapped_frames_locked());
  if (q_.empty()) return std::nullopt;
  return q_.front().pts + frames_to_us(static_cast<double>(cursor_));
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
    out_.clear();
    out_cursor_ = 0;
    filter_.reset();  // what it holds is from before the seek
    input_ended_ = false;
    has_position_ = false;
    epoch_ = new_epoch;
  }
  space_.notify_all();
  stretch_cv_.notify_one();
}

void AudioQueue::trim(std::chrono::microseconds at, std::uint64_t splice) {
  {
    std::lock_guard lock(mu_);
    splice_ = splice;
    cut_ = at;
    const auto ch = static_cast<std::size_t>(channels_);
    // The stretched audio first: flush the filter, then cut its output at `at`.
    finish_stretch_locked();
    while (!out_.empty()) {
      Stretched& c = out_.back();
      const std::size_t frames = c.samples.size() / ch;
      const std::size_t from = out_.size() == 1 ? out_cursor_ : 0;
      const double keep_d = c.step > 0
                                ? std::ceil(static_cast<double>((at - c.pts).count()) * sample_rate_ / 1e6 / c.step)
                                : static_cast<double>(frames);
      const auto keep = static_cast<std::size_t>(std::clamp(keep_d, 0.0, static_cast<double>(frames)));
      if (keep <= from) {
        out_.pop_back();
        if (out_.empty()) out_cursor_ = 0;
        continue;
      }
      c.samples.resize(keep * ch);
      break;
    }
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
      if (q_.size() == 1 && keep <= cursor_) {  // nothing unread before the cut
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
  stretch_cv_.notify_one();
}

void AudioQueue::close() {
  {
    std::lock_guard lock(mu_);
    closed_ = true;
  }
  space_.notify_all();
  stretch_cv_.notify_all();
}

}  // namespace abrplay::media
