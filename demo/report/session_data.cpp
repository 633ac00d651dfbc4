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

double number_or0(const Json& j, const char* key) {
  const auto it = j.find(key);
  return it != j.end() && it->is_number() ? it->get<double>() : 0.0;
}

std::string string_or_empty(const Json& j, const char* key) {
  const auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

Segment segment_of(const Json& e) {
  Segment s;
  s.t_s = number_or0(e, "t_s");
  s.track = string_or_empty(e, "track");
  s.representation = string_or_empty(e, "representation");
  s.bitrate_kbps = number_or0(e, "bitrate_kbps");
  s.start_s = number_or0(e, "start_s");
  s.duration_s = number_or0(e, "duration_s");
  s.download_s = number_or0(e, "download_s");
  s.bytes = number_or0(e, "bytes");
  return s;
}

Switch switch_of(const Json& e) {
  Switch s;
  s.t_s = number_or0(e, "t_s");
  s.position_s = number_or0(e, "position_s");
  s.reason = string_or_empty(e, "reason");
  if (auto it = e.find("from"); it != e.end() && it->is_object()) {
    s.from_id = string_or_empty(*it, "id");
    s.from_kbps = number_or0(*it, "bitrate_kbps");
  }
  if (auto it = e.find("to"); it != e.end() && it->is_object()) {
    s.to_id = string_or_empty(*it, "id");
    s.to_kbps = number_or0(*it, "bitrate_kbps");
  }
  return s;
}

// The entries of list `key` of payload `p` (none when absent), or why they cannot be read.
Expected<const Json*, std::string> list_of(const Json& p, const char* key) {
  static const Json kEmpty = Json::array();
  const auto it = p.find(key);
  if (it == p.end()) return &kEmpty;
  if (!it->is_array()) return Unexpected{std::string("\"") + key + "\" is not an array"};
  for (const Json& e : *it) {
    if (!e.is_object()) return Unexpected{std::string("\"") + key + "\" holds an entry that is not an object"};
  }
  return &*it;
}

std::optional<std::string> add_payload(Session& s, const Json& p) {
  Point pt;
  pt.t_s = number_or0(p, "session_time_s");
  pt.position_s = number_or0(p, "position_s");
  pt.bitrate_kbps = number_at(p, "/video/bitrate_kbps"_json_pointer);
  pt.buffer_s = number_at(p, "/buffer_s/video"_json_pointer);
  pt.throughput_kbps = number_at(p, "/throughput_kbps"_json_pointer);
  s.points.push_back(pt);
  const auto keep = [&](const char* key, std::string& field) {
    if (std::string v = string_or_empty(p, key); !v.empty()) field = std::move(v);
  };
  keep("content_id", s.content_id);
  keep("device", s.device);
  keep("abr", s.abr);
  if (auto it = p.find("events_dropped"); it != p.end() && it->is_number_unsigned()) {
    s.events_dropped += it->get<std::uint64_t>();
  }
  auto stalls = list_of(p, "stalls");
  auto switches = list_of(p, "switches");
  auto errors = list_of(p, "errors");
  auto segments = list_of(p, "segments");
  for (const auto* list : {&stalls, &switches, &errors, &segments}) {
    if (!*list) return list->error();
  }
  for (const Json& e : **stalls) {
    if (e.contains("duration_s") && e["duration_s"].is_number())
      s.stalls.push_back({number_or0(e, "start_s"), e["duration_s"].get<double>()});
  }
  for (const Json& e : **switches) s.switches.push_back(switch_of(e));
  for (const Json& e : **errors) s.errors.push_back(e);
  for (const Json& e : **segments) s.segments.push_back(segment_of(e));
  if (string_or_empty(p, "event") == "final") s.final_report = p;
  return std::nullopt;
}

}  // namespace

std::optional<double> Segment::throughput_kbps() const {
  if (!(download_s > 0)) return std::nullopt;
  return bytes * 8.0 / 1000.0 / download_s;
}

Expected<std::map<std::string, Session>, std::string> load_sessions(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Unexpected{path + ": cannot open"};
  std::map<std::string, Session> sessions;
  std::string line;
  for (std::size_t n = 1; std::getline(in, line); ++n) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    const std::string where = path + ":" + std::to_string(n) + ": ";
    Json doc = Json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (doc.is_discarded()) return Unexpected{where + "not JSON"};
    if (doc.is_object()) doc = Json::array({std::move(doc)});
    if (!doc.is_array()) return Unexpected{where + "not a JSON object or array"};
    for (const Json& p : doc) {
      if (!p.is_object() || !p.contains("session_id") || !p["session_id"].is_string()) {
        return Unexpected{where + "a payload without a string session_id"};
      }
      Session& s = sessions[p["session_id"].get<std::string>()];
      s.id = p["session_id"].get<std::string>();
      if (auto err = add_payload(s, p)) return Unexpected{where + "session " + s.id + ": " + *err};
    }
  }
  const auto by_time = [](const auto& a, const auto& b) { return a.t_s < b.t_s; };
  for (auto& [id, s] : sessions) {
    std::stable_sort(s.points.begin(), s.points.end(), by_time);
    std::stable_sort(s.switches.begin(), s.switches.end(), by_time);
    std::stable_sort(s.segments.begin(), s.segments.end(), by_time);
  }
  return sessions;
}

}  // namespace abrplay::report
