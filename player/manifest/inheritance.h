// Internal: inheritance across the MPD, Period, AdaptationSet and Representation levels
// (ISO/IEC 23009-1 5.3.9.1 for segment information, 5.6.4 for BaseURL). Pure functions.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "abrplay/core/expected.h"
#include "abrplay/player/error.h"
#include "abrplay/player/manifest/model.h"

namespace abrplay::manifest::detail {

// One segment element kind merged attribute by attribute; `deep_first` is non-empty, deepest level
// (Representation) first. The merged path is the deepest element's.
SegmentInfo merge_levels(const std::vector<const SegmentInfo*>& deep_first);

// availabilityTimeOffset in seconds (absent = 0, INF or huge = kMaxManifestDuration).
MediaTime availability_offset(std::optional<double> seconds);

struct BaseUrlChain {
  std::vector<std::string> urls;     // resolved alternatives, dvb:priority then document order, <= 16
  std::vector<BaseUrlHost> hosts;    // for each of `urls`: its DVB priority and weight
  MediaTime availability_offset{0};  // sum over the levels of the preferred BaseURL's offset
};

// Resolves document URL -> MPD -> Period -> AdaptationSet -> Representation BaseURLs with
// net::resolve_reference.
// Error: kManifestInvalidValue naming the BaseURL element.
Expected<BaseUrlChain, Error> resolve_base_url_chain(const Mpd& mpd, const Period& period, const AdaptationSet& as,
                                                     const Representation& rep);

}  // namespace abrplay::manifest::detail
