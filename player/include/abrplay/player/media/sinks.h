// abrplay/player/media/sinks.h: where decoded media goes. Each sink is a small interface so the
// pipeline runs the same way headless (null sinks), in an embedding app (FrameCallbackVideoSink)
// or in a window (SDL sinks, sdl_sinks.h).
//
// Threads:
//  - VideoSink and TextSink methods run on the presentation thread: the thread that calls
//    MediaPipeline::pump(). For SDL that must be the main thread; the embedder decides.
//  - AudioSink::open/close/set_paused/pump run on the presentation thread too. The AudioSource a
//    sink is given may be read from any one thread the sink owns (SDL's audio callback thread).
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <span>
#include <utility>

#include "abrplay/core/clock.h"
#include "abrplay/core/expected.h"
#include "abrplay/player/error.h"
#include "abrplay/player/media/frame.h"

namespace abrplay::media {

class VideoSink {
 public:
  virtual ~VideoSink() = default;
  // Shows `frame` now. An error is reported as an event (code kOutputVideo); playback goes on.
  virtual std::optional<Error> present(const VideoFrame& frame) = 0;
};

class TextSink {
 public:
  virtual ~TextSink() = default;
  // A cue becomes due (its start has come). The sink shows it until `cue.end` on the media clock.
  virtual void cue(const TextCue& cue) = 0;
  // Seek: drop every cue shown or pending.
  virtual void clear() = 0;
};

// What the pipeline gives an audio sink to read from. read() is the master clock's only input: the
// clock is the presentation time of the samples read, minus the sink's latency().
class AudioSource {
 public:
  virtual ~AudioSource() = default;
  // Fills `out` (interleaved floats of the opened format) and returns the number of sample frames
  // that carry media; the rest of `out` is silence (underrun, pause or end of stream).
  virtual std::size_t read(std::span<float> out) = 0;
};

class AudioSink {
 public:
  virtual ~AudioSink() = default;
  // Opens the output, preferring `preferred`; returns the format it will actually read (the
  // pipeline resamples to it). `source` outlives the sink's use of it (until close()).
  virtual Expected<AudioFormat, Error> open(const AudioFormat& preferred, AudioSource& source) = 0;
  virtual void set_paused(bool paused) = 0;
  // Sinks without a device thread read the source here (called on every MediaPipeline::pump()
  // while playing). Device sinks (SDL) do nothing.
  virtual void pump() {}
  // How long a sample read now takes to be heard (device buffering). 0 for null sinks.
  virtual std::chrono::microseconds latency() const = 0;
  virtual void close() = 0;
};

// ---- null sinks: headless playback and benchmarks ----

enum class NullPace {
  kWallClock,        // consumes audio at the injected Clock's pace, like a sound card would
  kAsFastAsPossible  // consumes everything available on every pump (benchmarks, frame checks)
};

class NullAudioSink final : public AudioSink {
 public:
  NullAudioSink(const Clock& clock, NullPace pace) : clock_(clock), pace_(pace) {}
  Expected<AudioFormat, Error> open(const AudioFormat& preferred, AudioSource& source) override;
  void set_paused(bool paused) override;
  void pump() override;
  std::chrono::microseconds latency() const override { return std::chrono::microseconds{0}; }
  void close() override { source_ = nullptr; }

  std::size_t frames_read() const { return frames_read_; }  // sample frames that carried media

 private:
  const Clock& clock_;
  NullPace pace_;
  AudioFormat format_;
  AudioSource* source_ = nullptr;  // not owned; set between open() and close()
  bool paused_ = true;
  SteadyTime last_{};
  double owed_frames_ = 0;  // fractional sample frames carried to the next pump
  std::size_t frames_read_ = 0;
};

// Counts frames and keeps the last one; nothing is shown.
class NullVideoSink final : public VideoSink {
 public:
  std::optional<Error> present(const VideoFrame& frame) override {
    ++presented_;
    last_ = frame;
    return std::nullopt;
  }
  std::size_t presented() const { return presented_; }
  const VideoFrame& last() const { return last_; }

 private:
  std::size_t presented_ = 0;
  VideoFrame last_;
};

// Hands every presented frame, with its presentation time (VideoFrame::pts), to the embedder, which
// draws it itself. The callback runs on the presentation thread; it may keep the frame.
class FrameCallbackVideoSink final : public VideoSink {
 public:
  using Callback = std::function<void(const VideoFrame&)>;
  explicit FrameCallbackVideoSink(Callback callback) : callback_(std::move(callback)) {}
  std::optional<Error> present(const VideoFrame& frame) override {
    callback_(frame);
    return std::nullopt;
  }

 private:
  Callback callback_;
};

}  // namespace abrplay::media
