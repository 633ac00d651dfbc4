// abrplay/player/telemetry/cmcd.h: Common Media Client Data (CTA-5004, version 1).
//
// The player attaches CMCD to every manifest and segment request, so a CDN sees what the client
// sees (buffer, bitrate, throughput, startup). A CmcdData holds one request's values; encode()
// writes the payload by the spec's rules:
//   - keys in alphabetical order, `key=value` pairs separated by commas;
//   - booleans: a true value is the bare key, a false one is omitted;
//   - strings (cid, nor, nrr, sid) in double quotes with `"` and `\` escaped; tokens (ot, sf, st)
//     bare; integers as decimal;
//   - bl and dl rounded to the nearest 100 ms, mtp and rtp to the nearest 100 kbps;
//   - v omitted when 1, pr omitted when 1, absent values omitted.
// Two transmission modes (CTA-5004 section 2): a `CMCD=` query argument (the payload URL-encoded,
// by net::append_query(url, "CMCD", encode(data)) in abrplay/net/url.h), or four headers that
// split the keys by how often they change:
//   CMCD-Object  br d ot tb        CMCD-Request  bl dl mtp nor nrr su
//   CMCD-Session cid pr sf sid st v CMCD-Status  bs rtp
// Pure; any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "abrplay/core/units.h"
#include "abrplay/player/cmcd_mode.h"

namespace abrplay::telemetry {

// "off", "query", "header"; nullopt for anything else.
std::optional<CmcdMode> parse_cmcd_mode(std::string_view text);

// Object types (ot).
enum class CmcdObject { kManifest, kAudio, kVideo, kMuxed, kInit, kCaption, kTimedText, kKey, kOther };

struct CmcdData {
  std::optional<DataRate> br;         // encoded bitrate of the object
  std::optional<std::int64_t> bl_ms;  // buffer length (media ahead of the playhead)
  bool bs = false;                    // buffer starvation since the previous request
  std::string cid;                    // content id (at most 64 characters)
  std::optional<std::int64_t> d_ms;   // object duration
  std::optional<std::int64_t> dl_ms;  // deadline: time until the buffer would run dry
  std::optional<DataRate> mtp;        // measured throughput
  std::string nor;                    // next object request, relative to this one
  std::string nrr;                    // next range request, "first-last"
  std::optional<CmcdObject> ot;
  std::optional<double> pr;     // playback rate
  std::optional<DataRate> rtp;  // requested maximum throughput
  bool sf_dash = true;          // streaming format: DASH ("d")
  std::string sid;              // session id (a UUID; at most 64 characters)
  std::optional<bool> st_live;  // stream type: live ("l") or VOD ("v")
  bool su = false;              // startup: the object is needed urgently to start
  std::optional<DataRate> tb;   // top bitrate of the ladder
  int v = 1;                    // CMCD version
};

// The whole payload, e.g. `bl=21300,br=3200,cid="movie",ot=v,sf=d,sid="6e2f...",su`.
std::string encode(const CmcdData& data);

// The four headers (only those with keys), names in the spec's spelling.
std::vector<std::pair<std::string, std::string>> encode_headers(const CmcdData& data);

}  // namespace abrplay::telemetry
