// player/api/player.cpp: abrplay::Player, and Player::Impl's caller side: commands are queued to the
// player thread, and the visible state answers at once (player_impl.h has the map of the files).
#include "player_impl.h"

#include <algorithm>

#include "abrplay/abr/algorithm/fixed.h"
#include "abrplay/abr/algorithm/registry.h"

namespace abrplay {

std::string_view to_string(PlayerState state) {
  switch (state) {
    case PlayerState::kIdle: return "idle";
    case PlayerState::kLoading: return "loading";
    case PlayerState::kBuffering: return "buffering";
    case PlayerState::kPlaying: return "playing";
    case PlayerState::kPaused: return "paused";
    case PlayerState::kSeeking: return "seeking";
    case PlayerState::kEnded: return "ended";
    case PlayerState::kError: return "error";
  }
  return "unknown";
}

std::unique_ptr<abr::AbrAlgorithm> player_impl::make_abr(std::string_view spec, bool pensieve_compat) {
  if (spec.substr(0, 6) == "fixed:") {
    const std::string_view n = spec.substr(6);
    if (n.empty() || n.size() > 6 || n.find_first_not_of("0123456789") != std::string_view::npos) return nullptr;
    return std::make_unique<abr::FixedAlgorithm>(std::stoul(std::string(n)));
  }
  abr::RegistryOptions options;
  options.pensieve_compat = pensieve_compat;
  return abr::make_algorithm(spec, options);
}

Player::Impl::Impl(PlayerConfig config)
    : config_(std::move(config)),
      clock_owner_(config_.clock ? config_.clock : std::make_shared<const SystemClock>()),
      clock_(*clock_owner_),
      abr_spec_(config_.abr),
      play_when_ready_(config_.play_when_ready),
      volume_(config_.volume),
      visible_pwr_(config_.play_when_ready) {
  audio_languages_ = config_.preferred_audio_languages;
  text_languages_ = config_.preferred_text_languages;
  net::ClientOptions http_options;
  http_options.ca_file = config_.ca_file;
  http_ = std::make_unique<net::HttpClient>(std::move(http_options));
  loop_ = std::make_unique<engine::EventLoop>(clock_, engine::EventLoop::Mode::kOwnThread);
  if (config_.cache.enabled) {
    net::CacheOptions co;
    co.memory_bytes = config_.cache.memory_bytes;
    co.disk_dir = config_.cache.disk_dir;
    co.disk_bytes = config_.cache.disk_bytes;
    // A problem is found on the thread that submits or completes a request (the player thread in
    // practice); the warning goes through the loop, so no listener runs inside the transport.
    cache_ = std::make_unique<net::CachingTransport>(*http_, clock_, co, [this](const net::CacheProblem& p) {
      loop_->post([this, message = p.message] { emit_warning(Error{ErrorCode::kNetworkCache, "cache: " + message}); });
    });
  }
  preload_pool_ = std::make_unique<player_impl::PreloadPool>(
      *loop_, transport(),
      [this](net::Transport& transport, engine::SegmentConsumer& consumer) {
        return make_preload_engine(transport, consumer);
      },
      [this](const player_impl::PreloadReport& report) { on_preload(report); });
  if (config_.sinks.kind != SinkKind::kExternal) present_thread_ = std::thread([this] { present_main(); });
}

void Player::Impl::shutdown() {
  if (shut_down_) return;
  shut_down_ = true;
  loop_->run_sync([this] {
    end_session(telemetry::EndReason::kDestroyed);
    teardown_engine();
    preload_pool_.reset();  // unplayed preloads: kPreloadDiscarded
  });
  {
    std::lock_guard lock(present_mu_);
    present_stop_ = true;
  }
  present_cv_.notify_all();
  if (present_thread_.joinable()) present_thread_.join();
  http_->shutdown();
  loop_->stop();
  pooled_transport_.reset();  // it sits in front of the cache (or the client)
  cache_.reset();
  http_.reset();
  loop_.reset();
}

void Player::Impl::set_listener(PlayerListener* listener) {
  std::lock_guard lock(listener_mu_);
  listener_ = listener;
}

Error Player::Impl::load(std::string url) {
  if (url.empty()) return {ErrorCode::kInvalidArgument, "load: empty URL"};
  {
    std::lock_guard lock(visible_mu_);
    visible_state_ = PlayerState::kLoading;
    visible_position_ = microseconds{0};
  }
  const SteadyTime called = clock_.steady();
  command([this, called, url = std::move(url)]() mutable {
    do_load(std::move(url));
    press_time_ = play_when_ready_ ? std::optional<SteadyTime>(called) : std::nullopt;
  });
  return {};
}

Error Player::Impl::load_playback(PlaybackRequest request) {
  if (request.api_url.empty()) return {ErrorCode::kInvalidArgument, "load: empty playback API URL"};
  {
    std::lock_guard lock(visible_mu_);
    visible_state_ = PlayerState::kLoading;
    visible_position_ = microseconds{0};
  }
  const SteadyTime called = clock_.steady();
  command([this, called, request = std::move(request)]() mutable {
    do_load_playback(std::move(request));
    press_time_ = play_when_ready_ ? std::optional<SteadyTime>(called) : std::nullopt;
  });
  return {};
}

void Player::Impl::api_play() {
  {
    std::lock_guard lock(visible_mu_);
    visible_pwr_ = true;
    if (visible_state_ == PlayerState::kPaused) visible_state_ = PlayerState::kBuffering;
  }
  const SteadyTime called = clock_.steady();
  command([this, called] {
    play_when_ready_ = true;
    if (!press_time_ && !first_frame_seen_) press_time_ = called;
    if (engine_) engine_->play();
  });
}

void Player::Impl::api_pause() {
  {
    std::lock_guard lock(visible_mu_);
    visible_pwr_ = false;
    if (visible_state_ == PlayerState::kPlaying || visible_state_ == PlayerState::kBuffering) {
      visible_state_ = PlayerState::kPaused;
    }
  }
  command([this] {
    play_when_ready_ = false;
    if (engine_) engine_->pause();
  });
}

Error Player::Impl::seek(microseconds target) {
  if (target < microseconds{0}) target = microseconds{0};
  {
    std::lock_guard lock(visible_mu_);
    if (visible_state_ == PlayerState::kIdle || visible_state_ == PlayerState::kLoading ||
        visible_state_ == PlayerState::kError) {
      return {ErrorCode::kInvalidState,
              "seek: nothing is loaded (state " + std::string(to_string(visible_state_)) + ")"};
    }
    visible_state_ = PlayerState::kSeeking;
    visible_position_ = target;
  }
  command([this, target] {
    if (!engine_) return;
    if (recorder_) recorder_->on_seek(clock_.steady(), seconds(position_), seconds(target));
    const Error e = engine_->seek(target);
    if (e.code != ErrorCode::kOk) {
      emit_warning(e);
    } else {
      position_ = target;  // what position() shows once no command is pending (ticks refine it)
    }
  });
  return {};
}

void Player::Impl::stop() {
  {
    std::lock_guard lock(visible_mu_);
    visible_state_ = PlayerState::kIdle;
    visible_position_ = microseconds{0};
  }
  command([this] {
    end_session(telemetry::EndReason::kStopped);
    teardown_engine();
    press_time_.reset();
    ++generation_;  // an answer of the playback API still in flight is ignored
    api_state_.reset();
  });
}

Error Player::Impl::set_abr(std::string_view name) {
  auto algo = player_impl::make_abr(name, config_.abr_pensieve_compat);
  if (!algo) {
    std::string known;
    for (auto n : abr::algorithm_names()) known += " " + std::string(n);
    return {ErrorCode::kInvalidArgument,
            "set_abr: unknown algorithm '" + std::string(name) + "'; known:" + known + " fixed:N"};
  }
  auto shared = std::make_shared<std::unique_ptr<abr::AbrAlgorithm>>(std::move(algo));
  command([this, shared, spec = std::string(name)] {
    abr_spec_ = spec;
    if (abr_) abr_->set(std::move(*shared));
    std::lock_guard lock(visible_mu_);
    stats_.abr = std::string(abr::resolve_algorithm_name(spec));
  });
  return {};
}

Error Player::Impl::set_playback_rate(double rate) {
  if (!(rate >= 0.5 && rate <= 2.0)) {
    return {ErrorCode::kInvalidArgument, "set_playback_rate: " + std::to_string(rate) + " is outside 0.5..2.0"};
  }
  command([this, rate] {
    playback_rate_ = rate;
    if (auto out = output()) apply_rate(*out->pipeline);
    std::lock_guard lock(visible_mu_);
    stats_.playback_rate = rate;
  });
  return {};
}

void Player::Impl::set_volume(float volume) {
  volume = std::clamp(volume, 0.0F, 1.0F);
  command([this, volume] {
    volume_ = volume;
    if (auto out = output()) out->pipeline->set_volume(volume);
  });
}

namespace {

// The languages offered, for an error message: "en, fr" (or "none").
std::string offered(const std::vector<std::string>& list) {
  std::string out;
  for (const auto& l : list) out += (out.empty() ? "" : ", ") + l;
  return out.empty() ? "none" : out;
}

}  // namespace

// Checked against the presentation loaded (languages()); before it is loaded, any language is kept
// as a preference. The switch itself runs on the player thread (StreamingEngine::select_languages).
Error Player::Impl::select_audio_language(std::string language) {
  if (language.empty()) return {ErrorCode::kInvalidArgument, "select_audio_language: empty language"};
  {
    std::lock_guard lock(visible_mu_);
    const auto& list = languages_.audio;
    if (!list.empty() && std::find(list.begin(), list.end(), language) == list.end()) {
      return {ErrorCode::kInvalidArgument,
              "select_audio_language('" + language +
                  "'): the presentation has no audio in that language (offered: " + offered(list) + ")"};
    }
  }
  command([this, language = std::move(language)] {
    audio_languages_.erase(std::remove(audio_languages_.begin(), audio_languages_.end(), language),
                           audio_languages_.end());
    audio_languages_.insert(audio_languages_.begin(), language);
    apply_languages(TrackType::kAudio);
  });
  return {};
}

Error Player::Impl::select_text_language(std::string language) {
  if (!language.empty()) {
    std::lock_guard lock(visible_mu_);
    const auto& list = languages_.text;
    const bool loaded = !languages_.audio.empty() || !list.empty();
    if (loaded && std::find(list.begin(), list.end(), language) == list.end()) {
      return {ErrorCode::kInvalidArgument,
              "select_text_language('" + language +
                  "'): the presentation has no subtitles in that language (offered: " + offered(list) + ")"};
    }
  }
  command([this, language = std::move(language)] {
    text_languages_.erase(std::remove(text_languages_.begin(), text_languages_.end(), language), text_languages_.end());
    if (language.empty()) {
      text_languages_.clear();
    } else {
      text_languages_.insert(text_languages_.begin(), language);
    }
    apply_languages(TrackType::kText);
  });
  return {};
}

// Player thread: no reload; the engine switches the track in place, or keeps the preference for the
// selection it has not made yet (loading).
void Player::Impl::apply_languages(TrackType track) {
  if (!engine_) return;
  const Error e = engine_->select_languages(track, track == TrackType::kAudio ? audio_languages_ : text_languages_);
  if (e.code != ErrorCode::kOk) emit_warning(e);
}

PlayerState Player::Impl::state() const {
  std::lock_guard lock(visible_mu_);
  return visible_state_;
}

microseconds Player::Impl::api_position() const {
  std::lock_guard lock(visible_mu_);
  return visible_position_;
}

bool Player::Impl::play_when_ready() const {
  std::lock_guard lock(visible_mu_);
  return visible_pwr_;
}

TrackLanguages Player::Impl::languages() const {
  std::lock_guard lock(visible_mu_);
  TrackLanguages l = languages_;
  for (const auto& [lang, ids] : audio_sets_) {
    if (std::find(ids.begin(), ids.end(), stats_.audio_representation) != ids.end()) l.audio_playing = lang;
  }
  return l;
}

// Player thread, once the engine has the manifest: what languages() reports.
void Player::Impl::capture_languages() {
  const manifest::Mpd* mpd = engine_ ? engine_->manifest() : nullptr;
  if (!mpd || mpd->periods.empty()) return;
  TrackLanguages l;
  std::vector<std::pair<std::string, std::vector<std::string>>> audio_sets;
  for (const manifest::AdaptationSet& set : mpd->periods.front().adaptation_sets) {
    const std::string_view type = engine::track_type_name(set);
    if (set.lang.empty() || (type != "audio" && type != "text")) continue;
    auto& list = type == "audio" ? l.audio : l.text;
    if (std::find(list.begin(), list.end(), set.lang) == list.end()) list.push_back(set.lang);
    if (type == "audio") {
      std::vector<std::string> ids;
      for (const auto& r : set.representations) ids.push_back(r.id);
      audio_sets.emplace_back(set.lang, std::move(ids));
    }
  }
  std::lock_guard lock(visible_mu_);
  languages_ = std::move(l);
  audio_sets_ = std::move(audio_sets);
}

PlayerStats Player::Impl::stats() const {
  std::lock_guard lock(visible_mu_);
  PlayerStats s = stats_;
  s.state = visible_state_;
  s.position = visible_position_;
  fill_cache_stats(s);
  return s;
}

// Any thread (the cache's figures are behind its own lock; cache_base_ is written by the player
// thread under visible_mu_, which the caller holds).
void Player::Impl::fill_cache_stats(PlayerStats& s) const {
  if (!cache_) return;
  const net::CacheStats now = cache_->stats();
  s.cache_hits = now.hits - cache_base_.hits;
  s.cache_revalidations = now.revalidations - cache_base_.revalidations;
  s.cache_misses = now.misses - cache_base_.misses;
  s.cache_bytes = now.bytes_served - cache_base_.bytes_served;
}

// Player thread, once the manifest is in: a live presentation bypasses the cache unless
// CacheConfig::live says otherwise.
void Player::Impl::apply_cache_policy() {
  if (!cache_) return;
  const manifest::Mpd* mpd = engine_ ? engine_->manifest() : nullptr;
  cache_->set_enabled(!(mpd && mpd->is_dynamic() && !config_.cache.live));
}

Player::Player(PlayerConfig config) : impl_(std::make_shared<Impl>(std::move(config))) {}
Player::~Player() { impl_->shutdown(); }
void Player::set_listener(PlayerListener* listener) { impl_->set_listener(listener); }
void Player::thumbnail_at(microseconds time, std::function<void(ThumbnailResult)> done) {
  impl_->thumbnail_at(time, std::move(done));
}
Error Player::load(std::string mpd_url) { return impl_->load(std::move(mpd_url)); }
Error Player::load(PlaybackRequest request) { return impl_->load_playback(std::move(request)); }
Error Player::preload(std::string mpd_url, PreloadOptions options) {
  return impl_->preload(std::move(mpd_url), options);
}
void Player::cancel_preload(std::string mpd_url) { impl_->cancel_preload(std::move(mpd_url)); }
void Player::play() { impl_->api_play(); }
void Player::pause() { impl_->api_pause(); }
Error Player::seek(std::chrono::microseconds target) { return impl_->seek(target); }
void Player::stop() { impl_->stop(); }
Error Player::set_abr(std::string_view name) { return impl_->set_abr(name); }
void Player::pin_representation(std::size_t index) { (void)impl_->set_abr("fixed:" + std::to_string(index)); }
void Player::set_volume(float volume) { impl_->set_volume(volume); }
Error Player::set_playback_rate(double rate) { return impl_->set_playback_rate(rate); }
Error Player::select_audio_language(std::string language) { return impl_->select_audio_language(std::move(language)); }
Error Player::select_text_language(std::string language) { return impl_->select_text_language(std::move(language)); }
void Player::pump(std::chrono::microseconds max_wait) { impl_->pump(max_wait); }
PlayerState Player::state() const { return impl_->state(); }
std::chrono::microseconds Player::position() const { return impl_->api_position(); }
bool Player::play_when_ready() const { return impl_->play_when_ready(); }
PlayerStats Player::stats() const { return impl_->stats(); }
TrackLanguages Player::languages() const { return impl_->languages(); }

}  // namespace abrplay
