// session_data.h: one playback session read back from telemetry JSONL (docs/telemetry.md).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "abrplay/core/expected.h"

namespace abrplay::report {

struct Point {
  double t_s = 0;  // session time
  std::optional<double> bitrate_kbps, buffer_s, throughput_kbps;
  double position_s = 0;
};

struct Interval {
  double start_s = 0, duration_s = 0;
};

struct Session {
  std::string id;
  std::vector<Point> points;     // heartbeats (and the final report), in session-time order
  std::vector<Interval> stalls;  // completed stalls
  std::vector<nlohmann::json> switches, errors;
  std::optional<nlohmann::json> final_report;
};

// Every session in the file, by id. Errors name the file and the line: unreadable file, a line that
// is not JSON, a payload without session_id. Batches (JSON arrays on one line) are unpacked.
Expected<std::map<std::string, Session>, std::string> load_sessions(const std::string& path);

}  // namespace abrplay::report
