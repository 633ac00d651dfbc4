#include "live_mpd.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <optional>
#include <sstream>

#include <pugixml.hpp>

namespace abrplay::origin {

namespace {

using std::chrono::microseconds;

// ISO 8601 durations as MPDs write them: PnDTnHnMn.nS (years and months are refused: not fixed).
std::optional<microseconds> parse_iso_duration(const std::string& s) {
  if (s.size() < 3 || s[0] != 'P') return std::nullopt;
  double total_s = 0;
  bool in_time = false;
  std::size_t i = 1;
  while (i < s.size()) {
    if (s[i] == 'T') {
      in_time = true;
      ++i;
      continue;
    }
    std::size_t used = 0;
    double v = 0;
    try {
      v = std::stod(s.substr(i), &used);
    } catch (...) {
      return std::nullopt;
    }
    i += used;
    if (i >= s.size() || !std::isfinite(v) || v < 0) return std::nullopt;
    const char unit = s[i++];
    if (unit == 'D' && !in_time) total_s += v * 86400;
    else if (unit == 'H' && in_time) total_s += v * 3600;
    else if (unit == 'M' && in_time) total_s += v * 60;
    else if (unit == 'S' && in_time) total_s += v;
    else return std::nullopt;
  }
  return microseconds(static_cast<std::int64_t>(std::llround(total_s * 1e6)));
}

std::string regex_escape(const std::string& s) {
  static const std::string kSpecial = R"(\^$.|?*+()[]{})";
  std::string out;
  for (char c : s) {
    if (kSpecial.find(c) != std::string::npos) out += '\\';
    out += c;
  }
  return out;
}

// The media template as a regex; $Number$/$Time$ (with an optional %0Nd width) become group 1.
std::optional<std::regex> template_regex(const std::string& media, const std::string& rep_id,
                                         const std::string& bandwidth, bool* by_time) {
  std::string re;
  std::size_t i = 0;
  while (i < media.size()) {
    const auto dollar = media.find('$', i);
    if (dollar == std::string::npos) {
      re += regex_escape(media.substr(i));
      break;
    }
    re += regex_escape(media.substr(i, dollar - i));
    const auto end = media.find('$', dollar + 1);
    if (end == std::string::npos) return std::nullopt;
    const std::string id = media.substr(dollar + 1, end - dollar - 1);
    const std::string name = id.substr(0, id.find('%'));
    if (id.empty()) re += "\\$";
    else if (name == "RepresentationID") re += regex_escape(rep_id);
    else if (name == "Bandwidth") re += regex_escape(bandwidth);
    else if (name == "Number") re += "([0-9]+)";
    else if (name == "Time") {
      re += "([0-9]+)";
      *by_time = true;
    } else return std::nullopt;
    i = end + 1;
  }
  return std::regex(re);
}

microseconds to_us(std::int64_t ticks, std::uint64_t timescale) {
  return microseconds(
      static_cast<std::int64_t>(static_cast<long double>(ticks) * 1e6L / static_cast<long double>(timescale)));
}

struct TimelineEntry {
  std::int64_t t, d;
};

// Expands <S t d r> (r = -1 repeats to `period_end_ticks`).
std::vector<TimelineEntry> expand_timeline(pugi::xml_node timeline, std::int64_t period_end_ticks) {
  std::vector<TimelineEntry> out;
  std::int64_t t = 0;
  constexpr std::size_t kMaxSegments = 1'000'000;  // bounds memory on hostile MPDs
  for (pugi::xml_node s : timeline.children("S")) {
    if (s.attribute("t")) t = s.attribute("t").as_llong();
    const std::int64_t d = s.attribute("d").as_llong();
    long long r = s.attribute("r").as_llong(0);
    if (d <= 0) break;
    if (r < 0) r = (period_end_ticks - t + d - 1) / d - 1;
    for (long long k = 0; k <= r && out.size() < kMaxSegments; ++k, t += d) out.push_back({t, d});
  }
  return out;
}

}  // namespace

std::string iso8601(WallTime t) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
  const std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms % 1000));
  return buf;
}

std::string iso_duration(microseconds d) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "PT%.3fS", static_cast<double>(d.count()) / 1e6);
  return buf;
}

