// abrplay/player/media/pipeline.h: turns fed segments into pictures and sound, on time.
//
// Threads (one owner each):
//  - the producer (the player thread; in tests the test) pushes segments into feed(track);
//  - one decode thread per track (started by start()): pops segments, demuxes them through a custom
//    AVIOContext, decodes, converts, and pushes into a bounded queue (back pressure: it blocks when
//    the queue is full, so memory stays bounded whatever the producer does);
//  - the presentation thread: whichever thread the embedder calls pump() on (the main thread for
//    SDL). It runs the state machine, drives device-less audio sinks, presents due video frames and
//    due cues. Controls (pause, seek, rate, volume) may be called from any thread.
//  - an audio device thread (SDL's callback) reads audio through AudioSource; reading is what moves
//    the master clock.
//
// State machine (state()):
//   kIdle --start()--> kBuffering --(audio >= prebuffer and a video frame, or ended)--> kPlaying
//   kPlaying --(audio ran dry, or the video frame on screen ended with none decoded, before the
//             end of stream)--> kBuffering   (counted as a rebuffer; the clock stops)
//   kPlaying/kBuffering --pause()--> kPaused --resume()--> kBuffering
//   any --seek()--> kBuffering (queues flushed; frames before the target are decoded and discarded)
//   splice() changes no state: audio and video go on (an audio underrun at the switch point is a
//   rebuffer as any other)
//   kPlaying --(every track ended and drained)--> kEnded;  seek() leaves kEnded
//
// Clock: the audio output is the master clock (position of the samples read by the sink minus its
// latency). Without an audio track, or once audio has ended, the injected Clock drives it.
// In PresentMode::kAsFastAsPossible there is no clock: every frame is presented, none dropped.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "abrplay/core/clock.h"
#include "abrplay/core/track_type.h"
#include "abrplay/player/error.h"
#include "abrplay/player/media/segment_feed.h"
#include "abrplay/player/media/sinks.h"

