// parse_mpd: XML checks and limits, the MPD and Period elements, period timeline resolution.
#include <pugixml.hpp>

#include "abrplay/player/manifest/parser.h"
#include "parse_context.h"

namespace abrplay::manifest {
namespace {

using detail::Need;
using detail::ParseContext;

// "line L, column C (byte B)" for a byte offset into the text (1-based line and column).
std::string location(std::string_view xml, std::ptrdiff_t offset) {
  std::size_t end = offset < 0 ? 0 : std::min(static_cast<std::size_t>(offset), xml.size());
  std::size_t line = 1;
  std::size_t line_start = 0;
  for (std::size_t i = 0; i < end; ++i) {
    if (xml[i] == '\n') {
      ++line;
      line_start = i + 1;
    }
  }
  return "line " + std::to_string(line) + ", column " + std::to_string(end - line_start + 1) + " (byte " +
         std::to_string(end) + ")";
}

// Depth of the deepest element, walking without recursion; stops early past `limit`.
std::size_t max_depth(const pugi::xml_document& doc, std::size_t limit) {
  std::size_t depth = 0;
  std::size_t deepest = 0;
  pugi::xml_node n = doc.first_child();
  while (n) {
    if (n.first_child()) {
      n = n.first_child();
      ++depth;
      deepest = std::max(deepest, depth);
      if (deepest > limit) return deepest;
      continue;
    }
    while (n && !n.next_sibling()) {
      n = n.parent();
      if (depth == 0) return deepest;
      --depth;
    }
    if (n) n = n.next_sibling();
  }
  return deepest;
}

EventStream parse_event_stream(ParseContext& ctx, pugi::xml_node n, const std::string& path) {
  EventStream es;
  es.scheme_id_uri = ctx.str(n, "schemeIdUri");
  es.value = ctx.str(n, "value");
  // Events are for the application; a malformed number in one never stops playback.
  es.timescale = ctx.u32(n, "timescale", path, Need::kOptional).value_or(1);
  if (es.timescale == 0) {
    ctx.warn(path + "@timescale", "timescale 0 is not allowed (1 is used)");
    es.timescale = 1;
  }
  es.presentation_time_offset = ctx.u64(n, "presentationTimeOffset", path, Need::kOptional).value_or(0);
  std::size_t i = 0;
  for (pugi::xml_node e : ParseContext::children(n, "Event")) {
    std::string p = path + "/Event[" + std::to_string(i++) + "]";
    Event ev;
    ev.presentation_time = ctx.u64(e, "presentationTime", p, Need::kOptional).value_or(0);
    ev.duration = ctx.u64(e, "duration", p, Need::kOptional).value_or(0);
    ev.id = ctx.u64(e, "id", p, Need::kOptional).value_or(0);
    if (auto md = ctx.opt_str(e, "messageData")) {
      ev.message_data = *md;
    } else {
      ev.message_data = e.text().get();
    }
    es.events.push_back(std::move(ev));
  }
  return es;
}

Period parse_period(ParseContext& ctx, pugi::xml_node n, const std::string& path) {
  Period p;
  p.path = path;
  p.id = ctx.str(n, "id");
  p.start_attr = ctx.duration(n, "start", path);
  p.duration_attr = ctx.duration(n, "duration", path);
  p.xlink_href = ctx.str(n, "href");
  p.xlink_actuate = ctx.str(n, "actuate");
  p.base_urls = ctx.base_urls(n, path);
  p.segments = detail::parse_segment_info_set(ctx, n, path);
  p.supplemental_properties = ctx.descriptors(n, "SupplementalProperty");
  std::size_t i = 0;
  for (pugi::xml_node e : ParseContext::children(n, "EventStream"))
    p.event_streams.push_back(parse_event_stream(ctx, e, path + "/EventStream[" + std::to_string(i++) + "]"));
  i = 0;
  for (pugi::xml_node a : ParseContext::children(n, "AdaptationSet")) {
    if (ctx.failed()) break;
    p.adaptation_sets.push_back(
        detail::parse_adaptation_set(ctx, a, path + "/AdaptationSet[" + std::to_string(i++) + "]"));
  }
  return p;
}

// ISO/IEC 23009-1 5.3.2.1: start = @start, else previous start + previous @duration, else 0 for the
// first period of a static MPD. Duration = @duration, else next start - start, else (last)
// mediaPresentationDuration - start.
void resolve_period_timeline(ParseContext& ctx, Mpd& mpd) {
  for (std::size_t i = 0; i < mpd.periods.size(); ++i) {
    Period& p = mpd.periods[i];
    if (p.start_attr) {
      p.start = *p.start_attr;
    } else if (i == 0) {
      p.start = MediaTime(0);
    } else if (mpd.periods[i - 1].duration_attr) {
      p.start = mpd.periods[i - 1].start + *mpd.periods[i - 1].duration_attr;
    } else {
      ctx.fail(ErrorCode::kManifestMissingAttribute, p.path + "@start",
               "the start cannot be derived: no @start here and no @duration on the previous period");
      return;
    }
    if (i > 0 && p.start < mpd.periods[i - 1].start) {
      ctx.fail(ErrorCode::kManifestInvalidValue, p.path + "@start",
               "period starts at " + format_seconds(p.start) + ", before the previous period (" +
                   format_seconds(mpd.periods[i - 1].start) + ")");
      return;
    }
  }
  for (std::size_t i = 0; i < mpd.periods.size(); ++i) {
    Period& p = mpd.periods[i];
    if (p.duration_attr) {
      p.duration = *p.duration_attr;
    } else if (i + 1 < mpd.periods.size()) {
      p.duration = mpd.periods[i + 1].start - p.start;
    } else if (mpd.media_presentation_duration) {
      if (*mpd.media_presentation_duration < p.start) {
        ctx.fail(ErrorCode::kManifestInvalidValue, "MPD@mediaPresentationDuration",
                 "ends before the last period starts (" + format_seconds(p.start) + ")");
        return;
      }
      p.duration = *mpd.media_presentation_duration - p.start;
    }
  }
}

}  // namespace

Expected<Mpd, Error> parse_mpd(std::string_view xml, const ParseOptions& options) {
  const ParseLimits& limits = options.limits;
  if (xml.size() > limits.max_bytes)
    return Unexpected{Error{ErrorCode::kManifestLimitExceeded, "MPD of " + std::to_string(xml.size()) +
                                                                   " bytes exceeds the limit of " +
                                                                   std::to_string(limits.max_bytes) + " bytes"}};
  pugi::xml_document doc;
  // parse_default without PCDATA escapes of custom entities: pugixml never expands DTD entities, so
  // "billion laughs" documents cannot grow.
  pugi::xml_parse_result res = doc.load_buffer(xml.data(), xml.size(), pugi::parse_default, pugi::encoding_auto);
  if (!res)
    return Unexpected{Error{ErrorCode::kManifestMalformedXml, location(xml, res.offset) + ": " + res.description()}};
  if (std::size_t d = max_depth(doc, limits.max_depth); d > limits.max_depth)
    return Unexpected{Error{ErrorCode::kManifestLimitExceeded,
                            "elements nested deeper than the limit of " + std::to_string(limits.max_depth)}};
  pugi::xml_node root = doc.document_element();
  if (!root || detail::local_name(root.name()) != "MPD")
    return Unexpected{Error{ErrorCode::kManifestInvalidValue,
                            std::string("root element is '") + (root ? root.name() : "") + "', not 'MPD'"}};

  ParseContext ctx(options);
  Mpd mpd;
  const std::string path = "MPD";
  mpd.document_url = options.document_url;
  std::string type = ctx.str(root, "type");
  if (type.empty() || type == "static") {
    mpd.type = PresentationType::kStatic;
  } else if (type == "dynamic") {
    mpd.type = PresentationType::kDynamic;
  } else {
    ctx.fail(ErrorCode::kManifestInvalidValue, "MPD@type",
             "'" + type.substr(0, 40) + "' is neither static nor dynamic");
  }
  mpd.profiles = ctx.str(root, "profiles");
  mpd.availability_start_time = ctx.datetime(root, "availabilityStartTime", path);
  // Informational, or hints with a default (docs/manifest.md, "What playback needs").
  mpd.availability_end_time = ctx.datetime(root, "availabilityEndTime", path, Need::kOptional);
  mpd.publish_time = ctx.datetime(root, "publishTime", path, Need::kOptional);
  mpd.media_presentation_duration = ctx.duration(root, "mediaPresentationDuration", path);
  mpd.minimum_update_period = ctx.duration(root, "minimumUpdatePeriod", path);
  mpd.time_shift_buffer_depth = ctx.duration(root, "timeShiftBufferDepth", path);
  mpd.suggested_presentation_delay = ctx.duration(root, "suggestedPresentationDelay", path, Need::kOptional);
  mpd.min_buffer_time = ctx.duration(root, "minBufferTime", path, Need::kOptional);
  mpd.max_segment_duration = ctx.duration(root, "maxSegmentDuration", path, Need::kOptional);
  if (mpd.is_dynamic() && !ctx.failed() && !mpd.availability_start_time)
    ctx.fail(ErrorCode::kManifestMissingAttribute, "MPD@availabilityStartTime", "required for a dynamic MPD");
  mpd.base_urls = ctx.base_urls(root, path);
  for (pugi::xml_node l : ParseContext::children(root, "Location")) mpd.locations.emplace_back(l.text().get());
  for (pugi::xml_node u : ParseContext::children(root, "UTCTiming"))
    mpd.utc_timings.push_back(UtcTiming{ctx.str(u, "schemeIdUri"), ctx.str(u, "value")});
  detail::parse_service_description(ctx, root, mpd);
  mpd.essential_properties = ctx.descriptors(root, "EssentialProperty");
  mpd.supplemental_properties = ctx.descriptors(root, "SupplementalProperty");
  std::size_t i = 0;
  for (pugi::xml_node pn : ParseContext::children(root, "Period")) {
    if (ctx.failed()) break;
    mpd.periods.push_back(parse_period(ctx, pn, path + "/Period[" + std::to_string(i++) + "]"));
  }
  if (!ctx.failed() && mpd.periods.empty()) ctx.fail(ErrorCode::kManifestInvalidValue, path, "the MPD has no Period");
  if (!ctx.failed()) resolve_period_timeline(ctx, mpd);
  if (ctx.failed()) return Unexpected{ctx.take_error()};
  mpd.warnings = ctx.take_warnings();
  return mpd;
}

}  // namespace abrplay::manifest
