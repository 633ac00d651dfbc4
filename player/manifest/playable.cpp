// make_playable: drop excluded elements, refuse remote periods and DRM (see playable.h).
#include "abrplay/player/manifest/playable.h"

#include <algorithm>

namespace abrplay::manifest {

Expected<Mpd, Error> make_playable(Mpd mpd) {
  for (Period& p : mpd.periods) {
    if (!p.xlink_href.empty() && p.xlink_href != "urn:mpeg:dash:resolve-to-zero:2013")
      return Unexpected{Error{ErrorCode::kManifestUnsupported,
                              p.path + "@xlink:href: remote period ('" + p.xlink_href.substr(0, 200) +
                                  "') not resolved: the MPD was parsed without its remote elements (xlink.h)"}};
  }
  std::erase_if(mpd.periods, [](const Period& p) { return !p.xlink_href.empty(); });
  for (Period& p : mpd.periods) {
    std::erase_if(p.adaptation_sets, [](const AdaptationSet& a) { return !a.excluded_reason.empty(); });
    for (AdaptationSet& a : p.adaptation_sets) {
      std::erase_if(a.representations, [](const Representation& r) { return !r.excluded_reason.empty(); });
      const std::vector<ContentProtection>* cp = &a.content_protection;
      std::string where = a.path;
      for (const Representation& r : a.representations) {
        if (cp->empty() && !r.content_protection.empty()) {
          cp = &r.content_protection;
          where = r.path;
        }
      }
      if (!cp->empty())
        return Unexpected{Error{ErrorCode::kManifestEncrypted,
                                where + "/ContentProtection: encrypted content (scheme '" + cp->front().scheme_id_uri +
                                    "') is not supported: DRM is out of scope"}};
    }
    std::erase_if(p.adaptation_sets, [](const AdaptationSet& a) { return a.representations.empty(); });
    if (p.adaptation_sets.empty())
      return Unexpected{
          Error{ErrorCode::kManifestNoPlayableContent, p.path + ": no playable representation left after filtering"}};
  }
  if (mpd.periods.empty())
    return Unexpected{Error{ErrorCode::kManifestNoPlayableContent, "MPD: no period left to play"}};
  return mpd;
}

}  // namespace abrplay::manifest
