// ServiceDescription: the service's latency target and catch-up bounds (model.h). Every value is
// optional for playback: what is absurd (negative, min above max, a target beyond the time-shift
// window, a rate outside 0.5..2) is dropped with a warning naming it, and live playback falls back
// to its defaults for that value.
#include "abrplay/player/manifest/time.h"
#include "parse_context.h"

namespace abrplay::manifest::detail {

namespace {

std::optional<MediaTime> millis(ParseContext& ctx, pugi::xml_node n, const char* name, const std::string& path) {
  const auto v = ctx.real(n, name, path, Need::kOptional);
  if (!v) return std::nullopt;
  if (*v < 0 || *v > 86'400'000.0) {
    ctx.warn(path + "@" + name, std::to_string(*v) + " ms is not a latency (0 .. 24 h)");
    return std::nullopt;
  }
  return std::chrono::duration_cast<MediaTime>(std::chrono::duration<double, std::milli>(*v));
}

}  // namespace

void parse_service_description(ParseContext& ctx, pugi::xml_node root, Mpd& mpd) {
  pugi::xml_node sd = ParseContext::child(root, "ServiceDescription");
  if (!sd) return;
  const std::string path = "MPD/ServiceDescription[0]";
  ServiceDescription d;
  if (pugi::xml_node lat = ParseContext::child(sd, "Latency")) {
    const std::string p = path + "/Latency";
    d.target_latency = millis(ctx, lat, "target", p);
    d.min_latency = millis(ctx, lat, "min", p);
    d.max_latency = millis(ctx, lat, "max", p);
    if (d.min_latency && d.max_latency && *d.min_latency > *d.max_latency) {
      ctx.warn(p, "min is above max");
      d.min_latency.reset();
      d.max_latency.reset();
    }
    if (d.target_latency && ((d.min_latency && *d.target_latency < *d.min_latency) ||
                             (d.max_latency && *d.target_latency > *d.max_latency))) {
      ctx.warn(p + "@target", "outside [min, max]");
      d.target_latency.reset();
    }
    if (d.target_latency && mpd.time_shift_buffer_depth && *d.target_latency > *mpd.time_shift_buffer_depth) {
      ctx.warn(p + "@target", "beyond the time-shift window (timeShiftBufferDepth " +
                                  format_seconds(*mpd.time_shift_buffer_depth) + "): no target latency");
      d.target_latency.reset();
    }
  }
  if (pugi::xml_node rate = ParseContext::child(sd, "PlaybackRate")) {
    const std::string p = path + "/PlaybackRate";
    d.min_playback_rate = ctx.real(rate, "min", p, Need::kOptional);
    d.max_playback_rate = ctx.real(rate, "max", p, Need::kOptional);
    if (d.min_playback_rate && !(*d.min_playback_rate >= 0.5 && *d.min_playback_rate <= 1.0)) {
      ctx.warn(p + "@min", std::to_string(*d.min_playback_rate) + " is outside 0.5 .. 1");
      d.min_playback_rate.reset();
    }
    if (d.max_playback_rate && !(*d.max_playback_rate >= 1.0 && *d.max_playback_rate <= 2.0)) {
      ctx.warn(p + "@max", std::to_string(*d.max_playback_rate) + " is outside 1 .. 2");
      d.max_playback_rate.reset();
    }
  }
  mpd.service_description = d;
}

}  // namespace abrplay::manifest::detail
