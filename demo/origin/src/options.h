// options.h: abrplay-origin's options, from the command line and/or a JSON profile.
//
// A profile (--profile FILE) is a JSON object with the same names as the long options, using '_'
// for '-': {"root": ["a", "b"], "port": 8080, "trace": "t.txt", "rtt_ms": 40, "cdn": 2,
// "faults": ["f0.json", "f1.json"], "live": true, "log": "req.jsonl", ...}. Command-line values win
// over the profile's. Unknown profile keys are errors. Relative paths in a profile are relative to
// the profile's folder.
// Threading: plain functions.
#pragma once

#include <string>
#include <vector>

#include "abrplay/core/expected.h"

namespace abrplay::origin {

struct OriginOptions {
  std::vector<std::string> roots;
  int port = 0;                     // first CDN's port (CDN i: port + i); 0 = ephemeral ports
  std::vector<std::string> traces;  // CDN i uses traces[min(i, size-1)]; none = unshaped
  int rtt_ms = 0;                   // added to every request before its first byte
  int cdn = 1;                      // number of CDN ports
  std::vector<std::string> faults;  // CDN i uses faults[i] (none beyond the list)
  std::vector<int> cdn_priority;    // CDN i's dvb:priority in the MPDs (none beyond the list)
  std::vector<int> cdn_weight;      // CDN i's dvb:weight in the MPDs (none beyond the list)
  std::string steering;             // content steering script (steering_script.h); empty: none
  bool live = false;
  int live_window_s = 30;              // timeShiftBufferDepth
  int live_preroll_s = 8;              // AST is this long before the start: segments exist at once
  bool low_latency = false;            // live: chunked CMAF served as it is encoded (low_latency.h)
  int chunk_ms = 1000;                 // low latency: the content's CMAF chunk duration
  int target_latency_ms = 3000;        // low latency: ServiceDescription Latency@target
  bool no_chunked_transfer = false;    // low latency: segments being encoded are sent whole once complete
  bool trace_from_start = false;       // trace time 0 = server start (default: first request)
  std::string log;                     // JSONL request log
  std::string telemetry_out;           // JSONL of received heartbeats
  std::string token = "abrplay-demo";  // playback API token
};

// How parsing ended when it did not produce options: --help (code 0, text for stdout) or an error
// (code 2, message for stderr).
struct CliExit {
  int code = 0;
  std::string text;
};

Expected<OriginOptions, CliExit> parse_options(int argc, const char* const* argv);

}  // namespace abrplay::origin
