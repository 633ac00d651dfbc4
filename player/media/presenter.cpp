// MediaPipeline::Impl, presentation side: pump() and what it calls. Presentation thread only.
#include <algorithm>

#include "pipeline_impl.h"

namespace abrplay::media {

using std::chrono::microseconds;

namespace {
// How long pump() lets the caller wait when nothing is due: 10 ms, a typical audio period, short
// enough that a control or a newly decoded frame is acted on within a frame interval (40 ms).
constexpr microseconds kIdlePoll{10'000};
}  // namespace

void MediaPipeline::Impl::present(const VideoFrame& f, std::optional<microseconds> pos) {
  std::optional<Error> e;
  if (sinks_.video != nullptr) e = sinks_.video->present(f);
  std::lock_guard lock(mu_);
  ++present_stats_.video_frames_presented;
  if (!present_stats_.first_video_frame_time) present_stats_.first_video_frame_time = clock_.steady();
  // A corrupt segment can carry a timestamp near the ends of the 64-bit range, where the additions
  // and abs() below would overflow: such frames move neither the clock nor the drift statistics.
  constexpr microseconds kSaneTime = std::chrono::hours(24 * 365 * 100);
  const bool sane = f.pts > -kSaneTime && f.pts < kSaneTime && f.duration >= microseconds{0} && f.duration < kSaneTime;
  if (sane) {
    last_video_end_ = f.pts + f.duration;
    present_stats_.video_pts_presented = f.pts;
  }
  if (pos && sane && *pos > -kSaneTime && *pos < kSaneTime) {
    const microseconds drift = f.pts - *pos;
    present_stats_.av_drift_last = drift;
    present_stats_.av_drift_max_abs = std::max(present_stats_.av_drift_max_abs, std::chrono::abs(drift));
  }
  if (e) {
    events_.push_back(MediaEvent{MediaEvent::Kind::kError, TrackType::kVideo, std::move(*e)});
  }
}

void MediaPipeline::Impl::present_video_realtime(microseconds pos) {
  for (;;) {
    const auto f = video_q_.front();
    if (!f || f->pts > pos) return;
    const auto next = video_q_.second_pts();
    if (next && *next <= pos) {  // late: a later frame is already due
      {
        std::lock_guard lock(mu_);
        ++present_stats_.video_frames_dropped_late;
      }
      video_q_.pop(*f);
      continue;
    }
    present(*f, pos);
    video_q_.pop(*f);
    return;
  }
}

void MediaPipeline::Impl::drop_frames_before_clock() {
  // While rebuffering after video fell behind, frames that ended before the stopped clock can never
  // be shown on time: drop them now, so playback resumes in sync instead of replaying them late.
  microseconds pos;
  {
    std::lock_guard lock(mu_);
    if (anchor_pending_) return;  // start: the clock is set from the first media, not yet known
    pos = anchor_pos_;
  }
  while (const auto f = video_q_.front()) {
    if (f->pts + f->duration > pos) return;
    {
      std::lock_guard lock(mu_);
      ++present_stats_.video_frames_dropped_late;
    }
    video_q_.pop(*f);
  }
}

void MediaPipeline::Impl::present_video_all() {
  while (const auto f = video_q_.front()) {
    present(*f, std::nullopt);
    video_q_.pop(*f);
  }
}

void MediaPipeline::Impl::deliver_cues(microseconds pos, bool all) {
  while (auto cue = cues_.pop_due(pos, all)) {
    if (sinks_.text != nullptr) sinks_.text->cue(*cue);
  }
}

microseconds MediaPipeline::Impl::pump() {
  const SteadyTime now = clock_.steady();
  PipelineState st;
  bool clear_text = false;
  {
    std::lock_guard lock(mu_);
    st = state_;
    clear_text = std::exchange(clear_text_, false);
  }
  if (clear_text && sinks_.text != nullptr) sinks_.text->clear();
  AudioSink* audio = config_.audio ? sinks_.audio : nullptr;
  if (audio != nullptr && ended(TrackType::kAudio)) audio_q_.end_of_input();  // flush the time-stretch
  // A filter failure met by the device read (the tempo thread reports its own).
  if (auto e = audio_q_.take_stretch_error()) post(MediaEvent{MediaEvent::Kind::kError, TrackType::kAudio, *e});
  if (st == PipelineState::kIdle || st == PipelineState::kPaused || st == PipelineState::kEnded) {
    if (audio != nullptr && st != PipelineState::kIdle) audio->set_paused(true);
    return kIdlePoll;
  }

  if (config_.mode == PresentMode::kAsFastAsPossible) {
    if (st == PipelineState::kBuffering) {
      std::lock_guard lock(mu_);
      set_state_locked(PipelineState::kPlaying);
      if (audio != nullptr) audio->set_paused(false);
    }
    if (audio != nullptr) audio->pump();
    present_video_all();
    deliver_cues(microseconds{0}, true);
    if (all_ended()) {
      std::lock_guard lock(mu_);
      set_state_locked(PipelineState::kEnded);
    }
    return video_q_.size() > 0 ? microseconds{0} : kIdlePoll;
  }

  if (st == PipelineState::kBuffering) {
    drop_frames_before_clock();
    if (!ready_to_play()) return kIdlePoll;
    {
      std::lock_guard lock(mu_);
      if (anchor_pending_) {
        const auto f = video_q_.front();
        const auto a = audio_q_.front_pts();
        anchor_pos_ = a ? *a : (f ? f->pts : microseconds{0});
        anchor_pending_ = false;
      }
      anchor_time_ = now;
      set_state_locked(PipelineState::kPlaying);
    }
    if (audio != nullptr) audio->set_paused(false);
  }

  if (audio != nullptr) audio->pump();
  microseconds pos;
  {
    std::lock_guard lock(mu_);
    pos = master_locked(clock_.steady());
    // Re-anchor the wall clock on every step, so that if audio ends (or was never there) the clock
    // continues from where it is rather than from where playback started.
    anchor_pos_ = pos;
    anchor_time_ = clock_.steady();
    const bool audio_dry = config_.audio && !ended(TrackType::kAudio) && audio_q_.buffered() <= microseconds{0};
    // Video is starving when the frame on screen has run out and the decoder has nothing newer.
    const bool video_dry = config_.video && !ended(TrackType::kVideo) && video_q_.size() == 0 && last_video_end_ &&
                           pos >= *last_video_end_;
    if (audio_dry || video_dry) {
      // A track ran dry before its end: the clock must not run past it. Rebuffer.
      anchor_pos_ = pos;
      if (audio_dry) ++present_stats_.audio_underruns;
      ++present_stats_.rebuffers;
      set_state_locked(PipelineState::kBuffering);
    }
  }
  present_video_realtime(pos);
  deliver_cues(pos, false);
  std::lock_guard lock(mu_);
  if (state_ == PipelineState::kBuffering && audio != nullptr) audio->set_paused(true);
  if (all_ended()) set_state_locked(PipelineState::kEnded);
  const auto f = video_q_.front();
  if (!f) return kIdlePoll;
  const auto until = microseconds{
      static_cast<std::int64_t>(static_cast<double>((f->pts - pos).count()) / rate_.load())};
  return std::clamp(until, microseconds{0}, kIdlePoll);
}

}  // namespace abrplay::media