Expected<LiveIndex, std::string> LiveIndex::parse(const std::string& mpd_text, const std::string& name) {
  pugi::xml_document doc;
  const auto ok = doc.load_buffer(mpd_text.data(), mpd_text.size());
  if (!ok) {
    return Unexpected{name + ": byte " + std::to_string(ok.offset) + ": " + ok.description()};
  }
  const pugi::xml_node mpd = doc.child("MPD");
  if (!mpd) return Unexpected{name + ": no <MPD> root element"};
  if (std::string(mpd.attribute("type").as_string("static")) != "static") {
    return Unexpected{name + ": MPD@type is already dynamic; live mode needs a VOD (static) MPD"};
  }
  const auto duration = parse_iso_duration(mpd.attribute("mediaPresentationDuration").as_string());
  if (!duration || duration->count() <= 0) {
    return Unexpected{name + ": MPD@mediaPresentationDuration missing or not an ISO duration"};
  }
  if (std::distance(mpd.children("Period").begin(), mpd.children("Period").end()) != 1) {
    return Unexpected{name + ": live mode supports exactly one Period"};
  }
  LiveIndex index;
  index.content_duration_ = *duration;
  const pugi::xml_node period = mpd.child("Period");
  int as_i = 0;
  for (pugi::xml_node as : period.children("AdaptationSet")) {
    int rep_i = 0;
    for (pugi::xml_node rep : as.children("Representation")) {
      const std::string where = name + ": Period/AdaptationSet[" + std::to_string(as_i) + "]/Representation[" +
                                std::to_string(rep_i++) + "]";
      pugi::xml_node tmpl = rep.child("SegmentTemplate");
      if (!tmpl) tmpl = as.child("SegmentTemplate");
      if (!tmpl) {
        if (rep.child("SegmentBase") || rep.child("SegmentList") || as.child("SegmentBase") ||
            as.child("SegmentList")) {
          return Unexpected{where + ": live mode needs SegmentTemplate addressing "
                                    "(SegmentBase/SegmentList content can only be served as VOD)"};
        }
        continue;  // a single file (e.g. a WebVTT track): always available
      }
      Track track;
      const std::string media = tmpl.attribute("media").as_string();
      auto re = template_regex(media, rep.attribute("id").as_string(), rep.attribute("bandwidth").as_string(),
                               &track.by_time);
      if (media.empty() || !re) return Unexpected{where + ": SegmentTemplate@media missing or malformed"};
      track.media = std::move(*re);
      const std::uint64_t timescale = tmpl.attribute("timescale").as_ullong(1);
      const std::uint64_t start_number = tmpl.attribute("startNumber").as_ullong(1);
      if (timescale == 0) return Unexpected{where + ": SegmentTemplate@timescale is 0"};
      const auto period_end_ticks = static_cast<std::int64_t>(static_cast<long double>(duration->count()) * timescale /
                                                              1e6L);
      if (pugi::xml_node tl = tmpl.child("SegmentTimeline")) {
        std::uint64_t number = start_number;
        for (const auto& e : expand_timeline(tl, period_end_ticks)) {
          track.segments.push_back({number++, to_us(e.t, timescale), to_us(e.t + e.d, timescale), e.t});
        }
      } else {
        const std::int64_t d = tmpl.attribute("duration").as_llong(0);
        if (d <= 0) return Unexpected{where + ": SegmentTemplate has neither @duration nor a SegmentTimeline"};
        const std::int64_t count = (period_end_ticks + d - 1) / d;
        for (std::int64_t k = 0; k < count && k < 1'000'000; ++k) {
          const auto end = std::min(to_us((k + 1) * d, timescale), *duration);
          track.segments.push_back({start_number + static_cast<std::uint64_t>(k), to_us(k * d, timescale), end, k * d});
        }
      }
      if (track.segments.empty()) return Unexpected{where + ": no segments"};
      for (const auto& s : track.segments) index.max_segment_ = std::max(index.max_segment_, s.end - s.start);
      index.tracks_.push_back(std::move(track));
    }
    ++as_i;
  }
  if (index.tracks_.empty()) return Unexpected{name + ": no Representation with a SegmentTemplate"};
  return index;
}

microseconds LiveIndex::availability_offset(const LiveParams& params) const {
  if (!params.low_latency.enabled) return microseconds(0);
  return std::max(microseconds(0), max_segment_ - std::chrono::duration_cast<microseconds>(params.low_latency.chunk));
}

std::optional<LiveIndex::Span> LiveIndex::span(const std::string& relative_path) const {
  for (const Track& track : tracks_) {
    std::smatch m;
    if (!std::regex_match(relative_path, m, track.media)) continue;
    const auto value = std::strtoull(m[1].str().c_str(), nullptr, 10);
    for (const Segment& s : track.segments)
      if ((track.by_time ? static_cast<std::uint64_t>(s.media_time) : s.number) == value) return Span{s.start, s.end};
    return std::nullopt;
  }
  return std::nullopt;
}

