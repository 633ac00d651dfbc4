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
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <vector>

#include "abrplay/player/error.h"
#include "abrplay/player/media/frame.h"
#include "time_stretch.h"

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
// sample frame, and the time-stretch stage that plays it at another rate with its pitch kept.
//
// At rate 1.0 read() copies the decoded samples: no filter is in the path. At any other rate the
// decoded ("raw") samples go through FFmpeg's atempo (TimeStretch) in blocks of kStretchBlock frames
// into a short queue of stretched chunks, which read() plays. Each stretched chunk carries the media
// time of its first frame and `step`, the media frames per output frame (the tempo), so the master
// clock's input (the media time just after the last frame read) advances by exactly the media
// consumed. A change between two rates other than 1.0 is atempo's `tempo` command on the running
// instance (what it holds is played at the new rate). When an instance ends (a change to 1.0,
// discontinuity, end of track, track switch) its tail chunk gets the step that makes the media it
// covers add up to exactly what was fed.
//
// Who stretches: the tempo thread (MediaPipeline) keeps kStretchAhead of stretched audio ready, so
// the audio device's read() normally only copies. read() itself applies a rate change and, if the
// tempo thread fell behind, stretches the shortfall; both are bounded (a filter flush and a few
// blocks of kStretchBlock frames). The stretching runs under the queue's lock, one block at a time.
class AudioQueue {
 public:
  // 1024 frames (21 ms at 48 kHz) per filter call: short enough that a reader waiting on the lock
  // waits well under one device period, long enough that libavfilter's per-call cost stays small.
  static constexpr std::size_t kStretchBlock = 1024;
  // Stretched audio kept ready: two 1024-frame device periods at 48 kHz. A rate change is heard
  // after it (and the filter's own window, ~43 ms) has played: well within 100 ms.
  static constexpr std::chrono::microseconds kStretchAhead{42'000};

  AudioQueue(std::chrono::microseconds capacity, QueueNotify notify)
      : capacity_(capacity), notify_(std::move(notify)) {}
  ~AudioQueue();

  void set_format(int sample_rate, int channels);
  // `splice` is the producer's splice generation (see trim()); 0 until the first track switch.
  bool push(std::chrono::microseconds pts, std::vector<float> samples, std::uint64_t epoch, std::uint64_t splice = 0);
  // Reads up to out.size()/channels sample frames at the rate asked; returns how many carried media.
  std::size_t read(std::span<float> out, float gain);
  // The rate asked (0.5..2.0, checked by the caller); read() and the tempo thread follow it.
  void set_rate(double rate);
  // Tempo thread: waits until there is stretching to do, does one bounded step; false once closed.
  bool stretch_next();
  // A filter failure (then the queue plays on at rate 1.0, pitch and clock unchanged); once.
  std::optional<Error> take_stretch_error();
  // True while a filter instance or stretched audio is in the path (false: rate 1.0, plain copies).
  bool stretching() const;
  // Media time per output time of the last frame read (the tempo it was played at).
  double position_rate() const;
  // The track's last sample was pushed (until the next push or clear): the filter is flushed once
  // the decoded samples are all fed. Presentation thread.
  void end_of_input();
  // Media time still to be played: decoded and stretched (and, after end_of_input(), what the
  // filter holds).
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
  struct Stretched {
    std::chrono::microseconds pts;  // media time of the first frame
    double step = 1.0;              // media frames per output frame
    std::vector<float> samples;
  };
  std::chrono::microseconds frames_to_us(double frames) const;
  bool stretch_work_locked() const;
  void stretch_step_locked();
  void finish_stretch_locked();
  void append_stretched_locked(std::vector<float>& samples, double step);
  double mapped_frames_locked() const;      // media frames since in_pts_ of the next output frame
  double stretched_frames_locked() const;   // output frames ready in out_
  double held_media_frames_locked() const;  // media frames inside the filter

  std::chrono::microseconds capacity_;
  QueueNotify notify_;
  mutable std::mutex mu_;
  std::condition_variable space_;
  std::condition_variable stretch_cv_;  // wakes the tempo thread
  std::deque<Chunk> q_;                 // guarded by mu_: decoded samples
  std::size_t cursor_ = 0;              // read position in q_.front(), in sample frames
  std::size_t queued_frames_ = 0;       // sample frames in q_ (whole chunks)
  int sample_rate_ = 48'000;
  int channels_ = 2;
  std::uint64_t epoch_ = 0;
  std::uint64_t splice_ = 0;          // guarded by mu_
  std::chrono::microseconds cut_{0};  // guarded by mu_: where the older generations end
  bool closed_ = false;
  bool has_position_ = false;
  std::chrono::microseconds position_{0};
  double position_rate_ = 1.0;

  // The stretch stage, guarded by mu_.
  double requested_ = 1.0;               // the rate asked
  double tempo_ = 1.0;                   // the rate the stage runs at; 1.0 = no filter in the path
  bool input_ended_ = false;             // end_of_input() since the last push or clear
  std::unique_ptr<TimeStretch> filter_;  // null at 1.0, and between instances
  std::chrono::microseconds in_pts_{0};  // media time of the filter instance's first input frame
  std::size_t in_frames_ = 0;            // frames fed to the instance
  // The media time of the output: frame k since the last tempo change is at in_pts_ + map_base_ +
  // k x tempo_ (media frames); a change re-bases it, as WSOLA goes on from where it is.
  double map_base_ = 0;
  std::size_t map_out_ = 0;
  std::deque<Stretched> out_;
  std::size_t out_cursor_ = 0;  // read position in out_.front(), in output frames
  std::vector<float> scratch_;  // filter output, reused
  std::optional<Error> stretch_error_;
};

}  // namespace abrplay::media
