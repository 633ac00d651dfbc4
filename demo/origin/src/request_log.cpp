#include "request_log.h"

#include <cctype>
#include <cmath>

#include "live_mpd.h"

namespace abrplay::origin {

nlohmann::json parse_cmcd(const std::string& payload) {
  nlohmann::json out = nlohmann::json::object();
  std::size_t i = 0;
  while (i < payload.size()) {
    // One "key[=value]" item; commas inside quotes do not split.
    std::string item;
    bool quoted = false;
    for (; i < payload.size() && (quoted || payload[i] != ','); ++i) {
      if (payload[i] == '"') quoted = !quoted;
      item += payload[i];
    }
    ++i;
    const auto eq = item.find('=');
    const std::string key = item.substr(0, eq);
    if (key.empty() || key.size() > 64) continue;
    if (eq == std::string::npos) {
      out[key] = true;
      continue;
    }
    const std::string value = item.substr(eq + 1);
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
      out[key] = value.substr(1, value.size() - 2);
      continue;
    }
    char* end = nullptr;
    const double d = std::strtod(value.c_str(), &end);
    if (!value.empty() && end == value.c_str() + value.size() && std::isfinite(d)) {
      if (d == std::floor(d) && std::fabs(d) < 1e15) out[key] = static_cast<long long>(d);
      else out[key] = d;
    } else {
      out[key] = value;
    }
  }
  return out;
}

nlohmann::json to_json(const RequestRecord& r) {
  nlohmann::json j = {{"time", iso8601(r.time)},
                      {"t_ms", r.t_ms},
                      {"cdn", r.cdn},
                      {"client", r.client},
                      {"method", r.method},
                      {"path", r.path},
                      {"query", r.query},
                      {"range", r.range},
                      {"status", r.status},
                      {"bytes", r.bytes},
                      {"duration_ms", r.duration_ms}};
  if (!r.fault.empty()) j["fault"] = r.fault;
  if (!r.cmcd.is_null()) j["cmcd"] = r.cmcd;
  return j;
}

Expected<std::unique_ptr<RequestLog>, std::string> RequestLog::open(const std::string& path) {
  auto log = std::make_unique<RequestLog>();
  log->out_.open(path, std::ios::app);
  if (!log->out_) return Unexpected{"--log " + path + ": cannot open for writing"};
  return log;
}

void RequestLog::write(const RequestRecord& record) {
  // Paths come from the network: invalid UTF-8 is replaced rather than thrown on.
  const std::string line = to_json(record).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  std::lock_guard lock(mutex_);
  if (!out_.is_open()) return;
  out_ << line << '\n';
  out_.flush();
}

}  // namespace abrplay::origin
