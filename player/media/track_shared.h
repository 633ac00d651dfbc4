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
  bool push(TextCue cue, std::uint64_t epoch);
  std::optional<TextCue> pop_due(std::chrono::microseconds now, bool all);
  void clear(std::uint64_t new_epoch);

 private:
  std::mutex mu_;
  std::deque<TextCue> q_;
  std::uint64_t epoch_ = 0;
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
  std::function<void()> notify;                               // wakes MediaPipeline::wait()
};

}  // namespace abrplay::media
