// Player::Impl, the telemetry session (player thread): the SessionRecorder and Reporter of a session,
// heartbeats every telemetry interval, and the final report (flushed within a deadline) at its end.
#include "player_impl.h"

#include "abrplay/net/url.h"

namespace abrplay {

void Player::Impl::start_session(const std::string& url) {
  content_id_ = config_.content_id;
  if (content_id_.empty()) {  // the manifest's folder: ".../number/manifest.mpd" -> "number"
    const std::string path = net::redact_url(url);
    const auto slash = path.find_last_of('/');
    content_id_ = slash == std::string::npos ? path : path.substr(0, slash);
    const auto prev = content_id_.find_last_of('/');
    if (prev != std::string::npos) content_id_ = content_id_.substr(prev + 1);
  }
  const std::string& telemetry_url = config_.telemetry_url.empty() ? api_.telemetry_url : config_.telemetry_url;
  if (telemetry_url.empty()) return;
  telemetry_interval_ = config_.telemetry_url.empty() && api_.telemetry_interval ? *api_.telemetry_interval
                                                                                 : config_.telemetry_interval;
  telemetry::SessionInfo info;
  info.session_id = session_id_;
  info.content_id = content_id_;
  info.device = "linux";
  info.library_version = "abrplay " ABRPLAY_VERSION;
  {
    std::lock_guard lock(visible_mu_);
    info.abr = stats_.abr;
  }
  recorder_ = std::make_unique<telemetry::SessionRecorder>(std::move(info));
  recorder_->on_load(load_time_);
  engine_telemetry_ = std::make_unique<telemetry::EngineTelemetry>(
      telemetry::EngineTelemetryDeps{.recorder = *recorder_,
                                     .clock = clock_,
                                     .manifest_url = url_,
                                     .manifest = [this] { return engine_ ? engine_->manifest() : nullptr; },
                                     .position_s = [this] { return seconds(position_); }});  // what is on screen
  telemetry::ReporterConfig rc;
  rc.url = telemetry_url;
  for (const auto& [name, value] : config_.request_headers) rc.headers.push_back({name, value});
  reporter_ = std::make_unique<telemetry::Reporter>(*http_, *loop_, clock_, rc);
  schedule_heartbeat();
}

void Player::Impl::schedule_heartbeat() {
  heartbeat_timer_ = loop_->post_after(telemetry_interval_, [this] {
    heartbeat_timer_ = 0;
    if (!recorder_ || !reporter_) return;
    reporter_->enqueue(recorder_->heartbeat(snapshot(), clock_.wall(), clock_.steady()));
    reporter_->poll();
    schedule_heartbeat();
  });
}

telemetry::Snapshot Player::Impl::snapshot() const {
  telemetry::Snapshot s = engine_telemetry_ ? engine_telemetry_->snapshot() : telemetry::Snapshot{};
  s.position_s = seconds(position_);
  s.state = std::string(to_string(engine_state_));
  if (cache_) {
    PlayerStats figures;
    fill_cache_stats(figures);  // cache_base_ is the player thread's own: no lock needed here
    s.cache = telemetry::Snapshot::CacheFigures{figures.cache_hits, figures.cache_revalidations, figures.cache_misses,
                                                figures.cache_bytes};
  }
  {
    std::lock_guard lock(visible_mu_);
    if (stats_.live_latency) s.live_latency_s = seconds(*stats_.live_latency);
  }
  s.buffer_s.clear();  // the engine's buffers now, rather than at their last event
  if (engine_) {
    for (TrackType t : tracks_) {
      if (engine_->buffer(t) == nullptr) continue;  // e.g. the pipeline's text track, subtitles off
      s.buffer_s[std::string(to_string(t))] = seconds(engine_->buffer_ahead(t));
    }
  }
  return s;
}

void Player::Impl::end_session(telemetry::EndReason reason) {
  if (heartbeat_timer_) loop_->cancel(heartbeat_timer_);
  heartbeat_timer_ = 0;
  if (!recorder_ || !reporter_) return;
  const telemetry::Snapshot last = snapshot();
  engine_telemetry_.reset();  // it feeds the recorder: gone first
  auto recorder = std::move(recorder_);
  auto reporter = std::move(reporter_);
  const bool ok = reporter->flush(recorder->final_report(last, reason, clock_.wall(), clock_.steady()),
                                  config_.telemetry_flush_deadline);
  PlayerEvent e;
  e.kind = PlayerEvent::Kind::kTelemetrySent;
  e.state = engine_state_;
  if (!ok) e.error = {ErrorCode::kNetworkTimeout, "final telemetry report not delivered before the deadline"};
  reporter.reset();
  emit(e);
}

}  // namespace abrplay
