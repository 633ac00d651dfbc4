// AdaptationSet and Representation elements, with the common-attribute inheritance of 5.3.7.
#include <array>

#include "abrplay/player/manifest/thumbnails.h"
#include "parse_context.h"

namespace abrplay::manifest::detail {
namespace {

// EssentialProperty schemes this player understands; any other excludes its element (5.8.4.8).
// Colour signalling is handled by the decoder; last-segment-number only bounds a template.
// Thumbnail tiles are read by read_thumbnail below.
constexpr std::array<std::string_view, 7> kKnownEssentialSchemes = {
    "urn:mpeg:mpegB:cicp:ColourPrimaries",
    "urn:mpeg:mpegB:cicp:TransferCharacteristics",
    "urn:mpeg:mpegB:cicp:MatrixCoefficients",
    "urn:mpeg:mpegB:cicp:VideoFullRangeFlag",
    "http://dashif.org/guidelines/last-segment-number",
    "http://dashif.org/thumbnail_tile",
    "http://dashif.org/guidelines/thumbnail_tile",
};

std::string content_type_of(const std::string& content_type, const std::string& mime, const std::string& codecs) {
  if (!content_type.empty()) return content_type;
  std::string_view m(mime);
  for (std::string_view kind : {"video", "audio", "text", "image"})
    if (m.rfind(kind, 0) == 0 && m.size() > kind.size() && m[kind.size()] == '/') return std::string(kind);
  if (m == "application/ttml+xml") return "text";
  if (m == "application/mp4" && (codecs.rfind("stpp", 0) == 0 || codecs.rfind("wvtt", 0) == 0)) return "text";
  return {};
}

// @audioSamplingRate is a list of one or two rates (ISO/IEC 23009-1 5.3.7.2: "44100 22050" for a
// stream whose rate changes, e.g. HE-AAC's core and output rates); the first one is kept. Optional.
std::optional<uint32_t> sampling_rate(ParseContext& ctx, pugi::xml_node n, const std::string& path) {
  pugi::xml_attribute a = ParseContext::attr(n, "audioSamplingRate");
  if (!a) return std::nullopt;
  std::string_view text(a.value());
  std::vector<uint64_t> rates;
  std::size_t i = 0;
  bool ok = true;
  while (ok && i < text.size()) {
    std::size_t start = text.find_first_not_of(" \t\r\n", i);
    if (start == std::string_view::npos) break;
    std::size_t end = std::min(text.find_first_of(" \t\r\n", start), text.size());
    uint64_t v = 0;
    ok = ParseContext::parse_integer(text.substr(start, end - start), v) && v > 0 && v <= 0xFFFFFFFFu;
    rates.push_back(v);
    i = end;
  }
  if (!ok || rates.empty() || rates.size() > 2) {
    ctx.warn(path + "@audioSamplingRate",
             "'" + std::string(text.substr(0, 64)) + "' is not one or two sampling rates in Hz");
    return std::nullopt;
  }
  return static_cast<uint32_t>(rates.front());
}

void parse_common_elements(ParseContext& ctx, pugi::xml_node n, const std::string& path, CommonElements& c) {
  c.base_urls = ctx.base_urls(n, path);
  c.segments = parse_segment_info_set(ctx, n, path);
  c.essential_properties = ctx.descriptors(n, "EssentialProperty");
  c.supplemental_properties = ctx.descriptors(n, "SupplementalProperty");
  c.content_protection = ctx.content_protection(n);
  c.inband_event_streams = ctx.inband_event_streams(n);
  c.excluded_reason = essential_exclusion(c.essential_properties);
}

// The thumbnail_tile property of a representation, else of its set (Essential, or Supplemental as
// some packagers write it); null when neither has one.
const Descriptor* tile_property(const Representation& r, const AdaptationSet& as) {
  for (const auto* list :
       {&r.essential_properties, &r.supplemental_properties, &as.essential_properties, &as.supplemental_properties}) {
    for (const Descriptor& d : *list)
      if (is_thumbnail_tile_scheme(d.scheme_id_uri)) return &d;
  }
  return nullptr;
}

// An image representation's tile grid (model.h, TileGrid). Never fails the manifest: an unusable
// grid or size leaves `tiles` empty and names the problem in `thumbnail_problem`.
void read_thumbnail(Representation& r, const AdaptationSet& as) {
  TileGrid grid;
  if (const Descriptor* d = tile_property(r, as)) {
    auto parsed = parse_tile_grid(d->value);
    if (!parsed) {
      r.thumbnail_problem = "thumbnail_tile @value " + parsed.error();
      return;
    }
    grid = *parsed;
  }
  if (!r.width || !r.height) {
    r.thumbnail_problem = std::string("thumbnail image without @") + (r.width ? "height" : "width");
    return;
  }
  if (*r.width > kMaxThumbnailImageSide || *r.height > kMaxThumbnailImageSide) {
    r.thumbnail_problem = "thumbnail image " + std::to_string(*r.width) + "x" + std::to_string(*r.height) +
                          " is larger than " + std::to_string(kMaxThumbnailImageSide) + " px on a side";
    return;
  }
  if (*r.width < grid.columns || *r.height < grid.rows) {
    r.thumbnail_problem = "thumbnail image " + std::to_string(*r.width) + "x" + std::to_string(*r.height) +
                          " is smaller than its " + std::to_string(grid.columns) + "x" + std::to_string(grid.rows) +
                          " tile grid";
    return;
  }
  r.tiles = grid;
}

Representation parse_representation(ParseContext& ctx, pugi::xml_node n, const std::string& path,
                                    const AdaptationSet& as) {
  Representation r;
  r.path = path;
  // @id and @bandwidth are mandatory in ISO/IEC 23009-1, but test and packager output often omits
  // them (ExoPlayer's own assets do). Accepted: bandwidth 0 means unknown, and SegmentIndex refuses a
  // template that needs the missing value.
  r.has_id = static_cast<bool>(ParseContext::attr(n, "id"));
  r.has_bandwidth = static_cast<bool>(ParseContext::attr(n, "bandwidth"));
  r.id = ctx.str(n, "id");
  r.bandwidth = DataRate::bits_per_second(static_cast<double>(ctx.u64(n, "bandwidth", path).value_or(0)));
  // Size, frame rate and sampling rate describe the stream for track choice and display; the
  // decoder reads the real ones from the media. A malformed one is ignored with a warning.
  r.width = ctx.u32(n, "width", path, Need::kOptional);
  if (!r.width) r.width = as.width;
  r.height = ctx.u32(n, "height", path, Need::kOptional);
  if (!r.height) r.height = as.height;
  r.frame_rate = ctx.frame_rate(n, "frameRate", path, Need::kOptional);
  if (!r.frame_rate) r.frame_rate = as.frame_rate;
  r.sar = ctx.str(n, "sar");
  if (r.sar.empty()) r.sar = as.sar;
  r.codecs = ctx.str(n, "codecs");
  if (r.codecs.empty()) r.codecs = as.codecs;
  r.mime_type = ctx.str(n, "mimeType");
  if (r.mime_type.empty()) r.mime_type = as.mime_type;
  r.audio_sampling_rate = sampling_rate(ctx, n, path);
  if (!r.audio_sampling_rate) r.audio_sampling_rate = as.audio_sampling_rate;
  r.audio_channel_configuration = ctx.descriptors(n, "AudioChannelConfiguration");
  if (r.audio_channel_configuration.empty()) r.audio_channel_configuration = as.audio_channel_configuration;
  parse_common_elements(ctx, n, path, r);
  return r;
}

}  // namespace

std::string essential_exclusion(const std::vector<Descriptor>& props) {
  for (const Descriptor& d : props) {
    bool known = false;
    for (std::string_view k : kKnownEssentialSchemes) known |= d.scheme_id_uri == k;
    if (!known) return "EssentialProperty with unknown scheme '" + d.scheme_id_uri + "'";
  }
  return {};
}

AdaptationSet parse_adaptation_set(ParseContext& ctx, pugi::xml_node n, const std::string& path) {
  AdaptationSet as;
  as.path = path;
  as.id = ctx.str(n, "id");
  as.mime_type = ctx.str(n, "mimeType");
  as.codecs = ctx.str(n, "codecs");
  as.lang = ctx.str(n, "lang");
  as.roles = ctx.descriptors(n, "Role");
  as.accessibility = ctx.descriptors(n, "Accessibility");
  for (pugi::xml_node l : ParseContext::children(n, "Label")) as.labels.emplace_back(l.text().get());
  as.frame_rate = ctx.frame_rate(n, "frameRate", path, Need::kOptional);
  as.par = ctx.str(n, "par");
  as.sar = ctx.str(n, "sar");
  as.width = ctx.u32(n, "width", path, Need::kOptional);
  as.height = ctx.u32(n, "height", path, Need::kOptional);
  as.audio_sampling_rate = sampling_rate(ctx, n, path);
  as.segment_alignment = ctx.boolean(n, "segmentAlignment", path, Need::kOptional).value_or(false);
  as.audio_channel_configuration = ctx.descriptors(n, "AudioChannelConfiguration");
  parse_common_elements(ctx, n, path, as);
  std::size_t i = 0;
  for (pugi::xml_node rn : ParseContext::children(n, "Representation")) {
    if (ctx.failed()) break;
    as.representations.push_back(
        parse_representation(ctx, rn, path + "/Representation[" + std::to_string(i++) + "]", as));
  }
  std::string rep_codecs = as.representations.empty() ? as.codecs : as.representations[0].codecs;
  std::string rep_mime = as.representations.empty() ? as.mime_type : as.representations[0].mime_type;
  as.content_type = content_type_of(ctx.str(n, "contentType"), rep_mime, rep_codecs);
  if (as.content_type == "image") {
    for (Representation& r : as.representations) read_thumbnail(r, as);
  }
  return as;
}

}  // namespace abrplay::manifest::detail
