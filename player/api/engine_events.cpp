// Player::Impl as an EngineObserver (player thread): engine events become the visible state, the
// stats and the listener's PlayerEvents; each is also handed to the session's EngineTelemetry
// (telemetry/engine_telemetry.h), which turns it into telemetry records.
#include "player_impl.h"

#include <cstdio>

#include "abrplay/net/url.h"

namespace abrplay {

void Player::Impl::on_state(const engine::StateChange& change) {
  const PlayerState from = player_impl::from_engine(change.from), to = player_impl::from_engine(change.to);
  if (engine_telemetry_) engine_telemetry_->on_state(change);
  const SteadyTime now = clock_.steady();
  engine_state_ = to;
  if (config_.log) {
    char line[96];
    std::snprintf(line, sizeof line, " at %.3f s", seconds(change.position));
    log(LogLevel::kDebug, "state " + std::string(engine::to_string(change.from)) + " -> " +
                              std::string(engine::to_string(change.to)) + line);
  }
  if (from == PlayerState::kLoading) {
    capture_languages();
    report_thumbnail_problems();
    apply_cache_policy();
  }
  if (to == PlayerState::kPlaying && !first_playing_) {
    first_playing_ = true;
    std::lock_guard lock(visible_mu_);
    stats_.startup_time = std::chrono::duration_cast<microseconds>(now - load_time_);
  }
  if (from == PlayerState::kPlaying && to == PlayerState::kBuffering) {
    stall_start_ = now;
    starved_[TrackType::kVideo] = starved_[TrackType::kAudio] = true;
    std::lock_guard lock(visible_mu_);
    ++stats_.stalls;
  }
  if (stall_start_ && to != PlayerState::kBuffering) {
    std::lock_guard lock(visible_mu_);
    stats_.stall_time += std::chrono::duration_cast<microseconds>(now - *stall_start_);
    stall_start_.reset();
  }
  sync_visible();
  PlayerEvent ev;
  ev.kind = PlayerEvent::Kind::kStateChanged;
  ev.state = to;
  ev.previous_state = from;
  ev.position = change.position;
  emit(ev);
  if (to == PlayerState::kEnded) {
    end_session(telemetry::EndReason::kEndOfStream);
    PlayerEvent e;
    e.kind = PlayerEvent::Kind::kEnded;
    e.state = to;
    e.position = change.position;
    emit(e);
  }
}

void Player::Impl::on_abr_decision(const engine::AbrDecisionEvent& ev) {
  if (engine_telemetry_) engine_telemetry_->on_abr_decision(ev);
  if (ev.track == TrackType::kText) return;
  const bool video = ev.track == TrackType::kVideo;
  if (config_.log) {
    char line[160];
    std::snprintf(line, sizeof line,
                  "abr %s %.3f s: %lld kbit/s (buffer %.2f s, throughput %.0f kbit/s): ", video ? "video" : "audio",
                  seconds(ev.segment_start), static_cast<long long>(ev.bandwidth.kbps()), seconds(ev.buffer_ahead),
                  ev.throughput ? ev.throughput->kbps() : 0.0);
    log(LogLevel::kDebug, std::string(line) + std::string(ev.reason));
  }
  std::string& current = video ? video_rep_.id : audio_rep_.id;
  if (ev.throughput) {
    std::lock_guard lock(visible_mu_);
    stats_.throughput_kbps = ev.throughput->kbps();
  }
  if (current == ev.representation_id) return;
  telemetry::RepresentationInfo next = rep_info(ev.representation_id, ev.bandwidth);
  if (video) {
    video_rep_ = next;  // the stats follow the screen (update_on_screen), not the downloads
  } else {
    audio_rep_ = next;
    std::lock_guard lock(visible_mu_);
    stats_.audio_representation = next.id;
  }
  PlayerEvent e;
  e.kind = PlayerEvent::Kind::kRepresentationChanged;
  e.state = engine_state_;
  e.track = video ? "video" : "audio";
  e.representation_id = ev.representation_id;
  e.bandwidth_bps = ev.bandwidth.whole_bps();
  e.position = position_;
  emit(e);
}

void Player::Impl::on_cdn_change(const engine::CdnChangeEvent& ev) {
  if (engine_telemetry_) engine_telemetry_->on_cdn_change(ev);
  PlayerEvent e;
  e.kind = PlayerEvent::Kind::kCdnChanged;
  e.state = engine_state_;
  e.position = position_;
  e.cdn = net::redact_url(ev.base_url);
  e.reason = ev.reason + ": " + telemetry::redact_urls_in(ev.detail);
  log(LogLevel::kInfo, "CDN " + e.cdn + " (" + e.reason + ")");
  emit(e);
}

void Player::Impl::on_live_latency(const engine::LiveLatencyEvent& ev) {
  std::lock_guard lock(visible_mu_);
  stats_.live_latency = ev.latency;
  stats_.live_playback_rate = ev.rate;
}

void Player::Impl::on_download(const engine::DownloadEvent& ev) {
  if (engine_telemetry_) engine_telemetry_->on_download(ev);
  if (ev.kind != engine::DownloadKind::kMedia || ev.abandoned) return;
  std::lock_guard lock(visible_mu_);
  ++stats_.segments_downloaded;
}

void Player::Impl::on_error(const Error& error) {
  if (engine_telemetry_) engine_telemetry_->on_error(error);
  log(LogLevel::kError, error.describe());
  PlayerEvent e;
  e.kind = PlayerEvent::Kind::kError;
  e.state = PlayerState::kError;
  e.error = error;
  emit(e);
  // The state event (to kError) follows or preceded; the session's telemetry ends with it.
  end_session(telemetry::EndReason::kError);
}

void Player::Impl::on_warning(const Error& error) {
  emit_warning(error);
  if (engine_telemetry_) engine_telemetry_->on_warning(error);
}

// Player thread: when no command is queued, the visible state follows the engine.
void Player::Impl::sync_visible() {
  std::lock_guard lock(visible_mu_);
  if (pending_ > 0) return;
  visible_state_ = engine_ ? engine_state_ : api_state_.value_or(PlayerState::kIdle);
  visible_position_ = position_;
  visible_pwr_ = play_when_ready_;
}

void Player::Impl::emit(const PlayerEvent& e) {
  std::lock_guard lock(listener_mu_);
  if (listener_) listener_->on_event(e);
}

void Player::Impl::emit_warning(const Error& error) {
  log(LogLevel::kWarning, error.describe());
  PlayerEvent e;
  e.kind = PlayerEvent::Kind::kWarning;
  e.state = engine_state_;
  e.error = error;
  emit(e);
}

telemetry::RepresentationInfo Player::Impl::rep_info(const std::string& id, DataRate bandwidth) const {
  return telemetry::describe_representation(engine_ ? engine_->manifest() : nullptr, id, bandwidth);
}

}  // namespace abrplay
