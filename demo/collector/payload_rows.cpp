// payload_rows.h: the column lists and the field each column takes.
#include "payload_rows.h"

#include <chrono>

#include "abrplay/player/manifest/time.h"
#include "store.h"

namespace abrplay::collector {
namespace {

using Json = nlohmann::json;

constexpr const char* kPayloadColumns[] = {
    "session_id", "seq",          "event",           "wall_time", "session_time_s", "started_s",      "content_id",
    "device",     "abr",          "position_s",      "state",     "buffer_video_s", "buffer_audio_s", "video_id",
    "video_kbps", "video_height", "throughput_kbps", "cdn",       "dropped_frames", "events_dropped", "received"};
constexpr const char* kSwitchColumns[] = {"session_id", "seq",   "idx",     "t_s",       "position_s", "from_id",
                                          "from_kbps",  "to_id", "to_kbps", "to_height", "reason"};
constexpr const char* kStallColumns[] = {"session_id", "seq", "idx", "start_s", "position_s", "duration_s"};
constexpr const char* kErrorColumns[] = {"session_id", "seq", "idx", "t_s", "code", "name", "message", "url"};
constexpr const char* kFinalColumns[] = {"session_id",     "seq",        "end_reason",
                                         "startup_s",      "played_s",   "average_bitrate_kbps",
                                         "rebuffer_count", "rebuffer_s", "rebuffer_ratio",
                                         "switch_count",   "seek_count", "dropped_frames",
                                         "error_count",    "qoe_lin",    "bytes_downloaded",
                                         "library_version"};

Json get(const Json& j, const char* key) { return j.contains(key) ? j[key] : Json(); }
Json get(const Json& j, const char* key, const char* sub) {
  return j.contains(key) && j[key].is_object() && j[key].contains(sub) ? j[key][sub] : Json();
}

}  // namespace

double session_start_s(const Json& p) {
  // The schema's pattern guarantees the form of wall_time.
  const auto wall = manifest::parse_xs_datetime(p["wall_time"].get<std::string>());
  const double wall_s = wall ? std::chrono::duration<double>(wall->time_since_epoch()).count() : 0.0;
  return wall_s - p["session_time_s"].get<double>();
}

const char* table_name(Table t) {
  switch (t) {
    case Table::kPayloads: return "payloads";
    case Table::kSwitches: return "switches";
    case Table::kStalls: return "stalls";
    case Table::kErrors: return "errors";
    case Table::kFinals: return "finals";
  }
  return "";
}

std::span<const char* const> table_columns(Table t) {
  switch (t) {
    case Table::kPayloads: return kPayloadColumns;
    case Table::kSwitches: return kSwitchColumns;
    case Table::kStalls: return kStallColumns;
    case Table::kErrors: return kErrorColumns;
    case Table::kFinals: return kFinalColumns;
  }
  return {};
}

Row payload_row(const Json& p, const std::string& received) {
  return {p["session_id"],
          p["seq"],
          p["event"],
          p["wall_time"],
          p["session_time_s"],
          session_start_s(p),
          p["content_id"],
          get(p, "device"),
          get(p, "abr"),
          p["position_s"],
          p["state"],
          get(p, "buffer_s", "video"),
          get(p, "buffer_s", "audio"),
          get(p, "video", "id"),
          get(p, "video", "bitrate_kbps"),
          get(p, "video", "height"),
          get(p, "throughput_kbps"),
          get(p, "cdn"),
          get(p, "dropped_frames"),
          get(p, "events_dropped"),
          received};
}

std::vector<Row> event_rows(Table t, const Json& p) {
  std::vector<Row> rows;
  if (t == Table::kFinals) {
    if (p["event"] != "final") return rows;
    rows.push_back({p["session_id"], p["seq"], p["end_reason"], get(p, "startup_s"), p["played_s"],
                    p["average_bitrate_kbps"], p["rebuffer_count"], p["rebuffer_s"], p["rebuffer_ratio"],
                    p["switch_count"], p["seek_count"], p["dropped_frames"], p["error_count"], p["qoe_lin"],
                    p["bytes_downloaded"], p["library_version"]});
    return rows;
  }
  const char* key = table_name(t);
  if (t == Table::kPayloads || !p.contains(key)) return rows;
  long long idx = 0;
  for (const Json& e : p[key]) {
    Row r = {p["session_id"], p["seq"], idx++};
    if (t == Table::kSwitches) {
      for (Json v : {e["t_s"], e["position_s"], e["from"]["id"], e["from"]["bitrate_kbps"], e["to"]["id"],
                     e["to"]["bitrate_kbps"], get(e, "to", "height"), e["reason"]})
        r.push_back(std::move(v));
    } else if (t == Table::kStalls) {
      for (Json v : {e["start_s"], get(e, "position_s"), get(e, "duration_s")}) r.push_back(std::move(v));
    } else {
      for (Json v : {e["t_s"], e["code"], e["name"], e["message"], get(e, "url")}) r.push_back(std::move(v));
    }
    rows.push_back(std::move(r));
  }
  return rows;
}

}  // namespace abrplay::collector
