// SegmentBase, SegmentList, SegmentTemplate and SegmentTimeline elements -> SegmentInfo.
#include "abrplay/player/manifest/segment_template.h"
#include "parse_context.h"

namespace abrplay::manifest::detail {
namespace {

void parse_common(ParseContext& ctx, pugi::xml_node n, const std::string& path, SegmentInfo& info) {
  info.path = path;
  info.timescale = ctx.u32(n, "timescale", path);
  if (info.timescale && *info.timescale == 0)
    ctx.fail(ErrorCode::kManifestInvalidValue, path + "@timescale", "timescale 0 is not allowed");
  info.presentation_time_offset = ctx.u64(n, "presentationTimeOffset", path);
  // Early availability (low latency) only lets requests go out sooner; without it they wait.
  info.availability_time_offset_s = ctx.real(n, "availabilityTimeOffset", path, Need::kOptional);
  info.availability_time_complete = ctx.boolean(n, "availabilityTimeComplete", path, Need::kOptional);
  info.index_range = ctx.range(n, "indexRange", path);
  if (pugi::xml_node init = ParseContext::child(n, "Initialization")) {
    std::string p = path + "/Initialization";
    info.initialization = UrlAndRange{ctx.str(init, "sourceURL"), ctx.range(init, "range", p)};
  }
  if (pugi::xml_node idx = ParseContext::child(n, "RepresentationIndex")) {
    std::string p = path + "/RepresentationIndex";
    info.representation_index = UrlAndRange{ctx.str(idx, "sourceURL"), ctx.range(idx, "range", p)};
  }
}

void parse_multiple(ParseContext& ctx, pugi::xml_node n, const std::string& path, SegmentInfo& info) {
  parse_common(ctx, n, path, info);
  info.duration = ctx.u64(n, "duration", path);
  if (info.duration && *info.duration == 0)
    ctx.fail(ErrorCode::kManifestInvalidValue, path + "@duration", "segment duration 0 is not allowed");
  info.start_number = ctx.u64(n, "startNumber", path);
  info.end_number = ctx.u64(n, "endNumber", path);
  pugi::xml_node tl = ParseContext::child(n, "SegmentTimeline");
  if (!tl) return;
  // The hot loop of big live manifests (tens of thousands of S): one pass over each S's attributes,
  // and the element path is only built when something is wrong.
  std::vector<TimelineEntry> entries;
  std::size_t i = 0;
  for (pugi::xml_node s = tl.first_child(); s && !ctx.failed(); s = s.next_sibling()) {
    if (s.type() != pugi::node_element || local_name(s.name()) != "S") continue;
    auto where = [&](const char* attr) { return path + "/SegmentTimeline/S[" + std::to_string(i) + "]" + attr; };
    TimelineEntry e;
    bool has_d = false;
    for (pugi::xml_attribute a = s.first_attribute(); a; a = a.next_attribute()) {
      std::string_view name = a.name();
      bool ok = true;
      if (name == "t") {
        e.t.emplace();
        ok = ParseContext::parse_integer(a.value(), *e.t);
      } else if (name == "d") {
        has_d = true;
        ok = ParseContext::parse_integer(a.value(), e.d);
      } else if (name == "r") {
        ok = ParseContext::parse_integer(a.value(), e.r);
      } else if (name == "n") {
        e.n.emplace();
        ok = ParseContext::parse_integer(a.value(), *e.n);
      }
      if (!ok) {
        ctx.fail(ErrorCode::kManifestInvalidValue, where("@") + std::string(name),
                 "'" + std::string(std::string_view(a.value()).substr(0, 64)) + "' is not a valid integer");
        break;
      }
    }
    if (ctx.failed()) break;
    if (!has_d) ctx.fail(ErrorCode::kManifestMissingAttribute, where("@d"), "required attribute is missing");
    else if (e.d == 0) ctx.fail(ErrorCode::kManifestInvalidValue, where("@d"), "segment duration 0 is not allowed");
    else if (e.r < -1)
      ctx.fail(ErrorCode::kManifestInvalidValue, where("@r"), "repeat count " + std::to_string(e.r) + " is below -1");
    entries.push_back(e);
    ++i;
  }
  info.timeline = std::move(entries);
}

void check_template(ParseContext& ctx, const std::optional<std::string>& text, const std::string& path,
                    bool allow_number_time) {
  if (!text || ctx.failed()) return;
  auto t = SegmentTemplate::compile(*text);
  if (!t) {
    ctx.fail(ErrorCode::kManifestBadTemplate, path, t.error());
    return;
  }
  if (!allow_number_time && (t->uses_number() || t->uses_time()))
    ctx.fail(ErrorCode::kManifestBadTemplate, path,
             "$Number$ and $Time$ are not allowed in an initialization or index template");
}

}  // namespace

SegmentInfoSet parse_segment_info_set(ParseContext& ctx, pugi::xml_node parent, const std::string& path) {
  SegmentInfoSet set;
  if (pugi::xml_node n = ParseContext::child(parent, "SegmentBase")) {
    SegmentInfo info;
    parse_common(ctx, n, path + "/SegmentBase", info);
    set.base = std::move(info);
  }
  if (pugi::xml_node n = ParseContext::child(parent, "SegmentList")) {
    SegmentInfo info;
    std::string p = path + "/SegmentList";
    parse_multiple(ctx, n, p, info);
    std::size_t i = 0;
    for (pugi::xml_node u : ParseContext::children(n, "SegmentURL")) {
      std::string up = p + "/SegmentURL[" + std::to_string(i++) + "]";
      info.segment_urls.push_back(UrlAndRange{ctx.str(u, "media"), ctx.range(u, "mediaRange", up)});
    }
    set.list = std::move(info);
  }
  if (pugi::xml_node n = ParseContext::child(parent, "SegmentTemplate")) {
    SegmentInfo info;
    std::string p = path + "/SegmentTemplate";
    parse_multiple(ctx, n, p, info);
    info.media_template = ctx.opt_str(n, "media");
    info.initialization_template = ctx.opt_str(n, "initialization");
    info.index_template = ctx.opt_str(n, "index");
    check_template(ctx, info.media_template, p + "@media", true);
    check_template(ctx, info.initialization_template, p + "@initialization", false);
    check_template(ctx, info.index_template, p + "@index", true);
    set.templ = std::move(info);
  }
  return set;
}

}  // namespace abrplay::manifest::detail
