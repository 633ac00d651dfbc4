// abrplay/player/media/segment_feed.h: the input of one media track, the contract between the
// streaming engine (producer) and the media pipeline (consumer).
//
// Threads: push(), end_of_stream() and flush() are called by the producer (the player thread);
// pop() is called only by the track's decode thread. Every method is thread-safe (one mutex).
//
// Contract:
//  - Segments are pushed in presentation order. Each carries its initialisation segment: the
//    pipeline opens a demuxer on init + media for every segment, so a representation switch needs
//    nothing more than the new init; it keeps its decoder unless the codec parameters changed.
//    `init_changed` is informational (the switch is detected from the init itself).
//  - `start` and `duration` are the segment's place on the MPD timeline. The pipeline trusts the
//    fragment's tfdt when it agrees with `start` within kTimelineTolerance, else it maps the first
//    sample of the segment onto `start` (content whose tfdt does not follow the MPD).
//  - `discontinuity` tells the pipeline not to expect continuity with the previous segment (a period
//    boundary, a skipped segment): timestamps are re-anchored, nothing is bridged.
//  - flush() (for seek) drops every queued segment and bumps the epoch; a pop() in progress returns
//    kFlushed so the decode thread resets its demuxer and decoder state.
//  - splice(at) (a track switch in place) drops the queued segments that start at or after `at` and
//    puts a mark after those it keeps: the decode thread pops them, then sees kSpliced once (it
//    resets its decoder for the new track, as MediaPipeline::splice arranged), then what is pushed.
//  - The feed never copies payloads: segments share ownership of the engine's buffers.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "abrplay/core/bytes.h"

namespace abrplay::media {

// What the feed carries. For text tracks `init` may be null and `data` holds a whole WebVTT file.
struct MediaSegment {
  Bytes init;
  Bytes data;
  std::chrono::microseconds start{0};  // on the MPD timeline (period start + segment time)
  std::chrono::microseconds duration{0};
  std::string representation_id;
  std::uint64_t number = 0;   // the segment number or index, for error messages only
  bool init_changed = false;  // a representation switch (informational; see above)
  bool discontinuity = false;
};

// Half a 1 s GOP's worth: tfdt and the MPD timeline of a well-formed stream agree to a frame or an
// AAC packet; anything further apart means the content's media time is offset (presentationTimeOffset).
inline constexpr std::chrono::microseconds kTimelineTolerance{500'000};

class SegmentFeed {
 public:
  enum class PopStatus {
    kSegment,      // `out` holds the next segment
    kEndOfStream,  // the producer called end_of_stream() and everything before it was popped
    kFlushed,      // flush() happened since the last pop: reset, then pop again
    kSpliced,      // the splice() mark: the segments kept before the cut were popped; the new track follows
    kClosed,       // close() was called: the pipeline is shutting down
  };

  SegmentFeed() = default;
  SegmentFeed(const SegmentFeed&) = delete;
  SegmentFeed& operator=(const SegmentFeed&) = delete;

  // Producer (player thread). push() after end_of_stream() re-opens the stream (e.g. after a seek).
  void push(MediaSegment segment);
  void end_of_stream();
  // Drops queued segments and the end-of-stream mark; the consumer sees kFlushed once.
  void flush();
  // Drops queued segments starting at or after `at` (within kTimelineTolerance / 5, a rounding);
  // after the segments kept are popped, pop() reports kSpliced once. A flush() supersedes it.
  void splice(std::chrono::microseconds at);

  // Consumer (decode thread): blocks until a segment, end of stream (reported once), a flush or close.
  PopStatus pop(MediaSegment& out);
  // Non-blocking variant of pop(); returns nullopt when nothing is ready.
  std::optional<PopStatus> try_pop(MediaSegment& out);

  // Either side. Wakes a blocked pop() with kClosed, forever.
  void close();

  std::size_t queued() const;
  std::chrono::microseconds queued_duration() const;

 private:
  std::optional<PopStatus> take_locked(MediaSegment& out);

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<MediaSegment> queue_;  // guarded by mu_
  bool eos_ = false;                // guarded by mu_
  bool eos_delivered_ = false;      // guarded by mu_
  bool flushed_ = false;            // guarded by mu_
  // splice(): kFlushed is due once this many more segments were popped. Guarded by mu_.
  std::optional<std::size_t> splice_after_;
  bool closed_ = false;  // guarded by mu_
};

}  // namespace abrplay::media
