// abrplay/player/engine/track_buffer.h: the buffer manager of one track.
//
// Segments are kept in presentation order with their time range, period and representation, the
// init segment and the media bytes as shared immutable vectors (a consumer on another thread holds
// them without copying). Two positions matter:
//   - the read cursor: the next segment the consumer has not taken yet (read_next());
//   - the play position the consumer reports: what lies before it is "behind", after it "ahead".
// evict() removes only segments that were read and lie wholly behind the play position: first those
// more than `max_behind` behind, then, while the buffer holds more than `max_bytes`, the oldest.
// The byte cap is kept strictly by the caller asking has_room() before fetching and again before
// push(); push() itself never refuses for size, so an unexpectedly large segment can be held back
// by the caller instead of being dropped.
//
// Flags set by push(): `discontinuity` when a segment does not continue the previous one (a gap
// larger than kContinuityTolerance, another period, or the first segment after a flush);
// `representation_changed` when its init segment differs from the previous segment's.
//
// Threads: owned by the player thread; no locks. Payload bytes are immutable and may be read on
// any thread once handed out.
#pragma once
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "abrplay/core/bytes.h"
#include "abrplay/core/units.h"
#include "abrplay/player/engine/load_control.h"

namespace abrplay::engine {

// Segment boundaries of different representations or tracks rarely line up to the microsecond
// (timescale rounding, audio frame sizes): 100 ms is less than one video frame at 10 fps and much
// less than any segment, so anything closer counts as contiguous.
inline constexpr MediaTime kContinuityTolerance = std::chrono::milliseconds(100);

struct BufferedSegment {
  MediaTime start{0};
  MediaTime duration{0};
  std::size_t period = 0;
  std::string representation_id;
  DataRate bandwidth;
  Bytes init;   // may be null when the representation has no init segment
  Bytes media;  // never null; empty for a segment that could not be downloaded (skipped: a gap to step over)
  bool discontinuity = false;           // set by push()
  bool representation_changed = false;  // set by push()
  MediaTime end() const { return start + duration; }
  std::uint64_t bytes() const { return media ? media->size() : 0; }
};

struct BufferLimits {
  // 48 MiB holds the 50 s max_buffer up to 7.5 Mbit/s (25 s of a 16 Mbit/s 4K rung); it caps
  // memory at high rates and on a lying manifest (a rung far above its declared bandwidth).
  std::uint64_t max_bytes = 48ull << 20;
  // Kept behind the play position for short backward seeks: dash.js bufferToKeep is 20 s, Shaka's
  // bufferBehind 30 s. 10 s: backward seeks are rare, and the memory is better spent ahead.
  MediaTime max_behind = std::chrono::seconds(10);
};

class TrackBuffer {
 public:
  // `segment.media` must not be null and the segment must not start before the end of the last one
  // minus kContinuityTolerance (presentation order); otherwise it is refused (returns false).
  bool push(BufferedSegment segment);
  // The next unread segment, or empty. Moves the read cursor.
  std::optional<BufferedSegment> read_next();
  bool has_unread() const;

  // Media ahead of `position` without a gap (0 when `position` is not buffered).
  MediaTime ahead(MediaTime position) const;
  // End of the last segment, or empty when the buffer is empty.
  std::optional<MediaTime> end() const;
  std::optional<MediaTime> start() const;
  // Whether `position` lies in a buffered segment, or just before the first (within the tolerance).
  bool contains(MediaTime position) const;

  // See the file comment; `incoming` bytes about to be pushed count against the byte cap.
  // Returns the number of segments evicted.
  std::size_t evict(MediaTime position, const BufferLimits& limits, std::uint64_t incoming = 0);
  // Whether `bytes` more fit under the cap once what evict() may remove at `position` is gone.
  bool has_room(std::uint64_t bytes, MediaTime position, const BufferLimits& limits) const;

  // Seek support: when `target` is buffered, keeps everything and moves the read cursor to the
  // segment containing it (returns true); otherwise empties the buffer (returns false).
  bool seek(MediaTime target);
  // A track switch in place (another adaptation set from `cut` on): keeps only the segments that end
  // after `position` and no later than `cut` (the old track still to be played before the cut);
  // those wholly behind the position (a backward seek must not find the old track) and those ending
  // after the cut (read or not) go. The read cursor stays on the first segment kept that was not
  // read. The next push may overlap the last segment kept (the new set's segment containing `cut`
  // when the sets' boundaries differ): it is accepted and marked a discontinuity with a
  // representation change.
  void splice(MediaTime position, MediaTime cut);
  void clear();

  std::uint64_t bytes() const { return bytes_; }
  std::size_t size() const { return segments_.size(); }
  // Segments handed to the consumer: the index in segments() of the next unread one.
  std::size_t read_count() const { return next_read_; }
  const std::deque<BufferedSegment>& segments() const { return segments_; }

 private:
  std::deque<BufferedSegment> segments_;
  std::size_t next_read_ = 0;  // index into segments_ of the next unread segment
  std::uint64_t bytes_ = 0;
  bool after_flush_ = true;    // the next push starts a new continuous run
  bool after_splice_ = false;  // the next push may overlap the last segment (splice())
};

}  // namespace abrplay::engine
