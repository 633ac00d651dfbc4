// abrplay/player/manifest/playable.h: from "what the MPD says" to "what this player will play".
//
// make_playable removes excluded elements (unknown EssentialProperty schemes), refuses what the
// player cannot play and returns the rest. Refusals, in order:
//   kManifestUnsupported        a Period still remote (xlink:href): the text was parsed without
//                               XlinkResolver (xlink.h), which the player always runs
//   kManifestEncrypted          any remaining AdaptationSet or Representation with ContentProtection
//                               (DRM is out of scope); the message names the element and the scheme
//   kManifestNoPlayableContent  a period left without any representation
// Pure; any thread.
#pragma once

#include "abrplay/core/expected.h"
#include "abrplay/player/error.h"
#include "abrplay/player/manifest/model.h"

namespace abrplay::manifest {

Expected<Mpd, Error> make_playable(Mpd mpd);

}  // namespace abrplay::manifest
