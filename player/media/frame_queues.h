// player/media/frame_queues.h: the bounded queues between a decode thread (producer) and the
// presentation side (consumer), with an epoch so a seek can drop frames still in flight.
//
// push() blocks while the queue is full (back pressure on the decode thread) and returns false
// without queuing when the epoch moved on (a seek) or the queue was closed. Thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <span>
#include <vector>

#include "abrplay/player/media/frame.h"

namespace abrplay::media {

// Called (without the queue's lock) whenever something was queued: wakes MediaPipeline::wait().
using QueueNotify = std::function<void()>;

class VideoQueue {
 public:
  VideoQueue(std::size_t capacity, QueueNotify notify) : capacity_(capacity), notify_(std::move(notify)) {}

  bool push(VideoFrame frame, std::uint64_t epoch);
  // Consumer side. Copies (cheap: the pixels are shared), because a seek on another thread may
  // clear the queue at any moment.
  std::optional<VideoFrame> front() const;
  std::optional<std::chrono::microseconds> second_pts() const;
  // Pops the front frame if it is still `frame` (not replaced by a seek in between).
  void pop(const VideoFrame& frame);
  std::size_t size() const;
  void clear(std::uint64_t new_epoch);
  void close();

 private:
  std::size_t capacity_;
  QueueNotify notify_;
  mutable std::mutex mu_;
  std::condition_variable space_;
  std::deque<VideoFrame> q_;
  std::uint64_t epoch_ = 0;
  bool closed_ = false;
};

// Decoded audio in the sink's format (interleaved float) with the presentation time of its first
// sample frame. read() also applies rate (linear interpolation: pitch follows speed) and gain, and
// keeps the master clock's input: the media time just after the last sample frame read.
class AudioQueue {
 public:
  AudioQueue(std::chrono::microseconds capacity, QueueNotify notify)
      : capacity_(capacity), notify_(std::move(notify)) {}

  void set_format(int sample_rate, int channels);
  // `splice` is the producer's splice generation (see trim()); 0 until the first track switch.
  bool push(std::chrono::microseconds pts, std::vector<float> samples, std::uint64_t epoch, std::uint64_t splice = 0);
  // Reads up to out.size()/channels sample frames; returns how many carried media.
  std::size_t read(std::span<float> out, double rate, float gain);
  std::chrono::microseconds buffered() const;
  std::optional<std::chrono::microseconds> front_pts() const;
  // Media time after the last sample read; nullopt before the first read since the last clear.
  bool has_position() const;
  std::chrono::microseconds position() const;
  void clear(std::uint64_t new_epoch);
  // A track switch in place: drops the samples at or after `at` (the chunk across it is cut at the
  // exact sample) and starts splice generation `splice`. From then on a push of an older generation
  // is kept only up to `at` (the old track finishing the segment before the cut): the part from
  // `at` on is dropped and push() returns false, so that producer stops its segment.
  void trim(std::chrono::microseconds at, std::uint64_t splice);
  void close();

 private:
  struct Chunk {
    std::chrono::microseconds pts;
    std::vector<float> samples;
  };
  std::chrono::microseconds frames_to_us(double frames) const;

  std::chrono::microseconds capacity_;
  QueueNotify notify_;
  mutable std::mutex mu_;
  std::condition_variable space_;
  std::deque<Chunk> q_;            // guarded by mu_
  double cursor_ = 0;              // fractional read position in q_.front(), in sample frames
  std::size_t queued_frames_ = 0;  // sample frames in q_ (minus the consumed part of front)
  int sample_rate_ = 48'000;
  int channels_ = 2;
  std::uint64_t epoch_ = 0;
  std::uint64_t splice_ = 0;          // guarded by mu_
  std::chrono::microseconds cut_{0};  // guarded by mu_: where the older generations end
  bool closed_ = false;
  bool has_position_ = false;
  std::chrono::microseconds position_{0};
};

}  // namespace abrplay::media
