// abrplay/player/manifest/time.h: time types of the manifest layer and the XML Schema time formats.
//
// Presentation times and durations are microseconds: fine enough for any DASH timescale a player
// needs to compare (segment boundaries are kept exactly in timescale ticks, see Segment), and a
// 64-bit count of them spans ~292,000 years, so no realistic value overflows.
// Pure functions: any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "abrplay/core/expected.h"
#include "abrplay/core/time.h"

namespace abrplay::manifest {

// Longest duration accepted anywhere in an MPD. Longer values are treated as absurd (they are
// typos or attacks) and rejected with kManifestInvalidValue. 1000 years keeps every later
// addition of two such values far from the 64-bit microsecond limit.
inline constexpr MediaTime kMaxManifestDuration = std::chrono::hours(24) * 365 * 1000;

// ISO 8601 duration as xs:duration writes it: "PT1H2M3.5S", "P1DT2H", "PT0S".
// Years count 365 days and months 30 days (the calendar is unknown in a duration, as in dash.js).
// Errors (a message without location; the caller adds the element path): negative values,
// malformed text, values above kMaxManifestDuration.
Expected<MediaTime, std::string> parse_iso8601_duration(std::string_view text);

// xs:dateTime: "2024-01-02T03:04:05Z", "...05.123+01:00", or without a zone (read as UTC, as
// DASH-IF IOP recommends). Years 1970..9999.
Expected<WallTime, std::string> parse_xs_datetime(std::string_view text);

// "2024-01-02T03:04:05.123456Z" (fraction omitted when zero).
std::string format_datetime(WallTime t);

// "62.5s", "0s", "1:02:03.25" style is avoided: seconds with up to 6 decimals, for reports.
std::string format_seconds(MediaTime d);

// ticks/timescale as microseconds, rounding down, without overflow for every 64-bit tick count and
// 32-bit timescale (DASH timescales are xs:unsignedInt). timescale must be > 0.
MediaTime ticks_to_duration(uint64_t ticks, uint32_t timescale);

// The inverse, rounding down; negative durations give 0. Saturates at UINT64_MAX.
uint64_t duration_to_ticks(MediaTime d, uint32_t timescale);

}  // namespace abrplay::manifest
