// steering_script.h: the origin's content steering server (--steering SCRIPT.json): a steering
// manifest (DASH-IF CTS 001) at GET /steering whose answer follows a script of timed steps, so a
// test can change the CDN order in the middle of a session.
//
//   [{"at_s": 0, "priority": ["cdn-0", "cdn-1"], "ttl_s": 2},
//    {"at_s": 6, "priority": ["cdn-1", "cdn-0"], "ttl_s": 2, "reload_uri": "/steering?phase=2"},
//    {"at_s": 9, "body": "{not json"}]
//
// or an object with the steps and how the MPD advertises the server:
//   {"default_service_location": "cdn-0", "query_before_start": true, "url": "http://127.0.0.1:9/x",
//    "steps": [...]}
// Each step holds from `at_s` (seconds since the origin started; ascending, the first one also
// before its time) to the next. It answers {"VERSION":1,"TTL":ttl_s,"RELOAD-URI":...,
// "PATHWAY-PRIORITY":priority} (ttl_s and reload_uri left out when absent), or `body` verbatim as
// application/json (for malformed answers). The CDN's fault rules apply to /steering like to any
// path (a 503, a redirect loop, an oversize body). `url` replaces the advertised server URL (a
// port where nothing listens: a server that is down). Unknown keys are errors.
//
// Every CDN port serves /steering; the MPDs name CDN 0's. Pure data after parsing; any thread.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "abrplay/core/expected.h"

namespace abrplay::origin {

struct SteeringStep {
  std::chrono::milliseconds at{0};
  std::vector<std::string> priority;
  std::optional<int> ttl_s;
  std::string reload_uri;
  std::optional<std::string> body;  // served verbatim instead of a steering manifest
};

struct SteeringScript {
  std::vector<SteeringStep> steps;  // at least one, ascending `at`
  std::string default_service_location;
  bool query_before_start = false;
  std::string url;  // empty: CDN 0's /steering

  // Parses the JSON text; `name` (the file) prefixes every error, with the step index.
  static Expected<SteeringScript, std::string> parse(const std::string& json_text, const std::string& name);
  static Expected<SteeringScript, std::string> load(const std::string& path);

  // The answer body at `elapsed` since the origin started.
  std::string answer(std::chrono::milliseconds elapsed) const;
};

}  // namespace abrplay::origin
