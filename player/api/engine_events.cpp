// Player::Impl as an EngineObserver (player thread): engine events become the visible state, the
// stats, the listener's PlayerEvents and telemetry records.
#include "player_impl.h"

#include "abrplay/net/url.h"

namespace abrplay {

void Player::Impl::on_state(const engine::StateChange& change) {
  const PlayerState from = player_impl::from_engine(change.from), to = player_impl::from_engine(change.to);
  const SteadyTime now = clock_.steady();
  engine_state_ = to;
  if (from == PlayerState::kLoading) {
    capture_languages();
    report_thumbnail_problems();
  }
  if (to == PlayerState::kPlaying && !first_playing_) {
    first_playing_ = true;
    if (recorder_) recorder_->on_first_frame(now);
    std::lock_guard lock(visible_mu_);
    stats_.startup_time = std::chrono::duration_cast<microseconds>(now - load_time_);
  }
  if (from == PlayerState::kPlaying && to == PlayerState::kBuffering) {
    stall_start_ = now;
    starved_[TrackType::kVideo] = starved_[TrackType::kAudio] = true;
    if (recorder_) recorder_->on_stall_start(now, seconds(change.position));
    std::lock_guard lock(visible_mu_);
    ++stats_.stalls;
  }
  if (stall_start_ && to != PlayerState::kBuffering) {
    if (recorder_) recorder_->on_stall_end(now);
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
  if (ev.track == TrackType::kText) return;
  const bool video = ev.track == TrackType::kVideo;
  std::string& current = video ? video_rep_.id : audio_rep_.id;
  if (ev.throughput) {
    std::lock_guard lock(visible_mu_);
    stats_.throughput_kbps = ev.throughput->kbps();
  }
  if (current == ev.representation_id) return;
  telemetry::RepresentationInfo next = rep_info(ev.representation_id, ev.bandwidth);
  if (video) {
    if (!video_rep_.id.empty() && recorder_) {
      recorder_->on_switch(clock_.steady(), seconds(position_), video_rep_, next, ev.reason);
    }
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
  cdn_ = ev.base_url;
  cdn_reason_ = ev.reason;
  PlayerEvent e;
  e.kind = PlayerEvent::Kind::kCdnChanged;
  e.state = engine_state_;
  e.position = position_;
  e.cdn = net::redact_url(ev.base_url);
  e.reason = ev.reason + ": " + telemetry::redact_urls_in(ev.detail);
  log(LogLevel::kInfo, "CDN " + e.cdn + " (" + e.reason + ")");
  emit(e);
}

void Player::Impl::on_download(const engine::DownloadEvent& ev) {
  // Without a choice (absolute segment URLs), the CDN is whoever served the last download; with
  // one, measurement fetches of other hosts do not move it.
  if (!ev.base_url.empty() && cdn_reason_.empty()) cdn_ = ev.base_url;
  const bool init = ev.kind == engine::DownloadKind::kInit || ev.kind == engine::DownloadKind::kIndex;
  if (recorder_ && !ev.abandoned && (init || ev.kind == engine::DownloadKind::kMedia))
    recorder_->on_download(to_string(ev.track), ev.representation_id, init, ev.bytes);
  if (ev.kind != engine::DownloadKind::kMedia || ev.abandoned) return;
  if (recorder_) {
    recorder_->on_segment(clock_.steady(), {std::string(to_string(ev.track)), ev.representation_id, ev.bandwidth,
                                            seconds(ev.segment_start), seconds(ev.segment_duration), ev.bytes,
                                            ev.sample.duration.count(), ev.sample.ttfb.count()});
  }
  {
    std::lock_guard lock(visible_mu_);
    ++stats_.segments_downloaded;
  }
  if (ev.track == TrackType::kVideo && recorder_) {
    recorder_->on_video_segment(rep_info(ev.representation_id, ev.bandwidth), seconds(ev.segment_duration));
  }
}

void Player::Impl::on_error(const Error& error) {
  if (recorder_) recorder_->on_error(clock_.steady(), error, url_);
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
  // A worked-around error (a skipped segment, a failed MPD refresh) is an error for telemetry too;
  // notices without a code (a live jump forward) are not.
  if (recorder_ && error.code != ErrorCode::kOk) recorder_->on_error(clock_.steady(), error, "");
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
  telemetry::RepresentationInfo info;
  info.id = id;
  info.bitrate = bandwidth;
  if (const manifest::Mpd* mpd = engine_ ? engine_->manifest() : nullptr) {
    for (const auto& period : mpd->periods) {
      for (const auto& set : period.adaptation_sets) {
        for (const auto& rep : set.representations) {
          if (rep.id != id) continue;
          info.width = static_cast<int>(rep.width.value_or(0));
          info.height = static_cast<int>(rep.height.value_or(0));
          info.codecs = rep.codecs;
          return info;
        }
      }
    }
  }
  return info;
}

}  // namespace abrplay