LiveAvailability LiveIndex::check(const std::string& relative_path, const LiveParams& params, WallTime now) const {
  const auto elapsed = std::chrono::duration_cast<microseconds>(now - params.availability_start);
  const microseconds early = availability_offset(params);
  for (const Track& track : tracks_) {
    std::smatch m;
    if (!std::regex_match(relative_path, m, track.media)) continue;
    const auto value = std::strtoull(m[1].str().c_str(), nullptr, 10);
    for (const Segment& s : track.segments) {
      if ((track.by_time ? static_cast<std::uint64_t>(s.media_time) : s.number) != value) continue;
      if (elapsed < s.end - early) return LiveAvailability::kNotYet;
      if (elapsed > s.end + params.time_shift_buffer + (s.end - s.start)) return LiveAvailability::kExpired;
      return LiveAvailability::kAvailable;
    }
    return LiveAvailability::kNotYet;  // beyond the content: never published
  }
  return LiveAvailability::kNotASegment;
}

Expected<std::string, std::string> LiveIndex::render(const std::string& mpd_text, const LiveParams& params,
                                                     WallTime now) const {
  pugi::xml_document doc;
  if (!doc.load_buffer(mpd_text.data(), mpd_text.size())) return Unexpected{std::string("MPD no longer parses")};
  pugi::xml_node mpd = doc.child("MPD");
  const auto elapsed = std::chrono::duration_cast<microseconds>(now - params.availability_start);
  const bool ended = elapsed >= content_duration_;
  const microseconds early = availability_offset(params);
  auto set = [&](const char* name, const std::string& value) {
    pugi::xml_attribute a = mpd.attribute(name);
    if (!a) a = mpd.append_attribute(name);
    a.set_value(value.c_str());
  };
  set("type", "dynamic");
  set("availabilityStartTime", iso8601(params.availability_start));
  set("publishTime", iso8601(now));
  set("timeShiftBufferDepth", iso_duration(params.time_shift_buffer));
  set("suggestedPresentationDelay", iso_duration(2 * max_segment_));
  set("profiles", "urn:mpeg:dash:profile:isoff-live:2011");
  if (ended) {
    mpd.remove_attribute("minimumUpdatePeriod");
  } else {
    set("minimumUpdatePeriod", iso_duration(max_segment_));
    mpd.remove_attribute("mediaPresentationDuration");
  }
  // SegmentTimelines list only what is available now.
  for (pugi::xpath_node x : doc.select_nodes("//SegmentTimeline")) {
    pugi::xml_node tl = x.node();
    const std::uint64_t timescale = tl.parent().attribute("timescale").as_ullong(1);
    if (timescale == 0) continue;
    const auto end_ticks = static_cast<std::int64_t>(static_cast<long double>(content_duration_.count()) * timescale /
                                                     1e6L);
    const auto entries = expand_timeline(tl, end_ticks);
    while (tl.first_child()) tl.remove_child(tl.first_child());
    // With $Number$, the first S listed is segment @startNumber: count what is cut from the front.
    std::uint64_t expired = 0;
    for (const auto& e : entries) {
      const auto s = to_us(e.t, timescale), en = to_us(e.t + e.d, timescale);
      if (elapsed > en + params.time_shift_buffer + (en - s)) {
        ++expired;
        continue;
      }
      if (elapsed + early < en) continue;
      pugi::xml_node node = tl.append_child("S");
      node.append_attribute("t").set_value(static_cast<long long>(e.t));
      node.append_attribute("d").set_value(static_cast<long long>(e.d));
    }
    pugi::xml_node tmpl = tl.parent();
    const unsigned long long start_number = tmpl.attribute("startNumber").as_ullong(1) + expired;
    if (!tmpl.attribute("startNumber")) tmpl.append_attribute("startNumber");
    tmpl.attribute("startNumber").set_value(start_number);
  }
  if (params.low_latency.enabled) describe_low_latency(mpd, params.low_latency, max_segment_);
  pugi::xml_node utc = mpd.append_child("UTCTiming");
  utc.append_attribute("schemeIdUri").set_value("urn:mpeg:dash:utc:http-iso:2014");
  utc.append_attribute("value").set_value(params.utc_timing_url.c_str());
  std::ostringstream out;
  doc.save(out, "  ");
  return out.str();
}

}  // namespace abrplay::origin
