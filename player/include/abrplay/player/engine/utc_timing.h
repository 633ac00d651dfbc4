// abrplay/player/engine/utc_timing.h: reading the server time of a DASH UTCTiming element.
//
// Schemes (ISO/IEC 23009-1 5.8.5.7, DASH-IF IOP 4.7):
//   urn:mpeg:dash:utc:http-iso:2014 / http-xsdate:2014 (and the :2012 spellings): GET @value, the
//       body is an xs:dateTime;
//   urn:mpeg:dash:utc:direct:2014: @value itself is the xs:dateTime;
//   urn:mpeg:dash:utc:http-head:2014: HEAD-like: the Date header of a GET to @value.
// Others (ntp, sntp, http-ntp) are reported unsupported; the engine then tries the next element and
// finally falls back to the local clock with a warning.
// Pure functions; any thread.
#pragma once
#include <chrono>
#include <string>
#include <string_view>

#include "abrplay/core/clock.h"
#include "abrplay/core/expected.h"

namespace abrplay::engine {

enum class UtcScheme { kHttpIso, kHttpXsDate, kDirect, kHttpHead, kUnsupported };
UtcScheme utc_scheme(std::string_view scheme_id_uri);

// The xs:dateTime in a response body (surrounding whitespace ignored). Errors name the text.
Expected<WallTime, std::string> parse_utc_body(std::string_view body);
// An HTTP Date header (IMF-fixdate, RFC 9110: "Sun, 06 Nov 1994 08:49:37 GMT").
Expected<WallTime, std::string> parse_http_date(std::string_view value);

// The offset to add to the local wall clock, from a request sent at `sent` and answered at
// `received` (local wall times) with the server time `server`: the server stamped its time about
// half-way through the round trip.
std::chrono::microseconds clock_offset(WallTime sent, WallTime received, WallTime server);

}  // namespace abrplay::engine
