#include "session_stats.h"

#include <nlohmann/json.hpp>

namespace abrplay::demo {

namespace {

double seconds_of(std::chrono::microseconds d) { return static_cast<double>(d.count()) / 1e6; }

}  // namespace

void SessionStats::on_state(const engine::StateChange& e) {
  {
    std::lock_guard l(mu_);
    metrics_.on_state(e);
  }
  cv_.notify_all();
}

void SessionStats::on_download(const engine::DownloadEvent& e) {
  std::lock_guard l(mu_);
  metrics_.on_download(e);
  if (e.kind == engine::DownloadKind::kMedia && e.track == TrackType::kVideo && !e.abandoned) {
    s_.last_bitrate_kbps = e.bandwidth.kbps();
  }
}

void SessionStats::on_buffer(const engine::BufferLevelEvent& e) {
  {
    std::lock_guard l(mu_);
    metrics_.on_buffer(e);
    s_.position_s = seconds_of(e.position);
    if (e.track == TrackType::kVideo || e.track == TrackType::kAudio) s_.buffer_s = seconds_of(e.ahead);
  }
  cv_.notify_all();
}

void SessionStats::on_live_latency(const engine::LiveLatencyEvent& e) {
  std::lock_guard l(mu_);
  metrics_.on_live_latency(e);
}

void SessionStats::on_error(const Error& e) {
  {
    std::lock_guard l(mu_);
    metrics_.on_error(e);
  }
  cv_.notify_all();
}

SessionSummary SessionStats::snapshot() const {
  std::lock_guard l(mu_);
  SessionSummary s = s_;
  s.figures = metrics_.figures();
  return s;
}
bool SessionStats::done_locked(std::optional<double> until_s) const {
  if (metrics_.state() == engine::EngineState::kEnded) return true;
  if (metrics_.state() == engine::EngineState::kError && !metrics_.error().empty()) return true;
  return until_s && s_.position_s >= *until_s;
}

bool SessionStats::wait_done(std::optional<double> until_s, std::chrono::milliseconds limit) {
  std::unique_lock l(mu_);
  return cv_.wait_for(l, limit, [&] { return done_locked(until_s); });
}

std::string to_json(const SessionSummary& s, const std::string& url) {
  nlohmann::json j;
  j["url"] = url;
  const engine::SessionFigures& f = s.figures;
  j["state"] = std::string(engine::to_string(f.state));
  j["abr"] = s.abr;
  j["startup_s"] = f.startup_s ? nlohmann::json(*f.startup_s) : nlohmann::json(nullptr);
  j["played_s"] = s.position_s;
  j["average_bitrate_kbps"] = f.bitrate.kbps();
  j["switches"] = f.switches;
  j["qoe_lin"] = f.qoe_lin;
  j["stalls"] = f.stalls;
  j["stall_s"] = f.stall_s;
  j["segments"] = f.media_segments;
  j["abandoned"] = f.abandoned;
  j["bytes"] = f.bytes.bytes();
  nlohmann::json reps = nlohmann::json::array();
  for (const auto& seg : f.video_segments) reps.push_back(seg.representation_id);
  j["video_representations"] = reps;
  j["error"] = f.error.empty() ? nlohmann::json(nullptr) : nlohmann::json(f.error);
  if (f.live_latency_s) {
    j["live_latency_s"] = *f.live_latency_s;
    j["live_latency_sd_s"] = f.live_latency_sd_s.value_or(0);
  }
  return j.dump(2);
}

}  // namespace abrplay::demo
