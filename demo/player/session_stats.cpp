#include "session_stats.h"

#include <nlohmann/json.hpp>

namespace abrplay::demo {

namespace {

double seconds_of(std::chrono::microseconds d) { return static_cast<double>(d.count()) / 1e6; }

}  // namespace

void SessionStats::on_state(const engine::StateChange& e) {
  {
    std::lock_guard l(mu_);
    const auto now = std::chrono::steady_clock::now();
    s_.state = e.to;
    if (e.to == engine::EngineState::kPlaying && !s_.startup_s) {
      s_.startup_s = std::chrono::duration<double>(now - started_).count();
    }
    if (e.from == engine::EngineState::kPlaying && e.to == engine::EngineState::kBuffering) {
      ++s_.stalls;
      stall_began_ = now;
    }
    if (stall_began_ && e.to != engine::EngineState::kBuffering) {
      s_.stall_s += std::chrono::duration<double>(now - *stall_began_).count();
      stall_began_.reset();
    }
  }
  cv_.notify_all();
}

void SessionStats::on_download(const engine::DownloadEvent& e) {
  std::lock_guard l(mu_);
  s_.bytes += e.bytes;
  if (e.kind != engine::DownloadKind::kMedia) return;
  if (e.abandoned) {
    ++s_.abandoned;
    return;
  }
  ++s_.segments;
  if (e.track != engine::TrackType::kVideo) return;
  const double kbps = static_cast<double>(e.bandwidth_bps) / 1000.0;
  const double dur = seconds_of(e.segment_duration);
  weighted_kbps_s_ += kbps * dur;
  weighted_s_ += dur;
  s_.average_bitrate_kbps = weighted_s_ > 0 ? weighted_kbps_s_ / weighted_s_ : 0;
  s_.last_bitrate_kbps = kbps;
  if (!last_video_rep_.empty() && last_video_rep_ != e.representation_id) ++s_.switches;
  last_video_rep_ = e.representation_id;
}

void SessionStats::on_buffer(const engine::BufferLevelEvent& e) {
  {
    std::lock_guard l(mu_);
    s_.position_s = seconds_of(e.position);
    if (e.track == engine::TrackType::kVideo || e.track == engine::TrackType::kAudio) s_.buffer_s = seconds_of(e.ahead);
  }
  cv_.notify_all();
}

void SessionStats::on_error(const Error& e) {
  {
    std::lock_guard l(mu_);
    s_.error = e.describe();
  }
  cv_.notify_all();
}

SessionSummary SessionStats::snapshot() const {
  std::lock_guard l(mu_);
  return s_;
}

bool SessionStats::done_locked(std::optional<double> until_s) const {
  if (s_.state == engine::EngineState::kEnded) return true;
  if (s_.state == engine::EngineState::kError && !s_.error.empty()) return true;
  return until_s && s_.position_s >= *until_s;
}

bool SessionStats::wait_done(std::optional<double> until_s, std::chrono::milliseconds limit) {
  std::unique_lock l(mu_);
  return cv_.wait_for(l, limit, [&] { return done_locked(until_s); });
}

std::string to_json(const SessionSummary& s, const std::string& url) {
  nlohmann::json j;
  j["url"] = url;
  j["state"] = std::string(engine::to_string(s.state));
  j["startup_s"] = s.startup_s ? nlohmann::json(*s.startup_s) : nlohmann::json(nullptr);
  j["played_s"] = s.position_s;
  j["average_bitrate_kbps"] = s.average_bitrate_kbps;
  j["switches"] = s.switches;
  j["stalls"] = s.stalls;
  j["stall_s"] = s.stall_s;
  j["segments"] = s.segments;
  j["abandoned"] = s.abandoned;
  j["bytes"] = s.bytes;
  j["error"] = s.error.empty() ? nlohmann::json(nullptr) : nlohmann::json(s.error);
  return j.dump(2);
}

}  // namespace abrplay::demo