namespace abrplay::media {

enum class PresentMode {
  kRealTime,         // present on the audio clock; late frames dropped
  kAsFastAsPossible  // every frame presented as soon as decoded (benchmarks, frame-exact checks)
};

enum class PipelineState { kIdle, kBuffering, kPlaying, kPaused, kEnded };

struct PipelineConfig {
  PresentMode mode = PresentMode::kRealTime;
  bool video = true;  // which tracks exist; each has a feed and a decode thread
  bool audio = true;
  bool text = false;
  // libavcodec threads for video (frame + slice threading). 0 lets FFmpeg pick one per core.
  int video_decode_threads = 2;
  // Hardware decoding through FFmpeg's hwdevice API, e.g. "vaapi", "vdpau", "cuda"; empty = off.
  // When the device cannot be created the decoder falls back to software and reports a
  // kHardwareFallback event.
  std::string hw_device;
  // Decoded-media queues: 12 frames is half a second at 25 fps and ~36 MB at 1080p; 500 ms of audio
  // is ~6 sink periods of slack for the audio device thread.
  std::size_t video_queue_frames = 12;
  std::chrono::microseconds audio_queue{500'000};
  // Audio needed before (re)starting: 200 ms, so one slow segment open does not underrun at once.
  std::chrono::microseconds prebuffer{200'000};
  AudioFormat preferred_audio{};
};

// Sinks are not owned and must outlive the pipeline. Null members: that output is discarded.
struct PipelineSinks {
  VideoSink* video = nullptr;
  AudioSink* audio = nullptr;
  TextSink* text = nullptr;
};

struct MediaEvent {
  enum class Kind {
    kError,             // `error` says what failed and where; playback goes on
    kHardwareFallback,  // hardware decoding was asked for but software is used (`error` says why)
    kDecoderReinit,     // codec parameters changed: the decoder of `track` was re-created
    kBuffering,         // entered kBuffering (start, rebuffer, seek)
    kPlaying,
    kEnded,
  };
  Kind kind = Kind::kError;
  TrackType track = TrackType::kVideo;
  Error error;
};

struct MediaStats {
  std::uint64_t video_frames_decoded = 0;
  std::uint64_t video_frames_presented = 0;
  std::uint64_t video_frames_dropped_late = 0;    // due but superseded by a later due frame
  std::uint64_t video_frames_discarded_seek = 0;  // decoded before a seek target
  std::uint64_t audio_frames_played = 0;          // sample frames read by the sink
  std::uint64_t audio_underruns = 0;
  std::uint64_t rebuffers = 0;
  std::uint64_t segments_demuxed = 0;
  std::uint64_t segments_skipped = 0;  // corrupt or truncated
  std::uint64_t decoder_reinits = 0;   // codec parameters changed (not counting the first open)
  std::uint64_t errors = 0;
  bool hardware_decoding = false;
  double playback_rate = 1.0;  // set_rate()
  // Audio goes through the time-stretch filter (atempo): the rate is not 1.0, or stretched audio
  // from before a change back to 1.0 is still being played. False means no filter in the path.
  bool audio_time_stretch = false;
  // A/V drift: presented frame pts minus the master clock when it was shown (positive: early).
  std::chrono::microseconds av_drift_last{0};
  std::chrono::microseconds av_drift_max_abs{0};
  // The frame on screen: its pts (none before the first frame), and when the first frame was
  // presented (the pipeline's clock).
  std::optional<std::chrono::microseconds> video_pts_presented;
  std::optional<SteadyTime> first_video_frame_time;
};

class MediaPipeline {
 public:
  MediaPipeline(const Clock& clock, PipelineConfig config, PipelineSinks sinks);
  ~MediaPipeline();  // stops and joins the decode threads
  MediaPipeline(const MediaPipeline&) = delete;
  MediaPipeline& operator=(const MediaPipeline&) = delete;

  // The input of a track configured in PipelineConfig (any thread; see segment_feed.h).
  SegmentFeed& feed(TrackType track);

  // Opens the audio sink and starts one decode thread per track. Presentation thread. Fails with
  // kInvalidArgument when an audio track is configured without an audio sink (audio is the clock),
  // kOutputAudio when the sink cannot open, kInvalidState when called twice.
  [[nodiscard]] std::optional<Error> start();

  // Presentation thread: one step of presentation. Returns how long the caller may wait (e.g. with
  // wait()) before the next call is useful; pump() is cheap to call more often.
  std::chrono::microseconds pump();
  // Blocks the calling thread until a decode thread queued something, a control was called, or
  // `max` (real time) passed. For embedders without their own event loop.
  void wait(std::chrono::microseconds max);

  // Controls: any thread.
  void pause();
  void resume();
  // Flushes every track and restarts at `target`: the producer must then push the segment that
  // contains `target` (and what follows). The first frame shown is the one whose interval
  // [pts, pts + duration) contains `target`; audio starts at the exact sample.
  void seek(std::chrono::microseconds target);
  // A track switch in place (another language): `track` alone changes at `at`, the clock and the
  // other tracks go on. Audio: what was decoded from `at` on is dropped (cut at the exact sample;
  // `at` moves up to the next sample to be played if it lies behind it), the segments queued from
  // `at` on too; the decode thread finishes the segments before `at`, then resets its decoder, and
  // keeps the new track's audio from `at` (the producer then pushes the segment containing `at`
  // and what follows, usually with another init segment; codec or sample rate may differ). Text:
  // every cue not shown yet is dropped and the one on screen cleared. A seek supersedes a splice.
  void splice(TrackType track, std::chrono::microseconds at);
  // 0.5 .. 2.0 (kInvalidArgument outside). Pitch is kept: at any rate but 1.0 audio goes through
  // FFmpeg's atempo time-stretch; the clock advances by the media consumed, at this rate. Heard
  // within ~100 ms (docs/media.md, "Controls").
  [[nodiscard]] std::optional<Error> set_rate(double rate);
  void set_volume(float volume);  // 0 .. 1 (values above 1 are clamped)
  void set_muted(bool muted);

  PipelineState state() const;
  std::chrono::microseconds position() const;  // the master clock
  MediaStats stats() const;
  std::vector<MediaEvent> take_events();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace abrplay::media
