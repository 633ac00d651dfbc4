// Player::Impl as the engine's SegmentConsumer (player thread): builds the sinks and the media
// pipeline for a session, feeds it segments, and every kTick carries its position and events back.
#include "player_impl.h"

#include <algorithm>

namespace abrplay {

namespace {

// How often the pipeline's position and events are carried to the engine (the engine wants at least
// every 250 ms; 50 ms keeps max-speed playback responsive).
constexpr milliseconds kTick{50};

// Hands due cues to SinkConfig::on_cue (presentation thread).
class CueCallbackTextSink final : public media::TextSink {
 public:
  explicit CueCallbackTextSink(std::function<void(const media::TextCue&)> callback) : callback_(std::move(callback)) {}
  void cue(const media::TextCue& cue) override {
    if (callback_) callback_(cue);
  }
  void clear() override {}

 private:
  std::function<void(const media::TextCue&)> callback_;
};

}  // namespace

void Player::Impl::attach(engine::SegmentSource& source, std::span<const TrackType> tracks, MediaTime start) {
  source_ = &source;
  tracks_.assign(tracks.begin(), tracks.end());
  // The pipeline always has a text track, so subtitles can be turned on in place (splice()); while
  // the engine has none, its end of stream comes with the first on_data().
  if (!has(TrackType::kText)) tracks_.push_back(TrackType::kText);
  eos_.clear();
  gap_after_.clear();
  last_rebuffers_ = 0;
  last_underruns_ = 0;
  last_dropped_ = 0;
  consumer_playing_ = false;
  start_position_ = start;
  fed_video_.clear();
  auto out = std::make_shared<Output>();
  const bool max_speed = config_.sinks.kind == SinkKind::kNullMaxSpeed ||
                         ((config_.sinks.kind == SinkKind::kFrameCallback ||
                           config_.sinks.kind == SinkKind::kExternal) &&
                          config_.sinks.max_speed);
  media::PipelineConfig pc;
  pc.mode = max_speed ? media::PresentMode::kAsFastAsPossible : media::PresentMode::kRealTime;
  pc.video = has(TrackType::kVideo);
  pc.audio = has(TrackType::kAudio);
  pc.text = has(TrackType::kText);
  media::PipelineSinks sinks;
  const bool external = config_.sinks.kind == SinkKind::kExternal;
  if (pc.audio && external && config_.sinks.audio) {
    sinks.audio = config_.sinks.audio;
  } else if (pc.audio) {
    out->audio = std::make_unique<media::NullAudioSink>(clock_, max_speed ? media::NullPace::kAsFastAsPossible
                                                                          : media::NullPace::kWallClock);
    sinks.audio = out->audio.get();
  }
  if (external && config_.sinks.video) {
    // the embedder's
  } else if (config_.sinks.kind == SinkKind::kFrameCallback && config_.sinks.on_frame) {
    out->video = std::make_unique<media::FrameCallbackVideoSink>(config_.sinks.on_frame);
  } else {
    out->video = std::make_unique<media::NullVideoSink>();
  }
  sinks.video = external && config_.sinks.video ? config_.sinks.video : out->video.get();
  if (pc.text) {
    out->text = std::make_unique<CueCallbackTextSink>(config_.sinks.on_cue);
    sinks.text = out->text.get();
  }
  out->pipeline = std::make_unique<media::MediaPipeline>(clock_, pc, sinks);
  // Started here, before anything is pushed and before the presentation thread sees it.
  if (auto e = out->pipeline->start()) {
    emit_warning(*e);
  }
  out->pipeline->pause();
  out->pipeline->set_volume(volume_);
  apply_rate(*out->pipeline);
  if (start > microseconds{0}) out->pipeline->seek(start);
  set_output(std::move(out));
  schedule_tick();
}

void Player::Impl::on_data() {
  auto out = output();
  if (!source_ || !out) return;
  for (TrackType t : tracks_) {
    while (auto seg = source_->read(t)) {
      if (seg->media->empty()) {  // skipped by the engine (failed everywhere): step over the gap
        gap_after_[t] = true;
        continue;
      }
      media::MediaSegment m;
      m.init = seg->init;
      m.data = seg->media;
      m.start = seg->start;
      m.duration = seg->duration;
      m.representation_id = seg->representation_id;
      m.init_changed = seg->representation_changed;
      m.discontinuity = seg->discontinuity || std::exchange(gap_after_[t], false);
      if (t == TrackType::kVideo) fed_video_.push_back({seg->start, seg->representation_id, seg->bandwidth});
      out->pipeline->feed(to_media(t)).push(std::move(m));
      eos_[t] = false;
    }
    if (source_->end_of_stream(t) && !eos_[t]) {
      out->pipeline->feed(to_media(t)).end_of_stream();
      eos_[t] = true;
    }
  }
}

// A track switch in place (player thread): the pipeline changes that track alone at `at`; the
// engine's read(track) now gives the new track's segments (fed by the on_data() below).
void Player::Impl::splice(TrackType track, MediaTime at) {
  if (!has(track)) tracks_.push_back(track);
  eos_[track] = false;
  gap_after_[track] = false;
  if (auto out = output()) out->pipeline->splice(to_media(track), at);
  on_data();
}

void Player::Impl::play() {
  consumer_playing_ = true;
  if (auto out = output()) out->pipeline->resume();
}

void Player::Impl::pause() {
  consumer_playing_ = false;
  if (auto out = output()) out->pipeline->pause();
}

// Live catch-up (player thread): the engine's rate, 0.5 .. 2 (the pipeline refuses others).
void Player::Impl::set_rate(double rate) {
  consumer_rate_ = rate;
  if (auto out = output()) apply_rate(*out->pipeline);
}

void Player::Impl::apply_rate(media::MediaPipeline& pipeline) {
  const double rate = std::clamp(playback_rate_ * consumer_rate_, 0.5, 2.0);
  if (auto e = pipeline.set_rate(rate)) log(LogLevel::kWarning, "playback rate: " + e->describe());
}

void Player::Impl::flush(MediaTime position) {
  eos_.clear();
  gap_after_.clear();
  start_position_ = position;
  position_ = position;
  fed_video_.clear();  // fed again from the new position
  if (auto out = output()) {
    out->pipeline->seek(position);
    last_rebuffers_ = out->pipeline->stats().rebuffers;
    last_underruns_ = out->pipeline->stats().audio_underruns;
  }
}

MediaTime Player::Impl::position() const {
  auto out = output();
  return out ? out->pipeline->position() : start_position_;
}

void Player::Impl::schedule_tick() {
  cancel_tick();
  tick_timer_ = loop_->post_after(kTick, [this] {
    tick_timer_ = 0;
    on_tick();
    if (source_) schedule_tick();
  });
}

void Player::Impl::cancel_tick() {
  if (tick_timer_) loop_->cancel(tick_timer_);
  tick_timer_ = 0;
}

void Player::Impl::on_tick() {
  auto out = output();
  if (!out || !source_ || !engine_) return;
  position_ = out->pipeline->position();
  const media::MediaStats ms = out->pipeline->stats();
  bool ended = false;
  for (const media::MediaEvent& ev : out->pipeline->take_events()) {
    if (ev.kind == media::MediaEvent::Kind::kEnded) ended = true;
    if (ev.kind == media::MediaEvent::Kind::kError || ev.kind == media::MediaEvent::Kind::kHardwareFallback) {
      emit_warning(ev.error);
      if (recorder_) recorder_->on_error(clock_.steady(), ev.error, "");
    }
  }
  if (ms.video_frames_dropped_late > last_dropped_ && recorder_) {
    recorder_->on_dropped_frames(ms.video_frames_dropped_late - last_dropped_);
  }
  last_dropped_ = ms.video_frames_dropped_late;
  {
    std::lock_guard lock(visible_mu_);
    stats_.frames_presented = ms.video_frames_presented;
    stats_.frames_dropped = ms.video_frames_dropped_late;
    stats_.video_buffer = engine_->buffer_ahead(TrackType::kVideo);
    stats_.audio_buffer = engine_->buffer_ahead(TrackType::kAudio);
    if (ms.first_video_frame_time && !first_frame_seen_) {
      first_frame_seen_ = true;
      stats_.first_frame_time = std::chrono::duration_cast<microseconds>(*ms.first_video_frame_time - load_time_);
      if (press_time_) {
        stats_.press_to_first_frame = std::chrono::duration_cast<microseconds>(*ms.first_video_frame_time -
                                                                               *press_time_);
      }
    }
  }
  update_on_screen(ms);
  source_->report_position(position_);
  if (ended || out->pipeline->state() == media::PipelineState::kEnded) {
    // The engine takes the end only while playing: repeated on every tick until it did (it may be
    // rebuffering or seeking when the pipeline drains).
    if (engine_->state() != engine::EngineState::kEnded) source_->report_ended();
  } else if (ms.rebuffers > last_rebuffers_ && consumer_playing_ && engine_->state() == engine::EngineState::kPlaying) {
    // The pipeline ran dry before the end: the engine rebuffers and calls play() when ready.
    consumer_playing_ = false;
    out->pipeline->pause();
    if (config_.log) {
      const bool audio = ms.audio_underruns > last_underruns_;
      log(LogLevel::kDebug, std::string("the pipeline ran dry (") + (audio ? "audio" : "video") + ")");
    }
    source_->report_starved();
  }
  last_rebuffers_ = ms.rebuffers;
  last_underruns_ = ms.audio_underruns;
  sync_visible();
}

// The rendition on screen: of the video segments fed, the last whose start the frame on screen (before
// the first frame: the position) has reached. A segment's first frame may carry a pts a little
// before the segment's start in the MPD (rounding of timescales): 5 ms of slack, under a frame.
void Player::Impl::update_on_screen(const media::MediaStats& ms) {
  constexpr MediaTime kSlack{5'000};
  const MediaTime at = ms.video_pts_presented.value_or(position_) + kSlack;
  std::optional<FedVideo> reached;
  while (!fed_video_.empty() && fed_video_.front().start <= at) {
    reached = std::move(fed_video_.front());
    fed_video_.pop_front();
  }
  if (!reached || reached->representation_id == shown_video_) return;
  const telemetry::RepresentationInfo info = rep_info(reached->representation_id, reached->bandwidth);
  std::lock_guard lock(visible_mu_);
  if (!shown_video_.empty()) ++stats_.switches;
  stats_.video_representation = info.id;
  stats_.video_bitrate_bps = info.bitrate.whole_bps();
  stats_.video_width = info.width;
  stats_.video_height = info.height;
  shown_video_ = reached->representation_id;
}

}  // namespace abrplay
