// Small derived values of the MPD model (see model.h).
#include "abrplay/player/manifest/model.h"

namespace abrplay::manifest {

bool AdaptationSet::encrypted() const {
  if (!content_protection.empty()) return true;
  for (const Representation& r : representations)
    if (!r.content_protection.empty()) return true;
  return false;
}

std::optional<MediaTime> Mpd::total_duration() const {
  if (media_presentation_duration) return media_presentation_duration;
  if (periods.empty() || !periods.back().duration) return std::nullopt;
  return periods.back().start + *periods.back().duration;
}

}  // namespace abrplay::manifest
