// sample_sessions.h: telemetry sessions written by the player's own SessionRecorder on a manual
// clock, for the collector's tests and its ingest benchmark: heartbeats every 10 s (the first with
// a switch, the second with a 1 s stall and a network error) and a final report.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "abrplay/core/time.h"

namespace abrplay::collector {

struct SampleSession {
  std::string id;
  int heartbeats = 3;
  std::string device = "linux-x86_64";
  std::string content = "movie";
  std::string abr;  // "" : the payloads name none (as older players)
  double bitrate_kbps = 1850;
  WallTime start{std::chrono::seconds{1'704'067'200}};  // 2024-01-01T00:00:00Z
  bool final_report = true;
};

// The session's payloads in seq order (seq 0 .. heartbeats, the final last).
std::vector<nlohmann::json> sample_session(const SampleSession& s);

}  // namespace abrplay::collector
