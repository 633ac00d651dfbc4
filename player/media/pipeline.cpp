#include <algorithm>
#include <thread>

#include "pipeline_impl.h"

namespace abrplay::media {

using std::chrono::microseconds;

MediaPipeline::Impl::Impl(const Clock& clock, PipelineConfig config, PipelineSinks sinks)
    : clock_(clock),
      config_(std::move(config)),
      sinks_(sinks),
      video_q_(config_.video_queue_frames, [this] { wake(); }),
      audio_q_(config_.audio_queue, [this] { wake(); }) {
  const std::array<bool, 3> enabled{config_.video, config_.audio, config_.text};
  for (std::size_t i = 0; i < 3; ++i) {
    if (!enabled[i]) continue;
    auto t = std::make_unique<TrackShared>();
    t->type = static_cast<TrackType>(i);
    t->video = t->type == TrackType::kVideo ? &video_q_ : nullptr;
    t->audio = t->type == TrackType::kAudio ? &audio_q_ : nullptr;
    t->text = t->type == TrackType::kText ? &cues_ : nullptr;
    t->control = &control_;
    t->counters = &counters_;
    t->report = [this](MediaEvent e) { post(std::move(e)); };
    t->notify = [this] { wake(); };
    tracks_[i] = std::move(t);
  }
  disabled_feed_.close();
}

MediaPipeline::Impl::~Impl() {
  video_q_.close();
  audio_q_.close();
  if (tempo_thread_.joinable()) tempo_thread_.join();
  workers_.clear();  // each closes its feed and joins
  if (sinks_.audio != nullptr && state_ != PipelineState::kIdle) sinks_.audio->close();
}

std::optional<Error> MediaPipeline::Impl::start() {
  {
    std::lock_guard lock(mu_);
    if (state_ != PipelineState::kIdle) return Error{ErrorCode::kInvalidState, "media pipeline: already started"};
  }
  AudioFormat format = config_.preferred_audio;
  if (config_.audio) {
    if (sinks_.audio == nullptr) {
      return Error{ErrorCode::kInvalidArgument,
                   "media pipeline: an audio track needs an audio sink (the master clock)"};
    }
    auto opened = sinks_.audio->open(config_.preferred_audio, *this);
    if (!opened) return opened.error();
    format = *opened;
    audio_q_.set_format(format.sample_rate, format.channels);
    tempo_thread_ = std::thread([this] { run_tempo_thread(); });
  }
  DecoderOptions options{config_.video_decode_threads, config_.hw_device};
  for (auto& t : tracks_) {
    if (!t) continue;
    workers_.push_back(std::make_unique<TrackWorker>(*t, options, format));
    workers_.back()->start();
  }
  std::lock_guard lock(mu_);
  set_state_locked(PipelineState::kBuffering);
  return std::nullopt;
}

void MediaPipeline::Impl::post(MediaEvent e) {
  {
    std::lock_guard lock(mu_);
    events_.push_back(std::move(e));
  }
  wake();
}

void MediaPipeline::Impl::wake() {
  {
    std::lock_guard lock(wake_mu_);
    woken_ = true;
  }
  wake_cv_.notify_all();
}

void MediaPipeline::Impl::wait(microseconds max) {
  std::unique_lock lock(wake_mu_);
  wake_cv_.wait_for(lock, max, [&] { return woken_; });
  woken_ = false;
}

void MediaPipeline::Impl::set_state_locked(PipelineState s) {
  if (s == state_) return;
  state_ = s;
  if (s == PipelineState::kBuffering) events_.push_back(MediaEvent{MediaEvent::Kind::kBuffering, {}, {}});
  if (s == PipelineState::kPlaying) events_.push_back(MediaEvent{MediaEvent::Kind::kPlaying, {}, {}});
  if (s == PipelineState::kEnded) events_.push_back(MediaEvent{MediaEvent::Kind::kEnded, {}, {}});
}

bool MediaPipeline::Impl::ended(TrackType t) const {
  const auto& tr = tracks_[static_cast<std::size_t>(t)];
  if (!tr) return true;
  std::lock_guard lock(control_.mu);
  return tr->ended_epoch.load() == control_.epoch;
}

bool MediaPipeline::Impl::ready_to_play() const {
  const bool audio_ok = !config_.audio || audio_q_.buffered() >= config_.prebuffer || ended(TrackType::kAudio);
  const bool video_ok = !config_.video || video_q_.size() > 0 || ended(TrackType::kVideo);
  return audio_ok && video_ok;
}

bool MediaPipeline::Impl::all_ended() const {
  return ended(TrackType::kVideo) && ended(TrackType::kAudio) && ended(TrackType::kText) && video_q_.size() == 0 &&
         audio_q_.buffered() <= microseconds{0};
}

void MediaPipeline::Impl::run_tempo_thread() {
  while (audio_q_.stretch_next()) {
    if (auto e = audio_q_.take_stretch_error()) post(MediaEvent{MediaEvent::Kind::kError, TrackType::kAudio, *e});
  }
}

std::size_t MediaPipeline::Impl::read(std::span<float> out) {
  const float gain = muted_.load() ? 0.0f : volume_.load();
  const std::size_t got = audio_q_.read(out, gain);
  audio_frames_played_.fetch_add(got, std::memory_order_relaxed);
  last_read_ns_.store(std::chrono::duration_cast<std::chrono::nanoseconds>(clock_.steady().time_since_epoch()).count());
  return got;
}

microseconds MediaPipeline::Impl::master_locked(SteadyTime now) const {
  if (config_.audio && audio_q_.has_position() &&
      !(ended(TrackType::kAudio) && audio_q_.buffered() <= microseconds{0})) {
    const microseconds latency = sinks_.audio->latency();
    const SteadyTime read_at{std::chrono::nanoseconds{last_read_ns_.load()}};
    const auto since = std::clamp(std::chrono::duration_cast<microseconds>(now - read_at), microseconds{0}, latency);
    // The device plays the last `latency` of output at the tempo it was read at.
    const double tempo = audio_q_.position_rate();
    return audio_q_.position() -
           microseconds{static_cast<std::int64_t>(static_cast<double>((latency - since).count()) * tempo)};
  }
  // As fast as possible there is no clock: the position is the end of the last frame presented.
  if (config_.mode == PresentMode::kAsFastAsPossible) return last_video_end_.value_or(anchor_pos_);
  if (state_ != PipelineState::kPlaying) return anchor_pos_;
  const auto since = std::chrono::duration_cast<microseconds>(now - anchor_time_);
  return anchor_pos_ + microseconds{static_cast<std::int64_t>(static_cast<double>(since.count()) * rate_.load())};
}

void MediaPipeline::Impl::pause() {
  std::lock_guard lock(mu_);
  if (paused_) return;
  anchor_pos_ = master_locked(clock_.steady());
  paused_ = true;
  set_state_locked(PipelineState::kPaused);
}

void MediaPipeline::Impl::resume() {
  {
    std::lock_guard lock(mu_);
    if (!paused_) return;
    paused_ = false;
    set_state_locked(PipelineState::kBuffering);
  }
  wake();
}

void MediaPipeline::Impl::seek(microseconds target) {
  std::uint64_t epoch = 0;
  {
    std::lock_guard lock(control_.mu);
    epoch = ++control_.epoch;
    control_.target = target;
    for (auto& t : tracks_) {
      if (t) t->splice_at.reset();
    }
  }
  video_q_.clear(epoch);
  audio_q_.clear(epoch);
  cues_.clear(epoch);
  for (auto& t : tracks_) {
    if (t) t->feed.flush();
  }
  {
    std::lock_guard lock(mu_);
    anchor_pos_ = target;
    anchor_pending_ = false;
    last_video_end_.reset();
    present_stats_.video_pts_presented.reset();  // the next frame shown is at the target
    clear_text_ = true;
    if (state_ != PipelineState::kIdle) set_state_locked(paused_ ? PipelineState::kPaused : PipelineState::kBuffering);
  }
  wake();
}

void MediaPipeline::Impl::splice(TrackType track, microseconds at) {
  auto& tr = tracks_[static_cast<std::size_t>(track)];
  if (!tr || track == TrackType::kVideo) return;
  // Never behind what is being played: the new track continues the clock.
  if (track == TrackType::kAudio && audio_q_.has_position()) at = std::max(at, audio_q_.position());
  std::uint64_t generation = 0;
  {
    std::lock_guard lock(control_.mu);
    generation = ++tr->splice;
    tr->splice_at = at;
  }
  if (track == TrackType::kAudio) audio_q_.trim(at, generation);
  if (track == TrackType::kText) {
    cues_.splice(generation);
    std::lock_guard lock(mu_);
    clear_text_ = true;
  }
  tr->feed.splice(at);
  wake();
}

std::optional<Error> MediaPipeline::Impl::set_rate(double rate) {
  if (!(rate >= 0.5 && rate <= 2.0)) {
    return Error{ErrorCode::kInvalidArgument, "media pipeline: rate " + std::to_string(rate) + " is outside 0.5..2.0"};
  }
  std::lock_guard lock(mu_);
  const SteadyTime now = clock_.steady();
  anchor_pos_ = master_locked(now);  // the wall-clock anchor restarts at the new speed
  anchor_time_ = now;
  rate_.store(rate);
  audio_q_.set_rate(rate);
  return std::nullopt;
}

PipelineState MediaPipeline::Impl::state() const {
  std::lock_guard lock(mu_);
  return state_;
}

microseconds MediaPipeline::Impl::position() const {
  std::lock_guard lock(mu_);
  return master_locked(clock_.steady());
}

MediaStats MediaPipeline::Impl::stats() const {
  MediaStats s;
  {
    std::lock_guard lock(mu_);
    s = present_stats_;
  }
  s.video_frames_decoded = counters_.video_frames_decoded.load();
  s.video_frames_discarded_seek = counters_.video_frames_discarded_seek.load();
  s.audio_frames_played = audio_frames_played_.load();
  s.segments_demuxed = counters_.segments_demuxed.load();
  s.segments_skipped = counters_.segments_skipped.load();
  s.decoder_reinits = counters_.decoder_reinits.load();
  s.errors = counters_.errors.load();
  s.hardware_decoding = counters_.hardware_decoding.load();
  s.playback_rate = rate_.load();
  s.audio_time_stretch = audio_q_.stretching();
  return s;
}

std::vector<MediaEvent> MediaPipeline::Impl::take_events() {
  std::lock_guard lock(mu_);
  return std::exchange(events_, {});
}

// ---- MediaPipeline: forwards to Impl ----

MediaPipeline::MediaPipeline(const Clock& clock, PipelineConfig config, PipelineSinks sinks)
    : impl_(std::make_unique<Impl>(clock, std::move(config), sinks)) {}
MediaPipeline::~MediaPipeline() = default;

SegmentFeed& MediaPipeline::feed(TrackType track) { return impl_->feed(track); }
std::optional<Error> MediaPipeline::start() { return impl_->start(); }
microseconds MediaPipeline::pump() { return impl_->pump(); }
void MediaPipeline::wait(microseconds max) { impl_->wait(max); }
void MediaPipeline::pause() { impl_->pause(); }
void MediaPipeline::resume() { impl_->resume(); }
void MediaPipeline::seek(microseconds target) { impl_->seek(target); }
void MediaPipeline::splice(TrackType track, microseconds at) { impl_->splice(track, at); }
std::optional<Error> MediaPipeline::set_rate(double rate) { return impl_->set_rate(rate); }
void MediaPipeline::set_volume(float volume) { impl_->set_volume(volume); }
void MediaPipeline::set_muted(bool muted) { impl_->set_muted(muted); }
PipelineState MediaPipeline::state() const { return impl_->state(); }
microseconds MediaPipeline::position() const { return impl_->position(); }
MediaStats MediaPipeline::stats() const { return impl_->stats(); }
std::vector<MediaEvent> MediaPipeline::take_events() { return impl_->take_events(); }

}  // namespace abrplay::media
