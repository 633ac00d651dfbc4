// session_stats.h: what the abrplay demo reports about a session, gathered from engine events.
//
// Startup time: load() to the first kPlaying. Stalls: kPlaying -> kBuffering transitions, and the
// time until playback resumed. Average bitrate: declared video bandwidth weighted by segment
// duration over the media segments downloaded (abandoned downloads excluded). Switches: changes of
// video representation between consecutive downloaded segments.
// Threads: events arrive on the player thread; snapshot() may be called from any thread.
#pragma once
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>

#include "abrplay/player/engine/engine_events.h"

namespace abrplay::demo {

struct SessionSummary {
  engine::EngineState state = engine::EngineState::kIdle;
  std::optional<double> startup_s;
  double position_s = 0;
  double buffer_s = 0;  // video (or audio) ahead of the position
  double average_bitrate_kbps = 0;
  double last_bitrate_kbps = 0;
  int switches = 0;
  int stalls = 0;
  double stall_s = 0;
  int segments = 0;
  int abandoned = 0;
  std::uint64_t bytes = 0;
  std::string error;  // describe() of the fatal error, if any
};

class SessionStats final : public engine::EngineObserver {
 public:
  explicit SessionStats(std::chrono::steady_clock::time_point started) : started_(started) {}

  void on_state(const engine::StateChange& e) override;
  void on_download(const engine::DownloadEvent& e) override;
  void on_buffer(const engine::BufferLevelEvent& e) override;
  void on_error(const Error& e) override;

  SessionSummary snapshot() const;
  // Waits until the session ended, failed, or played `until_s` of media; false after `limit`.
  bool wait_done(std::optional<double> until_s, std::chrono::milliseconds limit);

 private:
  bool done_locked(std::optional<double> until_s) const;
  const std::chrono::steady_clock::time_point started_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  SessionSummary s_;                                         // guarded by mu_
  double weighted_kbps_s_ = 0, weighted_s_ = 0;              // guarded by mu_
  std::string last_video_rep_;                               // guarded by mu_
  std::optional<std::chrono::steady_clock::time_point> stall_began_;  // guarded by mu_
};

std::string to_json(const SessionSummary& s, const std::string& url);

}  // namespace abrplay::demo
