// abrplay/player/engine/virtual_consumer.h: a headless consumer that plays nothing but time.
//
// It reads every segment as soon as the engine has it (a decoder with an unbounded input queue) and
// advances the playback position at `speed` x real time on the injected Clock while playing. When
// the position reaches the end of what it has read on some track, it stops and reports a stall
// (or the end, when every track is at its end of stream). A gap in every track (a live
// jump-forward, a period that starts late) is skipped at once, as a player skips a gap.
// Text tracks are read (so they can be evicted) but never stop playback or hold its end.
// speed > 1 lets tests play a minute of media in seconds; the engine and ABR see media time.
//
// Threads: player thread only (EventLoop timers); no locks.
#pragma once
#include <cstdint>
#include <deque>
#include <map>
#include <utility>
#include <vector>

#include "abrplay/player/engine/event_loop.h"
#include "abrplay/player/engine/segment_consumer.h"

namespace abrplay::engine {

class VirtualConsumer final : public SegmentConsumer {
 public:
  // Positions are reported every `report_every` of media time while playing (250 ms: what
  // HTML5 timeupdate does, fine enough for buffer levels and eviction).
  VirtualConsumer(EventLoop& loop, double speed = 1.0, MediaTime report_every = std::chrono::milliseconds(250));
  ~VirtualConsumer() override;
  VirtualConsumer(const VirtualConsumer&) = delete;
  VirtualConsumer& operator=(const VirtualConsumer&) = delete;

  void attach(SegmentSource& source, std::span<const TrackType> tracks, MediaTime start) override;
  void on_data() override;
  void play() override;
  void pause() override;
  void flush(MediaTime position) override;
  void splice(TrackType track, MediaTime at) override;
  void set_rate(double rate) override;
  MediaTime position() const override;

  bool playing() const { return playing_; }
  std::uint64_t segments_read() const { return segments_read_; }

 private:
  struct Track {
    TrackType type = TrackType::kVideo;
    std::deque<std::pair<MediaTime, MediaTime>> ranges;  // read and not yet played: [start, end)
  };
  void read_all();
  void trim();
  // Where playback must stop: the smallest contiguous end over the tracks still streaming.
  std::optional<MediaTime> limit() const;
  bool all_ended() const;
  void skip_gap();
  void reschedule();
  void on_tick();
  void stop_advancing();

  EventLoop& loop_;
  const double speed_;
  double rate_ = 1.0;  // set_rate(): media time per speed_-scaled real time
  const MediaTime report_every_;
  SegmentSource* source_ = nullptr;  // not owned; set by attach()
  std::vector<Track> tracks_;
  bool playing_ = false;          // the engine said play
  MediaTime anchor_position_{0};  // position at anchor_time_
  SteadyTime anchor_time_{};
  EventLoop::TimerId timer_ = 0;
  std::uint64_t segments_read_ = 0;
};

}  // namespace abrplay::engine
