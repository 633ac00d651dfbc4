// fault_plan.h: fault injection rules of one CDN, read from a JSON file.
//
//   {"seed": 1, "rules": [
//     {"match": "*/chunk-stream5-*", "every_nth": 3, "fault": "status", "status": 503},
//     {"match": "*.m4s", "probability": 0.1, "from_s": 10, "until_s": 40, "fault": "reset"},
//     {"match": "*.m4s", "fault": "stall", "stall_s": 2, "at_fraction": 0.5},
//     {"match": "*.m4s", "fault": "truncate", "at_fraction": 0.5},
//     {"match": "*.m4s", "fault": "corrupt", "bytes": 64},
//     {"match": "*.mpd", "fault": "slow_first_byte", "delay_ms": 1500}]}
//
// A rule matches a request path (fnmatch glob, '*' also crosses '/'), inside its time window
// [from_s, until_s) measured from the server start; it fires on every nth match (every_nth) or with a
// probability (seeded, so runs repeat), or on every match when neither is given. The first rule that
// fires decides the fault. Unknown keys are errors, so a typo never silently disables a rule.
//
// Faults:
//   status           answer `status` (4xx/5xx) with a short text body instead of the content
//   reset            send `at_fraction` of the body, then reset the TCP connection (RST)
//   stall            send `at_fraction` of the body, pause `stall_s`, then send the rest
//   truncate         send `at_fraction` of the body, then close the connection cleanly (FIN)
//   corrupt          send the whole body with `bytes` bytes inverted, spread evenly over it
//   slow_first_byte  wait `delay_ms` before the response headers
//   wrong_type       answer 200 with a small text/html page (a captive portal, a CDN error page)
//   redirect_loop    answer 302 with Location: the request itself, forever
//   oversize         send the content followed by `bytes` more zero bytes (default 256 MiB), with a
//                    Content-Length to match: a body far larger than the manifest declares
//
// Threading: decide() may be called from any handler thread (counters and RNG under a mutex).
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "abrplay/core/expected.h"

namespace abrplay::origin {

enum class FaultKind {
  kStatus,
  kReset,
  kStall,
  kTruncate,
  kCorrupt,
  kSlowFirstByte,
  kWrongType,
  kRedirectLoop,
  kOversize
};

const char* to_string(FaultKind kind);

struct Fault {
  FaultKind kind = FaultKind::kStatus;
  int status = 503;
  double at_fraction = 0.5;                  // reset, stall, truncate: where in the body
  std::chrono::milliseconds delay{0};        // stall, slow_first_byte
  std::size_t corrupt_bytes = 16;            // corrupt ("bytes")
  std::uint64_t extra_bytes = 256ull << 20;  // oversize ("bytes")
};

struct FaultRule {
  std::string match = "*";
  std::optional<double> probability;       // in [0, 1]
  std::optional<std::uint64_t> every_nth;  // >= 1
  std::chrono::milliseconds from{0};
  std::optional<std::chrono::milliseconds> until;
  Fault fault;
};

class FaultPlan {
 public:
  FaultPlan() = default;  // no rules: never fires
  FaultPlan(std::vector<FaultRule> rules, std::uint64_t seed);
  FaultPlan(FaultPlan&& other) noexcept;

  // Parses the JSON text; `name` (the file) prefixes every error, with the rule index.
  static Expected<FaultPlan, std::string> parse(const std::string& json_text, const std::string& name);
  static Expected<FaultPlan, std::string> load(const std::string& path);

  // The fault to inject into the request for `path` arriving `elapsed` after the server start.
  std::optional<Fault> decide(const std::string& path, std::chrono::milliseconds elapsed);

  std::size_t size() const { return rules_.size(); }

 private:
  std::vector<FaultRule> rules_;
  std::mutex mutex_;
  std::vector<std::uint64_t> matches_;  // GUARDED_BY(mutex_): per rule, matching requests so far
  std::mt19937_64 rng_;                 // GUARDED_BY(mutex_)
};

}  // namespace abrplay::origin
