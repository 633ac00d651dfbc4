// player/media/track_shared.h: what a decode thread shares with the rest of the pipeline. Owned by
// MediaPipeline::Impl, which outlives every decode thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>

#include "abrplay/player/media/pipeline.h"
#include "frame_queues.h"

namespace abrplay::media {

// Counters written by decode threads and read by stats(): relaxed atomics (monotonic counts).
struct SharedCounters {
  std::atomic<std::uint64_t> video_frames_decoded{0};
  std::atomic<std::uint64_t> video_frames_discarded_seek{0};
  std::atomic<std::uint64_t> segments_demuxed{0};
  std::atomic<std::uint64_t> segments_skipped{0};
  std::atomic<std::uint64_t> decoder_reinits{0};
  std::atomic<std::uint64_t> errors{0};
  std::atomic<bool> hardware_decoding{false};
};

// Cues demuxed ahead of time, handed to the TextSink when due.
class CueQueue {
 public:
  // `splice`: the producer's splice generation; a cue of an older one is refused (false).
  bool push(TextCue cue, std::uint64_t epoch, std::uint64_t splice = 0);
  std::optional<TextCue> pop_due(std::chrono::microseconds now, bool all);
  void clear(std::uint64_t new_epoch);
  // A text track switch in place: drops every queued cue and starts splice generation `splice`.
  void splice(std::uint64_t splice);

 private:
  std::mutex mu_;
  std::deque<TextCue> q_;
  std::uint64_t epoch_ = 0;
  std::uint64_t splice_ = 0;
};

// Per-seek control: the epoch tags frames so stale ones are refused; the target is where the
// decode thread starts keeping frames after a flush.
struct SeekControl {
  mutable std::mutex mu;
  std::uint64_t epoch = 0;                          // guarded by mu
  std::optional<std::chrono::microseconds> target;  // guarded by mu
};

struct TrackShared {
  TrackType type = TrackType::kVideo;
  SegmentFeed feed;
  VideoQueue* video = nullptr;  // exactly one of these three is set, per `type`
  AudioQueue* audio = nullptr;
  CueQueue* text = nullptr;
  SeekControl* control = nullptr;
  SharedCounters* counters = nullptr;
  std::function<void(MediaEvent)> report;                     // thread-safe event sink
  std::atomic<std::uint64_t> ended_epoch{~std::uint64_t{0}};  // epoch in which the track ended
  // Track switches in place (MediaPipeline::splice), guarded by control->mu: the generation (0: none
  // yet) and where the new track starts; a seek resets splice_at (its own target rules then).
  std::uint64_t splice = 0;
  std::optional<std::chrono::microseconds> splice_at;
  std::function<void()> notify;  // wakes MediaPipeline::wait()
};

}  // namespace abrplay::media
