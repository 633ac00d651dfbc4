// StreamingEngine: the state machine, the consumer side and the events. The manifest side is in
// engine_manifest.cpp.
#include "abrplay/player/engine/streaming_engine.h"

#include <algorithm>

#include "abrplay/abr/algorithm/registry.h"
#include "engine_impl.h"

namespace abrplay::engine {

std::string_view to_string(EngineState s) {
  switch (s) {
    case EngineState::kIdle: return "idle";
    case EngineState::kLoading: return "loading";
    case EngineState::kBuffering: return "buffering";
    case EngineState::kPlaying: return "playing";
    case EngineState::kPaused: return "paused";
    case EngineState::kSeeking: return "seeking";
    case EngineState::kEnded: return "ended";
    case EngineState::kError: return "error";
  }
  return "?";
}

std::string_view to_string(DownloadKind k) {
  switch (k) {
    case DownloadKind::kManifest: return "manifest";
    case DownloadKind::kClockSync: return "clock sync";
    case DownloadKind::kIndex: return "index";
    case DownloadKind::kInit: return "init segment";
    case DownloadKind::kMedia: return "media segment";
    case DownloadKind::kThumbnail: return "thumbnail image";
    case DownloadKind::kSteering: return "steering manifest";
  }
  return "?";
}

StreamingEngine::Impl::Impl(EngineDeps deps, EngineConfig config)
    : loop_(deps.loop),
      transport_(deps.transport),
      consumer_(deps.consumer),
      abr_(std::move(deps.abr)),
      estimator_(std::move(deps.estimator)),
      codecs_(std::move(deps.codecs)),
      config_(std::move(config)),
      session_start_(deps.loop.clock().steady()),
      prefs_(config_.tracks),
      play_when_ready_(config_.play_when_ready) {
  if (!abr_) abr_ = abr::make_algorithm(abr::kDefaultAlgorithm);
  if (!abr_) abr_ = abr::make_algorithm("bola");
  if (!estimator_) estimator_ = std::make_unique<abr::EwmaEstimator>();
  if (!codecs_) codecs_ = make_ffmpeg_codec_support();
}

StreamingEngine::Impl::~Impl() {
  if (refresh_timer_ != 0) loop_.cancel(refresh_timer_);
  if (steering_timer_ != 0) loop_.cancel(steering_timer_);
  loaders_.clear();
}

TrackLoader* StreamingEngine::Impl::loader(TrackType t) const {
  for (const auto& l : loaders_) {
    if (l->type() == t) return l.get();
  }
  return nullptr;
}

net::Fetcher& StreamingEngine::Impl::fetcher_for(const std::vector<std::string>& base_urls,
                                                 const std::vector<manifest::BaseUrlHost>& hosts) {
  Fetchers& fetchers = fetchers_[file_access_];
  auto it = fetchers.find(base_urls);
  if (it == fetchers.end()) {
    net::FetcherConfig fc;
    fc.file_access = file_access_;  // the manifest request too: the user named its URL
    for (std::size_t i = 0; i < base_urls.size(); ++i) {
      const manifest::BaseUrlHost h = i < hosts.size() ? hosts[i] : manifest::BaseUrlHost{};
      fc.hosts.push_back(net::HostCandidate{base_urls[i], static_cast<int>(std::min<uint32_t>(h.priority, 1'000'000)),
                                            static_cast<int>(std::min<uint32_t>(h.weight, 1'000'000)),
                                            h.service_location});
    }
    fc.pathway_priority = steering_priority_;  // content steering's order, when there is one
    fc.pathway_why = steering_why_;
    fc.retry = config_.retry;
    fc.selection = config_.hosts;
    const Clock& clock = loop_.clock();
    fc.now = [&clock] { return clock.steady(); };
    // The CDN in use, and why, whenever it changes (on this loop: the Fetcher's owner).
    fc.on_host_chosen = [this, current = std::string()](const net::HostChoice& c) mutable {
      using R = net::HostChoiceReason;
      if (c.reason == R::kMeasure || c.reason == R::kProbe) return;
      if (!c.pathway.empty()) steering_pathway_ = c.pathway;  // _DASH_pathway of the next steering request
      if (c.base_url == current) return;
      current = c.base_url;
      const CdnChangeEvent e{c.base_url, std::string(net::to_string(c.reason)), c.detail};
      for (auto* o : observers) o->on_cdn_change(e);
    };
    it = fetchers.emplace(base_urls, std::make_unique<net::Fetcher>(transport_, loop_, std::move(fc))).first;
  }
  return *it->second;
}

WallTime StreamingEngine::Impl::live_now() const {
  if (live_anchor_) {
    return live_anchor_->server_time +
           std::chrono::duration_cast<std::chrono::microseconds>(loop_.clock().steady() - live_anchor_->at);
  }
  return WallTime(loop_.clock().wall().time_since_epoch()) + clock_offset_;
}

void StreamingEngine::Impl::anchor_live_time() {
  live_anchor_ = LiveAnchor{WallTime(loop_.clock().wall().time_since_epoch()) + clock_offset_, loop_.clock().steady()};
}

Seconds StreamingEngine::Impl::session_time() const { return Seconds(loop_.clock().steady() - session_start_); }

void StreamingEngine::Impl::record_sample(TrackType track, const abr::ThroughputSample& s) {
  // Low-latency live: audio and video load side by side, and an audio chunk's few kilobytes time
  // mostly the link's latency while video's share the link with them. Video's samples alone then
  // measure it (before this, audio's halved the ABR's prediction on the LL benchmark's traces).
  if (track == TrackType::kAudio) {
    for (const auto& l : loaders_) {
      if (l->type() == TrackType::kVideo && l->chunked()) return;
    }
  }
  estimator_->add_sample(s);
  latency_.add_sample(s);
  ++media_samples_;
  recent_.push_back(s);
  if (recent_.size() > 16) recent_.erase(recent_.begin());
}

void StreamingEngine::Impl::emit(const AbrDecisionEvent& e) {
  for (auto* o : observers) o->on_abr_decision(e);
}
void StreamingEngine::Impl::emit(const DownloadEvent& e) {
  for (auto* o : observers) o->on_download(e);
}
void StreamingEngine::Impl::warn(Error e) {
  for (auto* o : observers) o->on_warning(e);
}

void StreamingEngine::Impl::fatal(Error e) {
  if (state_ == EngineState::kError) return;
  for (auto& l : loaders_) l->cancel_in_flight();
  if (refresh_timer_ != 0) loop_.cancel(refresh_timer_);
  refresh_timer_ = 0;
  end_steering();
  consumer_.pause();
  set_state(EngineState::kError);
  for (auto* o : observers) o->on_error(e);
}

void StreamingEngine::Impl::set_state(EngineState to) {
  if (to == state_) return;
  const StateChange change{state_, to, position_};
  state_ = to;
  for (auto* o : observers) o->on_state(change);
}

void StreamingEngine::Impl::pump_all() {
  // A loader may end in fatal() or move periods: iterate by index over a stable list.
  for (std::size_t i = 0; i < loaders_.size() && state_ != EngineState::kError; ++i) loaders_[i]->pump();
}

void StreamingEngine::Impl::emit_buffer_levels() {
  for (const auto& l : loaders_) {
    BufferLevelEvent e;
    e.track = l->type();
    e.position = position_;
    e.ahead = l->buffer().ahead(position_);
    e.bytes = DataSize::bytes(l->buffer().bytes());
    e.segments = l->buffer().size();
    for (auto* o : observers) o->on_buffer(e);
  }
}

void StreamingEngine::Impl::check_ready() {
  if (state_ != EngineState::kBuffering && state_ != EngineState::kSeeking) return;
  std::optional<MediaTime> ahead;
  bool to_end = true;
  for (const auto& l : loaders_) {
    if (l->type() == TrackType::kText) continue;  // subtitles never hold playback
    // A track held back by its byte cap counts as ready: waiting for it would wait forever.
    const MediaTime held = l->buffer().ahead(position_);
    const MediaTime a = l->capped() ? MediaTime::max() : held;
    ahead = ahead ? std::min(*ahead, a) : a;
    to_end = to_end && l->finished() &&
             (!l->buffer().end() || *l->buffer().end() <= position_ + held + kContinuityTolerance);
  }
  if (!ahead) return;
  LoadControlParams load = config_.load;
  if (const auto catchup = catchup_params()) {
    // Holding a target latency: the buffer can never exceed it, so waiting for the usual 3.5 s (4 s
    // after a stall) would add seconds of latency, or wait forever behind a 3 s target. A third of
    // the target (at least half a second) is enough to start or resume.
    const MediaTime cap = std::max<MediaTime>(std::chrono::milliseconds(500), catchup->target / 3);
    load.startup_buffer = std::min(load.startup_buffer, cap);
    load.rebuffer_buffer = std::min(load.rebuffer_buffer, cap);
  }
  if (!ready_to_play(load, {*ahead, after_stall_, to_end})) return;
  if (play_when_ready_) {
    set_state(EngineState::kPlaying);
    consumer_.play();
  } else {
    set_state(EngineState::kPaused);
  }
}

bool StreamingEngine::Impl::may_start_media(TrackType track, MediaTime level) const {
  for (const auto& l : loaders_) {
    if (l->type() == track || l->type() == TrackType::kText || l->chunked()) continue;
    if (l->media_in_flight()) return false;
    // The hungrier track first; on a tie video, whose stall is the one that shows. A track whose
    // init segment is still on its way keeps its turn: otherwise whichever init arrives first
    // decides the order of the first media segments (at start, audio's smaller init won in the lab
    // and lost in real time, and the first video segment waited behind audio's).
    const MediaTime other = l->level();
    if (l->wants_media_next() && (other < level || (other == level && l->type() == TrackType::kVideo))) {
      return false;
    }
  }
  return true;
}

void StreamingEngine::Impl::download_ended(TrackType) {
  if (!config_.serial_media || pump_posted_) return;
  pump_posted_ = true;
  const Liveness::Watch alive = alive_.watch();
  loop_.post([this, alive] {
    if (alive.expired()) return;
    pump_posted_ = false;
    if (state_ != EngineState::kError && state_ != EngineState::kIdle) pump_all();
  });
}

void StreamingEngine::Impl::segment_buffered(TrackType) {
  consumer_.on_data();
  emit_buffer_levels();
  check_ready();
}

void StreamingEngine::Impl::period_ended(TrackType track, std::size_t period) {
  TrackLoader* l = loader(track);
  if (l == nullptr) return;
  if (period + 1 < mpd_->periods.size()) {
    enter(*l, period + 1, mpd_->periods[period + 1].start);
    if (state_ != EngineState::kError) l->pump();
  } else {
    l->finish();
    consumer_.on_data();  // the consumer learns the end of stream
    check_ready();
  }
}

std::optional<BufferedSegment> StreamingEngine::Impl::read(TrackType track) {
  TrackLoader* l = loader(track);
  return l ? l->buffer().read_next() : std::nullopt;
}

bool StreamingEngine::Impl::end_of_stream(TrackType track) const {
  TrackLoader* l = loader(track);
  return l == nullptr || (l->finished() && !l->buffer().has_unread());
}

void StreamingEngine::Impl::report_position(MediaTime position) {
  position_ = position;
  if (seek_target_ && position_ > *seek_target_) seek_target_.reset();
  for (auto& l : loaders_) l->buffer().evict(position_, l->limits());
  emit_buffer_levels();
  pump_all();
  check_ready();
  control_latency();
}

void StreamingEngine::Impl::report_starved() {
  if (state_ != EngineState::kPlaying) return;
  position_ = consumer_.position();
  after_stall_ = true;
  set_state(EngineState::kBuffering);
  check_ready();
}

void StreamingEngine::Impl::report_ended() {
  position_ = consumer_.position();
  if (state_ == EngineState::kPlaying) set_state(EngineState::kEnded);
}

void StreamingEngine::Impl::play() {
  play_when_ready_ = true;
  if (state_ == EngineState::kPaused) {
    set_state(EngineState::kBuffering);
    after_stall_ = false;
    check_ready();
  }
}

void StreamingEngine::Impl::pause() {
  play_when_ready_ = false;
  if (state_ == EngineState::kPlaying) {
    consumer_.pause();
    position_ = consumer_.position();
    set_state(EngineState::kPaused);
  }
}

Error StreamingEngine::Impl::seek(MediaTime target) {
  if (!mpd_ || loaders_.empty() || state_ == EngineState::kError || state_ == EngineState::kLoading) {
    return Error{ErrorCode::kInvalidState,
                 "seek: no presentation is loaded (state " + std::string(to_string(state_)) + ")"};
  }
  if (target < MediaTime{0}) target = MediaTime{0};
  if (!mpd_->is_dynamic()) {
    if (auto total = mpd_->total_duration(); total && target > *total) target = *total;
  }
  consumer_.pause();
  position_ = target;
  seek_target_ = target;
  after_stall_ = false;
  set_state(EngineState::kSeeking);
  for (auto& l : loaders_) {
    if (l->buffer().seek(target)) continue;  // still useful: only the read cursor moved
    l->cancel_in_flight();
    enter(*l, period_at(target), target);
    if (state_ == EngineState::kError) return Error{};
  }
  consumer_.flush(target);
  // What stayed buffered past the target is there to read now: the consumer takes it at once
  // rather than at the next download's end, which never comes once every segment is loaded (a seek
  // back after the end sat at the target).
  consumer_.on_data();
  pump_all();
  check_ready();
  return Error{};
}

void StreamingEngine::Impl::stop() {
  ++generation_;
  loaders_.clear();
  if (refresh_timer_ != 0) loop_.cancel(refresh_timer_);
  refresh_timer_ = 0;
  end_steering();
  consumer_.pause();
  consumer_.flush(MediaTime{0});
  mpd_.reset();
  pending_manifest_.reset();
  last_xlink_warnings_.clear();
  live_anchor_.reset();
  clock_offset_ = std::chrono::microseconds{0};
  selections_.clear();
  position_ = MediaTime{0};
  seek_target_.reset();
  set_state(EngineState::kIdle);
}

// --- StreamingEngine ---

StreamingEngine::StreamingEngine(EngineDeps deps, EngineConfig config)
    : impl_(std::make_unique<Impl>(std::move(deps), std::move(config))) {}
StreamingEngine::~StreamingEngine() = default;
void StreamingEngine::add_observer(EngineObserver& o) { impl_->observers.push_back(&o); }
void StreamingEngine::remove_observer(EngineObserver& o) {
  auto& v = impl_->observers;
  v.erase(std::remove(v.begin(), v.end(), &o), v.end());
}
Error StreamingEngine::load(std::string url) { return impl_->load(std::move(url)); }
void StreamingEngine::play() { impl_->play(); }
void StreamingEngine::pause() { impl_->pause(); }
Error StreamingEngine::seek(MediaTime target) { return impl_->seek(target); }
void StreamingEngine::stop() { impl_->stop(); }
Error StreamingEngine::select_languages(TrackType track, std::vector<std::string> languages) {
  return impl_->select_languages(track, std::move(languages));
}
EngineState StreamingEngine::state() const { return impl_->state(); }
MediaTime StreamingEngine::position() const { return impl_->play_position(); }
MediaTime StreamingEngine::buffer_ahead(TrackType t) const {
  const TrackLoader* l = impl_->loader(t);
  return l ? l->buffer().ahead(impl_->play_position()) : MediaTime{0};
}
const TrackBuffer* StreamingEngine::buffer(TrackType t) const {
  const TrackLoader* l = impl_->loader(t);
  return l ? &l->buffer() : nullptr;
}
const manifest::Mpd* StreamingEngine::manifest() const { return impl_->mpd_ptr(); }
void StreamingEngine::fetch_resource(ResourceFetch request, ResourceDone done) {
  impl_->fetch_resource(std::move(request), std::move(done));
}
std::chrono::microseconds StreamingEngine::clock_offset() const { return impl_->offset(); }

}  // namespace abrplay::engine
