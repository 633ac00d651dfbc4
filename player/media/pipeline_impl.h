// player/media/pipeline_impl.h: MediaPipeline's private state. See pipeline.h for the threads and
// the state machine; the field groups below say which thread touches them.
#pragma once

#include <array>
#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "abrplay/player/media/pipeline.h"
#include "frame_queues.h"
#include "track_shared.h"
#include "track_worker.h"

namespace abrplay::media {

class MediaPipeline::Impl final : public AudioSource {
 public:
  Impl(const Clock& clock, PipelineConfig config, PipelineSinks sinks);
  ~Impl() override;

  // The feed of a configured track; for a track that is not configured, a closed feed that drops
  // what it is given (a caller bug, but not a crash).
  SegmentFeed& feed(TrackType t) {
    auto& tr = tracks_[static_cast<std::size_t>(t)];
    return tr ? tr->feed : disabled_feed_;
  }
  std::optional<Error> start();
  std::chrono::microseconds pump();
  void wait(std::chrono::microseconds max);
  void pause();
  void resume();
  void seek(std::chrono::microseconds target);
  void splice(TrackType track, std::chrono::microseconds at);
  std::optional<Error> set_rate(double rate);
  void set_volume(float v) { volume_.store(std::clamp(v, 0.0f, 1.0f)); }
  void set_muted(bool m) { muted_.store(m); }
  PipelineState state() const;
  std::chrono::microseconds position() const;
  MediaStats stats() const;
  std::vector<MediaEvent> take_events();

  // AudioSource: the audio device thread.
  std::size_t read(std::span<float> out) override;
  double rate() const { return rate_.load(); }

 private:
  bool ended(TrackType t) const;
  bool ready_to_play() const;
  bool all_ended() const;
  std::chrono::microseconds master_locked(SteadyTime now) const;
  void set_state_locked(PipelineState s);
  void post(MediaEvent e);
  void wake();
  void present_video_realtime(std::chrono::microseconds pos);
  void present_video_all();
  void drop_frames_before_clock();
  void present(const VideoFrame& f, std::optional<std::chrono::microseconds> pos);
  void deliver_cues(std::chrono::microseconds pos, bool all);
  void run_tempo_thread();

  // Immutable after construction.
  const Clock& clock_;
  const PipelineConfig config_;
  const PipelineSinks sinks_;

  // Shared with decode threads (each type is thread-safe on its own).
  SharedCounters counters_;
  SeekControl control_;
  VideoQueue video_q_;
  AudioQueue audio_q_;
  CueQueue cues_;
  std::array<std::unique_ptr<TrackShared>, 3> tracks_;
  SegmentFeed disabled_feed_;

  // Any thread, under mu_.
  mutable std::mutex mu_;
  PipelineState state_ = PipelineState::kIdle;
  bool paused_ = false;
  bool clear_text_ = false;                  // a seek asks the presentation thread to clear cues
  std::chrono::microseconds anchor_pos_{0};  // clock without audio: position at anchor_time_
  SteadyTime anchor_time_{};
  bool anchor_pending_ = true;  // take the anchor from the first queued media
  std::vector<MediaEvent> events_;
  std::optional<std::chrono::microseconds> last_video_end_;  // end of the frame on screen
  MediaStats present_stats_;                                 // the presentation thread's counters

  // Audio device thread and controls: atomics.
  std::atomic<double> rate_{1.0};
  std::atomic<float> volume_{1.0f};
  std::atomic<bool> muted_{false};
  std::atomic<std::uint64_t> audio_frames_played_{0};
  std::atomic<std::int64_t> last_read_ns_{0};  // clock_.steady() of the last read, since epoch

  // wait()/wake().
  std::mutex wake_mu_;
  std::condition_variable wake_cv_;
  bool woken_ = false;

  // Decode threads; last, so they stop before anything they use is destroyed.
  std::vector<std::unique_ptr<TrackWorker>> workers_;
  // The tempo thread (with an audio track): keeps stretched audio ready while the rate is not 1.0
  // (AudioQueue::stretch_next); joined once audio_q_ is closed.
  std::thread tempo_thread_;
};

}  // namespace abrplay::media
