// mpd_rewrite.h: how the origin edits an MPD before serving it.
//
// - CDN BaseURLs: with several CDNs, the MPD lists every CDN as an MPD-level <BaseURL
//   serviceLocation="cdn-i">, in CDN order, so a client can fail over between them; with a
//   steering server (steering_script.h) a <ContentSteering> element naming it follows them.
// - Device filter: the playback API hands out manifest URLs with the device's capabilities in the
//   query (?codecs=avc1,mp4a&max_height=720), as streaming services tailor manifests per device;
//   Representations the device cannot play are removed, and AdaptationSets left empty with them.
//
// - Remote elements (xlink, ISO/IEC 23009-1 5.5): `?xlink=periods` (or `adaptation-sets`) serves
//   the MPD with each Period (AdaptationSet) replaced by an empty one whose xlink:href (onLoad) is
//   the same MPD's URL with `?xlink-element=period-I` (`adaptation-set-I-J`); such a request
//   answers with that one element, as a remote element document.
//
// Pure functions of their inputs. Errors name the MPD and the XML byte offset.
#pragma once

#include <string>
#include <vector>

#include "abrplay/core/expected.h"

namespace abrplay::origin {

struct DeviceFilter {
  std::vector<std::string> codecs;  // codec families ("avc1", "hev1", "mp4a"); empty: keep all
  int max_height = 0;               // pixels; 0: no limit

  bool empty() const { return codecs.empty() && max_height == 0; }
  // "codecs=avc1,mp4a&max_height=720" (the inverse of the parsing the origin does on requests).
  std::string to_query() const;
};

// DVB-DASH load balancing of one CDN's BaseURL (0: the attribute is left out, the default 1 applies).
struct CdnDvb {
  int priority = 0, weight = 0;
};

// The ContentSteering element the MPD gains when the origin runs a steering server.
struct SteeringAdvert {
  std::string server_url;
  std::string default_service_location;  // empty: the attribute is left out
  bool query_before_start = false;
};

// Applies both edits; `base_urls` empty means "leave the BaseURLs alone". `dvb[i]`, when present,
// gives base_urls[i] its dvb:priority and dvb:weight. `steering` (with base URLs) adds a
// ContentSteering element after them.
Expected<std::string, std::string> rewrite_mpd(const std::string& mpd_text, const std::string& name,
                                               const std::vector<std::string>& base_urls, const DeviceFilter& filter,
                                               const std::vector<CdnDvb>& dvb = {},
                                               const SteeringAdvert* steering = nullptr);

enum class XlinkSplit { kPeriods, kAdaptationSets };

// The MPD with the elements of `split` made remote; `reference` is the URL each href starts with
// (relative: "manifest.mpd?codecs=avc1&"), to which "xlink-element=..." is appended.
Expected<std::string, std::string> externalize(const std::string& mpd_text, const std::string& name, XlinkSplit split,
                                               const std::string& reference);
// The element named by `element` ("period-1", "adaptation-set-0-2") alone, as XML text.
Expected<std::string, std::string> remote_element(const std::string& mpd_text, const std::string& name,
                                                  const std::string& element);

}  // namespace abrplay::origin
