// The report of abrplay-inspect (see report.h).
#include "report.h"

#include <sstream>

#include "abrplay/player/manifest/playable.h"
#include "abrplay/player/manifest/segment_index.h"
#include "source.h"

namespace abrplay::inspect {
namespace {

using nlohmann::json;
using namespace abrplay::manifest;

json seconds(const std::optional<MediaTime>& d) {
  if (!d) return nullptr;
  return static_cast<double>(d->count()) / 1e6;
}

const char* addressing_name(SegmentIndex::Addressing a) {
  switch (a) {
    case SegmentIndex::Addressing::kTemplateTimeline: return "SegmentTemplate+SegmentTimeline";
    case SegmentIndex::Addressing::kTemplateDuration: return "SegmentTemplate@duration";
    case SegmentIndex::Addressing::kListTimeline: return "SegmentList+SegmentTimeline";
    case SegmentIndex::Addressing::kListDuration: return "SegmentList";
    case SegmentIndex::Addressing::kBaseIndexed: return "SegmentBase (sidx)";
    case SegmentIndex::Addressing::kSingle: return "single segment";
  }
  return "?";
}

json resource(const std::string& url, const std::optional<ByteRange>& range) {
  json j{{"url", url}};
  j["range"] = range ? json(range->to_string()) : json(nullptr);
  return j;
}

json segment_json(const Segment& s) {
  json j = resource(s.url, s.range);
  j["number"] = s.number;
  j["start_s"] = seconds(s.start);
  j["duration_s"] = seconds(s.duration);
  return j;
}

Expected<json, Error> representation_json(const Mpd& mpd, std::size_t p, std::size_t a, std::size_t r, WallTime now) {
  const Representation& rep = mpd.periods[p].adaptation_sets[a].representations[r];
  json j{{"id", rep.id},
         {"bandwidth_bps", rep.bandwidth.whole_bps()},
         {"codecs", rep.codecs},
         {"mime_type", rep.mime_type}};
  j["width"] = rep.width ? json(*rep.width) : json(nullptr);
  j["height"] = rep.height ? json(*rep.height) : json(nullptr);
  j["frame_rate"] = rep.frame_rate ? json(rep.frame_rate->fps()) : json(nullptr);
  if (rep.audio_sampling_rate) j["audio_sampling_rate"] = *rep.audio_sampling_rate;
  if (!rep.excluded_reason.empty()) {
    j["excluded"] = rep.excluded_reason;
    return j;
  }
  auto ix = SegmentIndex::create(mpd, p, a, r);
  if (!ix) return Unexpected{ix.error()};
  j["addressing"] = addressing_name(ix->addressing());
  j["init"] = ix->init() ? resource(ix->init()->url, ix->init()->range) : json(nullptr);
  // Chained or hierarchical sidx boxes take one read each; load_index bounds their number.
  while (ix->needs_index()) {
    auto bytes = read_range(ix->index_request()->url, ix->index_request()->range);
    if (!bytes) {
      j["index_note"] = "segment index (sidx) not available: " + bytes.error();
      break;
    }
    if (auto loaded = ix->load_index(*bytes); !loaded) {
      j["index_note"] = "segment index (sidx) unusable: " + loaded.error().describe();
      break;
    }
  }
  j["segment_count"] = ix->count() ? json(*ix->count()) : json(nullptr);
  j["total_duration_s"] = seconds(ix->total_duration());
  std::optional<PositionRange> window = ix->available(now);
  if (ix->is_dynamic()) {
    j["live_window"] = window ? json{{"first", window->first}, {"last", window->last}} : json(nullptr);
  }
  if (!window && ix->count() && *ix->count() > 0) window = PositionRange{0, *ix->count() - 1};
  if (window) {  // live: the available window; otherwise (or when nothing is available) all segments
    if (auto s = ix->segment(window->first)) j["first"] = segment_json(*s);
    if (auto s = ix->segment(window->last)) j["last"] = segment_json(*s);
  }
  return j;
}

json descriptors(const std::vector<Descriptor>& ds) {
  json out = json::array();
  for (const Descriptor& d : ds) out.push_back(d.value.empty() ? d.scheme_id_uri : d.scheme_id_uri + " " + d.value);
  return out;
}

}  // namespace

Expected<json, Error> build_report(const Mpd& mpd, WallTime now) {
  json j{{"source", mpd.document_url}, {"type", mpd.is_dynamic() ? "dynamic" : "static"}, {"profiles", mpd.profiles}};
  j["duration_s"] = seconds(mpd.total_duration());
  j["min_buffer_time_s"] = seconds(mpd.min_buffer_time);
  if (mpd.availability_start_time) j["availability_start_time"] = format_datetime(*mpd.availability_start_time);
  if (mpd.publish_time) j["publish_time"] = format_datetime(*mpd.publish_time);
  if (mpd.minimum_update_period) j["minimum_update_period_s"] = seconds(mpd.minimum_update_period);
  if (mpd.time_shift_buffer_depth) j["time_shift_buffer_depth_s"] = seconds(mpd.time_shift_buffer_depth);
  if (mpd.suggested_presentation_delay) j["suggested_presentation_delay_s"] = seconds(mpd.suggested_presentation_delay);
  if (mpd.max_segment_duration) j["max_segment_duration_s"] = seconds(mpd.max_segment_duration);
  for (const UtcTiming& u : mpd.utc_timings) j["utc_timing"].push_back(u.scheme_id_uri + " " + u.value);
  j["warnings"] = mpd.warnings;  // malformed attributes playback does not need, ignored
  auto playable = make_playable(mpd);
  j["playable"] = playable ? json(true) : json(playable.error().describe());
  j["periods"] = json::array();
  for (std::size_t p = 0; p < mpd.periods.size(); ++p) {
    const Period& period = mpd.periods[p];
    json pj{{"id", period.id}, {"start_s", seconds(period.start)}, {"duration_s", seconds(period.duration)}};
    if (!period.xlink_href.empty()) pj["xlink_href"] = period.xlink_href;
    if (!period.event_streams.empty()) {
      for (const EventStream& es : period.event_streams)
        pj["event_streams"].push_back(es.scheme_id_uri + " (" + std::to_string(es.events.size()) + " events)");
    }
    pj["adaptation_sets"] = json::array();
    for (std::size_t a = 0; a < period.adaptation_sets.size(); ++a) {
      const AdaptationSet& as = period.adaptation_sets[a];
      json aj{{"id", as.id}, {"content_type", as.content_type}, {"mime_type", as.mime_type}, {"lang", as.lang}};
      if (!as.roles.empty()) aj["roles"] = descriptors(as.roles);
      if (!as.labels.empty()) aj["labels"] = as.labels;
      if (!as.accessibility.empty()) aj["accessibility"] = descriptors(as.accessibility);
      if (as.encrypted()) {
        json schemes = json::array();
        for (const ContentProtection& cp : as.content_protection) schemes.push_back(cp.scheme_id_uri);
        for (const Representation& r : as.representations)
          for (const ContentProtection& cp : r.content_protection) schemes.push_back(cp.scheme_id_uri);
        aj["content_protection"] = schemes;
      }
      if (!as.excluded_reason.empty()) aj["excluded"] = as.excluded_reason;
      aj["representations"] = json::array();
      for (std::size_t r = 0; r < as.representations.size(); ++r) {
        auto rj = representation_json(mpd, p, a, r, now);
        if (!rj) return Unexpected{rj.error()};
        aj["representations"].push_back(std::move(*rj));
      }
      pj["adaptation_sets"].push_back(std::move(aj));
    }
    j["periods"].push_back(std::move(pj));
  }
  return j;
}

std::string render_text(const json& j) {
  std::ostringstream out;
  auto str = [](const json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); };
  auto secs = [&](const json& v) { return v.is_null() ? std::string("unknown") : str(v) + "s"; };
  auto res = [&](const json& r) {
    return str(r["url"]) + (r["range"].is_null() ? "" : " [bytes " + str(r["range"]) + "]");
  };
  out << "MPD " << str(j["source"]) << "\n";
  out << "  type " << str(j["type"]) << ", duration " << secs(j["duration_s"]) << ", minBufferTime "
      << secs(j["min_buffer_time_s"]) << "\n";
  for (const char* k : {"availability_start_time", "publish_time", "minimum_update_period_s",
                        "time_shift_buffer_depth_s", "suggested_presentation_delay_s", "max_segment_duration_s"})
    if (j.contains(k)) out << "  " << k << " " << str(j[k]) << "\n";
  if (j.contains("utc_timing"))
    for (const auto& u : j["utc_timing"]) out << "  UTCTiming " << str(u) << "\n";
  out << "  playable: " << (j["playable"] == true ? "yes" : "no (" + str(j["playable"]) + ")") << "\n";
  if (j.contains("warnings"))
    for (const auto& w : j["warnings"]) out << "  warning: " << str(w) << "\n";
  std::size_t pi = 0;
  for (const auto& p : j["periods"]) {
    out << "  Period[" << pi++ << "] id=" << str(p["id"]) << " start " << secs(p["start_s"]) << " duration "
        << secs(p["duration_s"]) << (p.contains("xlink_href") ? " xlink " + str(p["xlink_href"]) : "") << "\n";
    if (p.contains("event_streams"))
      for (const auto& e : p["event_streams"]) out << "    EventStream " << str(e) << "\n";
    std::size_t ai = 0;
    for (const auto& a : p["adaptation_sets"]) {
      out << "    AdaptationSet[" << ai++ << "] id=" << str(a["id"]) << " " << str(a["content_type"]) << " "
          << str(a["mime_type"]) << (str(a["lang"]).empty() ? "" : " lang=" + str(a["lang"]));
      if (a.contains("roles")) out << " roles=" << a["roles"].dump();
      if (a.contains("content_protection")) out << " ENCRYPTED " << a["content_protection"].dump();
      if (a.contains("excluded")) out << " EXCLUDED (" << str(a["excluded"]) << ")";
      out << "\n";
      std::size_t ri = 0;
      for (const auto& r : a["representations"]) {
        out << "      Representation[" << ri++ << "] id=" << str(r["id"]) << " " << str(r["bandwidth_bps"]) << " bps";
        if (!r["width"].is_null()) out << " " << str(r["width"]) << "x" << str(r["height"]);
        out << " codecs=" << str(r["codecs"]);
        if (r.contains("excluded")) {
          out << " EXCLUDED (" << str(r["excluded"]) << ")\n";
          continue;
        }
        out << " " << str(r["addressing"]) << ", segments "
            << (r["segment_count"].is_null() ? std::string("open (live)") : str(r["segment_count"])) << "\n";
        if (r.contains("index_note")) out << "        note: " << str(r["index_note"]) << "\n";
        if (r.contains("live_window"))
          out << "        live window now: "
              << (r["live_window"].is_null() ? std::string("nothing available")
                                             : str(r["live_window"]["first"]) + ".." + str(r["live_window"]["last"]))
              << "\n";
        if (!r["init"].is_null()) out << "        init:  " << res(r["init"]) << "\n";
        for (const char* k : {"first", "last"})
          if (r.contains(k))
            out << "        " << k << (k[0] == 'f' ? ": " : ":  ") << "#" << str(r[k]["number"]) << " at "
                << str(r[k]["start_s"]) << "s " << res(r[k]) << "\n";
      }
    }
  }
  return out.str();
}

}  // namespace abrplay::inspect
