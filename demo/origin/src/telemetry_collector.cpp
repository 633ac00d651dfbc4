#include "telemetry_collector.h"

#include <algorithm>

#include "live_mpd.h"

namespace abrplay::origin {

Expected<std::unique_ptr<TelemetryCollector>, std::string> TelemetryCollector::open(const std::string& jsonl_path) {
  auto c = std::make_unique<TelemetryCollector>();
  if (!jsonl_path.empty()) {
    c->out_.open(jsonl_path, std::ios::app);
    if (!c->out_) return Unexpected{"--telemetry-out " + jsonl_path + ": cannot open for writing"};
  }
  return c;
}

namespace {
bool has_session_id(const nlohmann::json& hb) {
  return hb.contains("session_id") && hb["session_id"].is_string() && !hb["session_id"].get<std::string>().empty();
}
}  // namespace

TelemetryCollector::AddResult TelemetryCollector::add(const std::string& body,
                                                      std::chrono::system_clock::time_point received) {
  nlohmann::json doc = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return AddResult::kBadJson;
  if (doc.is_object()) doc = nlohmann::json::array({std::move(doc)});
  if (!doc.is_array() || doc.empty()) return AddResult::kBadJson;
  // A batch is checked whole before anything is stored, so a bad one is refused as a unit.
  for (const auto& hb : doc) {
    if (!hb.is_object()) return AddResult::kBadJson;
    if (!has_session_id(hb)) return AddResult::kNoSessionId;
  }
  for (auto& hb : doc) {
    const AddResult r = add_one(std::move(hb), received);
    if (r != AddResult::kStored) return r;
  }
  return AddResult::kStored;
}

TelemetryCollector::AddResult TelemetryCollector::add_one(nlohmann::json hb,
                                                          std::chrono::system_clock::time_point received) {
  const std::string id = hb["session_id"].get<std::string>();
  hb["received"] = iso8601(received);
  const std::string line = hb.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);

  std::lock_guard lock(mutex_);
  auto it = sessions_.find(id);
  if (it == sessions_.end()) {
    if (sessions_.size() >= kMaxSessions) return AddResult::kTooManySessions;
    it = sessions_.emplace(id, Session{}).first;
    it->second.first = received;
  }
  Session& s = it->second;
  // A payload the player sent again (its POST was cancelled after this collector had taken it)
  // carries a seq already stored: accepted, not counted twice.
  if (hb.contains("seq") && hb["seq"].is_number_integer() && !s.seqs.insert(hb["seq"].get<std::int64_t>()).second) {
    return AddResult::kStored;
  }
  ++s.heartbeats;
  s.last = received;
  if ((hb.contains("event") && hb["event"] == "final") || (hb.contains("final") && hb["final"] == true)) {
    s.ended = true;
  }
  for (const auto& [key, value] : hb.items()) {
    if (!value.is_number()) continue;
    const double v = value.get<double>();
    auto [n, inserted] = s.numeric.try_emplace(key, Numeric{v, v, v});
    if (!inserted) {
      n->second.min = std::min(n->second.min, v);
      n->second.max = std::max(n->second.max, v);
      n->second.last = v;
    }
  }
  s.last_heartbeat = std::move(hb);
  if (out_.is_open()) {
    out_ << line << '\n';
    out_.flush();
  }
  return AddResult::kStored;
}

nlohmann::json TelemetryCollector::sessions() const {
  std::lock_guard lock(mutex_);
  nlohmann::json out = nlohmann::json::array();
  for (const auto& [id, s] : sessions_) {
    nlohmann::json numeric = nlohmann::json::object();
    for (const auto& [key, n] : s.numeric) numeric[key] = {{"min", n.min}, {"max", n.max}, {"last", n.last}};
    out.push_back({{"session_id", id},
                   {"heartbeats", s.heartbeats},
                   {"first_received", iso8601(s.first)},
                   {"last_received", iso8601(s.last)},
                   {"ended", s.ended},
                   {"numeric", numeric},
                   {"last", s.last_heartbeat}});
  }
  return out;
}

}  // namespace abrplay::origin
