#include "session_data.h"

#include <algorithm>
#include <fstream>

namespace abrplay::report {
namespace {

using Json = nlohmann::json;

std::optional<double> number_at(const Json& j, const Json::json_pointer& p) {
  if (!j.contains(p)) return std::nullopt;
  const Json& v = j.at(p);
  return v.is_number() ? std::optional(v.get<double>()) : std::nullopt;
}

void add_payload(Session& s, const Json& p) {
  Point pt;
  pt.t_s = p.value("session_time_s", 0.0);
  pt.position_s = p.value("position_s", 0.0);
  pt.bitrate_kbps = number_at(p, "/video/bitrate_kbps"_json_pointer);
  pt.buffer_s = number_at(p, "/buffer_s/video"_json_pointer);
  pt.throughput_kbps = number_at(p, "/throughput_kbps"_json_pointer);
  s.points.push_back(pt);
  if (p.contains("stalls") && p["stalls"].is_array()) {
    for (const Json& st : p["stalls"]) {
      if (st.contains("duration_s") && st["duration_s"].is_number()) {
        s.stalls.push_back({st.value("start_s", 0.0), st["duration_s"].get<double>()});
      }
    }
  }
  for (const char* key : {"switches", "errors"}) {
    if (!p.contains(key) || !p[key].is_array()) continue;
    auto& out = std::string_view(key) == "switches" ? s.switches : s.errors;
    for (const Json& e : p[key]) out.push_back(e);
  }
  if (p.value("event", "") == "final") s.final_report = p;
}

}  // namespace

Expected<std::map<std::string, Session>, std::string> load_sessions(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Unexpected{path + ": cannot open"};
  std::map<std::string, Session> sessions;
  std::string line;
  for (std::size_t n = 1; std::getline(in, line); ++n) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    Json doc = Json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (doc.is_discarded()) return Unexpected{path + ":" + std::to_string(n) + ": not JSON"};
    if (doc.is_object()) doc = Json::array({std::move(doc)});
    if (!doc.is_array()) return Unexpected{path + ":" + std::to_string(n) + ": not a JSON object or array"};
    for (const Json& p : doc) {
      if (!p.is_object() || !p.contains("session_id") || !p["session_id"].is_string()) {
        return Unexpected{path + ":" + std::to_string(n) + ": a payload without a string session_id"};
      }
      Session& s = sessions[p["session_id"].get<std::string>()];
      s.id = p["session_id"].get<std::string>();
      add_payload(s, p);
    }
  }
  for (auto& [id, s] : sessions) {
    std::stable_sort(s.points.begin(), s.points.end(), [](const Point& a, const Point& b) { return a.t_s < b.t_s; });
  }
  return sessions;
}

}  // namespace abrplay::report
