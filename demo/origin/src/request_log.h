// request_log.h: the origin's JSONL request log, one JSON object per line, for tests and benchmarks.
//
//   {"time":"2026-11-22T08:00:00.123Z","t_ms":1234.5,"cdn":0,"client":"127.0.0.1:51234",
//    "method":"GET","path":"/number/chunk-stream0-00001.m4s","query":"","range":"bytes=0-999",
//    "status":206,"bytes":1000,"duration_ms":85.2,"fault":"stall","cmcd":{"br":300,"ot":"v"}}
//
// t_ms counts from the origin start; duration_ms from the request's arrival to its last byte;
// bytes is the body bytes actually written (so a reset or truncated response shows what got out).
// "cmcd" merges the CMCD query parameter and the CMCD-Request/Object/Status/Session headers
// (CTA-5004); it is omitted when the request carried no CMCD data.
//
// Threading: write() may be called from any handler thread; lines are written whole and flushed.
#pragma once

#include <chrono>
#include <cstdint>
#include <fstream>
#include <mutex>
#include <string>

#include <nlohmann/json.hpp>

#include "abrplay/core/expected.h"

namespace abrplay::origin {

struct RequestRecord {
  std::chrono::system_clock::time_point time;  // arrival
  double t_ms = 0;                             // arrival, since the origin started
  int cdn = 0;
  std::string client, method, path, query, range;
  int status = 0;
  std::uint64_t bytes = 0;
  double duration_ms = 0;
  std::string fault;    // empty when none was injected
  nlohmann::json cmcd;  // null when absent
};

// Parses a CMCD payload ("br=3200,bl=21300,ot=v,sid=\"abc\",su"): numbers stay numbers, quoted
// strings are unquoted, bare tokens are strings and keys without '=' are true. Malformed pairs are
// skipped (a log must not reject traffic).
nlohmann::json parse_cmcd(const std::string& payload);

nlohmann::json to_json(const RequestRecord& r);

class RequestLog {
 public:
  RequestLog() = default;  // disabled: write() does nothing
  // Opens (appends to) the file; the error names it.
  static Expected<std::unique_ptr<RequestLog>, std::string> open(const std::string& path);

  void write(const RequestRecord& record);

 private:
  std::mutex mutex_;
  std::ofstream out_;  // GUARDED_BY(mutex_)
};

}  // namespace abrplay::origin
