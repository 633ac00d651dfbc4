#include "abrplay/player/telemetry/session_recorder.h"

#include <cctype>
#include <cmath>
#include <nlohmann/json.hpp>

#include "abrplay/abr/qoe/qoe.h"
#include "abrplay/net/url.h"
#include "abrplay/player/manifest/time.h"

namespace abrplay::telemetry {
namespace {

using Json = nlohmann::json;

Json rep_json(const RepresentationInfo& r) {
  Json j = {{"id", r.id}, {"bitrate_kbps", r.bitrate.kbps()}, {"codecs", r.codecs}};
  if (r.width > 0 && r.height > 0) {
    j["width"] = r.width;
    j["height"] = r.height;
  }
  return j;
}

double round3(double v) { return std::round(v * 1000.0) / 1000.0; }

}  // namespace

std::string redact_urls_in(std::string_view text) {
  const auto scheme_char = [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '+' || c == '-' || c == '.';
  };
  std::string out;
  std::size_t i = 0;
  while (i < text.size()) {
    const std::size_t sep = text.find("://", i);
    if (sep == std::string_view::npos) break;
    std::size_t begin = sep;
    while (begin > i && scheme_char(text[begin - 1])) --begin;
    std::size_t end = sep + 3;
    while (end < text.size() && std::isspace(static_cast<unsigned char>(text[end])) == 0 && text[end] != '\'' &&
           text[end] != '"' && text[end] != '<' && text[end] != '>') {
      ++end;
    }
    while (end > sep + 3 && std::string_view(").,;:").find(text[end - 1]) != std::string_view::npos) --end;
    out.append(text.substr(i, begin - i));
    out += begin == sep ? std::string(text.substr(sep, end - sep)) : net::redact_url(text.substr(begin, end - begin));
    i = end;
  }
  out.append(text.substr(i));
  return out;
}

std::string_view to_string(EndReason reason) {
  switch (reason) {
    case EndReason::kEndOfStream: return "end_of_stream";
    case EndReason::kStopped: return "stopped";
    case EndReason::kError: return "error";
    case EndReason::kDestroyed: return "destroyed";
  }
  return "unknown";
}

template <class T>
void SessionRecorder::Recent<T>::add(T item) {
  if (items.size() < kMaxEventsPerHeartbeat) {
    items.push_back(std::move(item));
  } else {
    ++dropped;
  }
}

SessionRecorder::SessionRecorder(SessionInfo info) : info_(std::move(info)) {}

double SessionRecorder::since_load(SteadyTime t) const {
  if (!load_time_) return 0;
  return std::chrono::duration<double>(t - *load_time_).count();
}

void SessionRecorder::on_load(SteadyTime t) { load_time_ = t; }

void SessionRecorder::on_first_frame(SteadyTime t) {
  if (!first_frame_time_) first_frame_time_ = t;
}

void SessionRecorder::on_switch(SteadyTime t, double position_s, const RepresentationInfo& from,
                                const RepresentationInfo& to, std::string_view reason) {
  ++total_switches_;
  since_.switches.add({since_load(t), position_s, from, to, std::string(reason)});
}

void SessionRecorder::on_stall_start(SteadyTime t, double position_s) {
  // Waiting for the first frame is startup, not a stall; a stall already open stays open.
  if (!first_frame_time_ || stall_started_) return;
  stall_started_ = t;
  ++total_stalls_;
  since_.stalls.add({since_load(t), position_s, std::nullopt});
}

void SessionRecorder::on_stall_end(SteadyTime t) {
  if (!stall_started_) return;
  const double d = std::chrono::duration<double>(t - *stall_started_).count();
  stall_seconds_ += d;
  stall_started_.reset();
  // Complete the matching entry if it is still in this heartbeat's list; otherwise report the end
  // as its own entry, so a stall spanning a heartbeat is not lost.
  if (!since_.stalls.items.empty() && !since_.stalls.items.back().duration_s) {
    since_.stalls.items.back().duration_s = d;
  } else {
    since_.stalls.add({since_load(t) - d, -1, d});
  }
}

void SessionRecorder::on_error(SteadyTime t, const Error& error, std::string_view url) {
  ++total_errors_;
  since_.errors.add({since_load(t), static_cast<int>(error.code), std::string(to_string(error.code)),
                     redact_urls_in(error.message), net::redact_url(url)});
}

void SessionRecorder::on_dropped_frames(std::uint64_t count) {
  dropped_since_ += count;
  total_dropped_ += count;
}

void SessionRecorder::on_seek(SteadyTime t, double from_s, double to_s) {
  ++total_seeks_;
  since_.seeks.add({since_load(t), from_s, to_s});
}

void SessionRecorder::on_video_segment(const RepresentationInfo& rep, double duration_s) {
  if (!(duration_s > 0) || !std::isfinite(duration_s)) return;
  RepTime& rt = time_at_rep_[rep.id];
  rt.bitrate = rep.bitrate;
  rt.seconds += duration_s;
  played_s_ += duration_s;
  segment_bitrates_.push_back(rep.bitrate);
}

void SessionRecorder::on_download(std::string_view track, const std::string& representation_id, bool init,
                                  DataSize bytes) {
  DownloadTotals& d = downloads_[representation_id];  // bounded by the manifest's representations
  d.track = std::string(track);
  ++(init ? d.init_segments : d.media_segments);
  d.bytes += bytes;
  total_bytes_ += bytes;
}

void SessionRecorder::on_segment(SteadyTime t, const SegmentRecord& segment) {
  since_.segments.add({since_load(t), segment});
}

namespace {
// "downloads" of a payload: the totals since the previous one, which are then cleared.
Json take_downloads(std::map<std::string, DownloadTotals>& downloads) {
  Json out = Json::array();
  for (const auto& [id, d] : downloads)
    out.push_back({{"representation", id},
                   {"track", d.track},
                   {"init_segments", d.init_segments},
                   {"media_segments", d.media_segments},
                   {"bytes", d.bytes.bytes()}});
  downloads.clear();
  return out;
}

// The "since the previous payload" lists of `since` (SessionRecorder::Since, a private type named
// by deduction) into `j`, with the count of entries that did not fit; the lists are then cleared.
template <class Since>
void take_events(Json& j, Since& since) {
  Json sw = Json::array(), st = Json::array(), er = Json::array(), sk = Json::array(), sg = Json::array();
  for (const auto& e : since.switches.items)
    sw.push_back({{"t_s", round3(e.t_s)},
                  {"position_s", round3(e.position_s)},
                  {"from", rep_json(e.from)},
                  {"to", rep_json(e.to)},
                  {"reason", e.reason}});
  for (const auto& e : since.stalls.items) {
    Json x = {{"start_s", round3(e.start_s)}};
    if (e.position_s >= 0) x["position_s"] = round3(e.position_s);
    if (e.duration_s) x["duration_s"] = round3(*e.duration_s);
    st.push_back(std::move(x));
  }
  for (const auto& e : since.errors.items) {
    Json x = {{"t_s", round3(e.t_s)}, {"code", e.code}, {"name", e.name}, {"message", e.message}};
    if (!e.url.empty()) x["url"] = e.url;
    er.push_back(std::move(x));
  }
  for (const auto& e : since.seeks.items)
    sk.push_back({{"t_s", round3(e.t_s)}, {"from_s", round3(e.from_s)}, {"to_s", round3(e.to_s)}});
  for (const auto& e : since.segments.items) {
    const SegmentRecord& s = e.segment;
    sg.push_back({{"t_s", round3(e.t_s)},
                  {"track", s.track},
                  {"representation", s.representation_id},
                  {"bitrate_kbps", s.bitrate.kbps()},
                  {"start_s", round3(s.start_s)},
                  {"duration_s", round3(s.duration_s)},
                  {"bytes", s.bytes.bytes()},
                  {"download_s", round3(s.download_s)},
                  {"ttfb_s", round3(s.ttfb_s)}});
  }
  j["switches"] = std::move(sw);
  j["stalls"] = std::move(st);
  j["errors"] = std::move(er);
  j["seeks"] = std::move(sk);
  j["segments"] = std::move(sg);
  j["events_dropped"] = since.switches.dropped + since.stalls.dropped + since.errors.dropped + since.seeks.dropped +
                        since.segments.dropped;
  since = {};
}

Json common_fields(const SessionInfo& info, std::uint64_t seq, double session_time_s, const Snapshot& s, WallTime wall,
                   std::string_view event) {
  Json j = {{"schema_version", kSchemaVersion},
            {"session_id", info.session_id},
            {"content_id", info.content_id},
            {"event", event},
            {"seq", seq},
            {"wall_time", manifest::format_datetime(wall)},
            {"session_time_s", round3(session_time_s)},
            {"position_s", round3(s.position_s)},
            {"state", s.state}};
  Json buffers = Json::object();
  for (const auto& [track, level] : s.buffer_s) buffers[track] = round3(level);
  j["buffer_s"] = std::move(buffers);
  if (s.video) j["video"] = rep_json(*s.video);
  if (s.audio) j["audio"] = rep_json(*s.audio);
  if (s.throughput) j["throughput_kbps"] = std::round(s.throughput->kbps());
  if (s.live_latency_s) j["live_latency_s"] = round3(*s.live_latency_s);
  if (!s.cdn.empty()) j["cdn"] = net::redact_url(s.cdn);
  if (!s.cdn.empty() && !s.cdn_reason.empty()) j["cdn_reason"] = s.cdn_reason;
  if (s.cache) {
    j["cache"] = {{"hits", s.cache->hits},
                  {"revalidations", s.cache->revalidations},
                  {"misses", s.cache->misses},
                  {"bytes", s.cache->bytes}};
  }
  // Every payload names its device, so a collector can tell a session id reused elsewhere.
  if (!info.device.empty()) j["device"] = info.device;
  if (!info.abr.empty()) j["abr"] = info.abr;  // so a fleet can compare algorithms (A/B)
  return j;
}
}  // namespace

std::string SessionRecorder::heartbeat(const Snapshot& snapshot, WallTime wall, SteadyTime now) {
  Json j = common_fields(info_, seq_, since_load(now), snapshot, wall, "heartbeat");
  take_events(j, since_);
  j["downloads"] = take_downloads(downloads_);
  j["dropped_frames"] = dropped_since_;
  dropped_since_ = 0;
  ++seq_;
  return j.dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::string SessionRecorder::final_report(const Snapshot& snapshot, EndReason reason, WallTime wall, SteadyTime now) {
  if (stall_started_) on_stall_end(now);  // a session that ends stalled: count the stall so far
  Json j = common_fields(info_, seq_, since_load(now), snapshot, wall, "final");
  j["final"] = true;
  j["end_reason"] = to_string(reason);
  if (first_frame_time_ && load_time_) j["startup_s"] = round3(since_load(*first_frame_time_));
  j["played_s"] = round3(played_s_);
  double weighted = 0;
  Json per_rep = Json::array();
  for (const auto& [id, rt] : time_at_rep_) {
    weighted += rt.bitrate.kbps() * rt.seconds;
    per_rep.push_back({{"id", id}, {"bitrate_kbps", rt.bitrate.kbps()}, {"seconds", round3(rt.seconds)}});
  }
  j["average_bitrate_kbps"] = played_s_ > 0 ? std::round(weighted / played_s_) : 0.0;
  j["time_at_representation"] = std::move(per_rep);
  j["rebuffer_count"] = total_stalls_;
  j["rebuffer_s"] = round3(stall_seconds_);
  j["rebuffer_ratio"] = played_s_ + stall_seconds_ > 0 ? round3(stall_seconds_ / (played_s_ + stall_seconds_)) : 0.0;
  j["switch_count"] = total_switches_;
  j["seek_count"] = total_seeks_;
  j["dropped_frames"] = total_dropped_;
  j["error_count"] = total_errors_;
  // QoE_lin as Pensieve defines it (abr/qoe/qoe.h): per segment after the first, bitrate in Mbps,
  // minus 4.3 per second of stall, minus the bitrate change; reported as the sum and per segment.
  double utility = 0, smooth = 0;
  const auto q = [&](std::size_t i) { return abr::qoe_utility(abr::QoeMetric::kLin, segment_bitrates_[i], {}); };
  for (std::size_t i = 1; i < segment_bitrates_.size(); ++i) {
    utility += q(i);
    smooth += std::abs(q(i) - q(i - 1));
  }
  const double qoe = utility - abr::qoe_rebuffer_penalty(abr::QoeMetric::kLin) * stall_seconds_ - smooth;
  j["qoe_lin"] = round3(qoe);
  j["qoe_lin_per_segment"] = segment_bitrates_.size() > 1
                                 ? round3(qoe / static_cast<double>(segment_bitrates_.size() - 1))
                                 : 0.0;
  j["bytes_downloaded"] = total_bytes_.bytes();
  take_events(j, since_);  // the events since the last heartbeat, so none is lost at the end
  j["downloads"] = take_downloads(downloads_);
  j["device"] = info_.device;
  j["library_version"] = info_.library_version;
  ++seq_;
  return j.dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace abrplay::telemetry
