// session_stats.h: what the abrplay demo reports about a session, gathered from engine events.
//
// The figures are engine::SessionMetrics' (session_metrics.h), on the session's Clock: the same code
// the ABR lab scores with. Startup: load() to the first kPlaying. Stalls: kPlaying -> kBuffering
// and the time until playback resumed. Average bitrate, switches and QoE_lin: of the video rendition
// at the playhead, per second of media played (not of what was downloaded).
// Threads: events arrive on the player thread; snapshot() may be called from any thread.
#pragma once
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "abrplay/core/clock.h"
#include "abrplay/player/engine/engine_events.h"
#include "abrplay/player/engine/session_metrics.h"

namespace abrplay::demo {

// The session's figures (engine::SessionFigures: state, startup, stalls, played bitrate, switches,
// QoE_lin, error, renditions) and what the progress line shows besides.
struct SessionSummary {
  engine::SessionFigures figures;
  double position_s = 0;
  double buffer_s = 0;  // video (or audio) ahead of the position
  double last_bitrate_kbps = 0;
  std::string abr;  // the algorithm's resolved name (set by the caller)
};

class SessionStats final : public engine::EngineObserver {
 public:
  explicit SessionStats(const Clock& clock) : metrics_(clock) {}

  void on_state(const engine::StateChange& e) override;
  void on_download(const engine::DownloadEvent& e) override;
  void on_buffer(const engine::BufferLevelEvent& e) override;
  void on_error(const Error& e) override;
  void on_live_latency(const engine::LiveLatencyEvent& e) override;

  SessionSummary snapshot() const;
  // Waits until the session ended, failed, or played `until_s` of media; false after `limit`.
  bool wait_done(std::optional<double> until_s, std::chrono::milliseconds limit);

 private:
  bool done_locked(std::optional<double> until_s) const;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  SessionSummary s_;                // guarded by mu_: position, buffer, last bitrate
  engine::SessionMetrics metrics_;  // guarded by mu_
};

std::string to_json(const SessionSummary& s, const std::string& url);

}  // namespace abrplay::demo
