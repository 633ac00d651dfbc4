// telemetry_collector.h: receives player heartbeats (POST /telemetry) and summarises sessions.
//
// A heartbeat is a JSON object with a string "session_id" (a body may also be a JSON array of
// them: a player's batch of heartbeats it could not send earlier, stored in order); anything else in it is the player's
// business and is stored as sent, one line per heartbeat, in the JSONL file (--telemetry-out) with
// the receive time added as "received". A heartbeat with "event": "final" (or "final": true) marks
// the session as ended. GET /telemetry/sessions returns, per session: heartbeats, first and last
// receive times, whether it ended, the last heartbeat, and for each top-level numeric field its
// min, max and last value (so stalls, bitrates and buffer levels summarise without a schema).
//
// Bounds: at most kMaxSessions sessions are tracked (later ones are refused), so a misbehaving
// client cannot grow memory without limit; bodies are bounded by the server (64 KiB).
// Threading: add() and sessions() may be called from any handler thread (one mutex).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "abrplay/core/expected.h"

namespace abrplay::origin {

class TelemetryCollector {
 public:
  static constexpr std::size_t kMaxSessions = 10000;

  // `jsonl_path` empty: keep the summaries only.
  static Expected<std::unique_ptr<TelemetryCollector>, std::string> open(const std::string& jsonl_path);

  enum class AddResult { kStored, kBadJson, kNoSessionId, kTooManySessions };
  AddResult add(const std::string& body, std::chrono::system_clock::time_point received);

  nlohmann::json sessions() const;

 private:
  AddResult add_one(nlohmann::json heartbeat, std::chrono::system_clock::time_point received);
  struct Numeric {
    double min = 0, max = 0, last = 0;
  };
  struct Session {
    std::size_t heartbeats = 0;
    std::chrono::system_clock::time_point first, last;
    bool ended = false;
    nlohmann::json last_heartbeat;
    std::map<std::string, Numeric> numeric;
    std::set<std::int64_t> seqs;  // the player delivers at least once: a seq seen before is a repeat
  };

  mutable std::mutex mutex_;
  std::ofstream out_;                        // GUARDED_BY(mutex_)
  std::map<std::string, Session> sessions_;  // GUARDED_BY(mutex_)
};

}  // namespace abrplay::origin
