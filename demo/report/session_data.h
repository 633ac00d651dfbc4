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

// One completed media-segment download (a payload's "segments" entry).
struct Segment {
  double t_s = 0;  // session time its last byte arrived
  std::string track, representation;
  double bitrate_kbps = 0, start_s = 0, duration_s = 0, download_s = 0;
  double bytes = 0;
  // Measured throughput of this download (body bits / request time); nullopt for a zero time.
  std::optional<double> throughput_kbps() const;
};

// One switch (a payload's "switches" entry), the fields the report reads; absent numbers are 0.
struct Switch {
  double t_s = 0, position_s = 0, from_kbps = 0, to_kbps = 0;
  std::string from_id, to_id, reason;
};

struct Session {
  std::string id, content_id, device, abr;  // as the payloads name them (the last one seen)
  std::vector<Point> points;                // heartbeats (and the final report), in session-time order
  std::vector<Interval> stalls;             // completed stalls
  std::vector<Switch> switches;             // in session-time order
  std::vector<Segment> segments;            // in session-time order (empty for telemetry before "segments")
  std::vector<nlohmann::json> errors;
  std::uint64_t events_dropped = 0;  // list entries the player could not fit in its payloads
  std::optional<nlohmann::json> final_report;
};

// Every session in the file, by id. Errors name the file and the line: unreadable file, a line that
// is not JSON, a payload without session_id, a list ("switches", "segments", ...) that is not an
// array of objects. Batches (JSON arrays on one line) are unpacked.
Expected<std::map<std::string, Session>, std::string> load_sessions(const std::string& path);

}  // namespace abrplay::report
