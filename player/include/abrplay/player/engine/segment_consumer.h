// abrplay/player/engine/segment_consumer.h: the boundary between the streaming engine (download
// side) and whatever plays the segments (the media pipeline, or the headless VirtualConsumer).
//
// Pull model, per track, on the player thread:
//   engine -> consumer   attach(source, tracks)    once, before anything else
//                        on_data()                 new segments (or an end of stream) to pull
//                        play() / pause()          advance the playback position, or hold it
//                        flush(position)           a seek: drop everything read, restart there
//                        set_rate(rate)            play `rate` x media time per real time (live
//                                                  catch-up: 0.5 .. 2, pitch kept by the pipeline)
//                        splice(track, at)         a track switch in place: for `track` only,
//                                                  drop what was read from `at` on; read(track)
//                                                  then gives the new track's segments, the first
//                                                  containing `at` (it may start before `at`:
//                                                  play it from `at`); other tracks go on. For a
//                                                  track new to the session (subtitles turned on)
//                                                  it starts reading that track.
//   consumer -> engine   source.read(track)        the next segment of a track, in presentation
//                                                  order: init + media bytes (shared, immutable),
//                                                  start/duration, discontinuity and
//                                                  representation_changed flags (track_buffer.h)
//                        source.end_of_stream(t)   nothing more will come for that track
//                        source.report_position(p) the playback position, at least every 250 ms
//                                                  while playing; the engine evicts behind it
//                        source.report_starved()   a track ran dry: playback stopped (a stall)
//                        source.report_ended()     every track played to its end of stream
// Threads: every call in both directions happens on the player thread. A consumer with threads of
// its own (decoders) posts to the engine's EventLoop to call the source, and keeps the segments it
// read (shared_ptr) as long as it needs them.
#pragma once
#include <optional>
#include <span>

#include "abrplay/player/engine/load_control.h"
#include "abrplay/player/engine/track_buffer.h"
#include "abrplay/player/engine/track_selection.h"

namespace abrplay::engine {

class SegmentSource {
 public:
  virtual ~SegmentSource() = default;
  virtual std::optional<BufferedSegment> read(TrackType track) = 0;
  virtual bool end_of_stream(TrackType track) const = 0;
  virtual void report_position(MediaTime position) = 0;
  virtual void report_starved() = 0;
  virtual void report_ended() = 0;
};

class SegmentConsumer {
 public:
  virtual ~SegmentConsumer() = default;
  // `source` outlives the consumer's use of it (until the next attach or the consumer's end).
  virtual void attach(SegmentSource& source, std::span<const TrackType> tracks, MediaTime start) = 0;
  virtual void on_data() = 0;
  virtual void play() = 0;
  virtual void pause() = 0;
  virtual void flush(MediaTime position) = 0;
  virtual void splice(TrackType track, MediaTime at) = 0;
  virtual void set_rate(double rate) = 0;
  virtual MediaTime position() const = 0;
};

}  // namespace abrplay::engine
