#include "abrplay/player/engine/utc_timing.h"

#include <array>
#include <cstdio>
#include <cstring>

#include "abrplay/player/manifest/time.h"

namespace abrplay::engine {

UtcScheme utc_scheme(std::string_view s) {
  if (s == "urn:mpeg:dash:utc:http-iso:2014" || s == "urn:mpeg:dash:utc:http-iso:2012") return UtcScheme::kHttpIso;
  if (s == "urn:mpeg:dash:utc:http-xsdate:2014" || s == "urn:mpeg:dash:utc:http-xsdate:2012") {
    return UtcScheme::kHttpXsDate;
  }
  if (s == "urn:mpeg:dash:utc:direct:2014" || s == "urn:mpeg:dash:utc:direct:2012") return UtcScheme::kDirect;
  if (s == "urn:mpeg:dash:utc:http-head:2014" || s == "urn:mpeg:dash:utc:http-head:2012") return UtcScheme::kHttpHead;
  return UtcScheme::kUnsupported;
}

Expected<WallTime, std::string> parse_utc_body(std::string_view body) {
  const auto first = body.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return Unexpected{std::string("empty time response")};
  const auto last = body.find_last_not_of(" \t\r\n");
  const std::string_view text = body.substr(first, last - first + 1);
  if (text.size() > 64) return Unexpected{std::string("time response longer than 64 bytes")};
  auto t = manifest::parse_xs_datetime(text);
  if (!t) return Unexpected{"'" + std::string(text) + "': " + t.error()};
  return WallTime(t->time_since_epoch());
}

Expected<WallTime, std::string> parse_http_date(std::string_view value) {
  // "Sun, 06 Nov 1994 08:49:37 GMT"
  const std::string v(value.substr(0, 64));
  char wday[4] = {}, mon[4] = {}, zone[4] = {};
  int day = 0, year = 0, h = 0, m = 0, s = 0;
  if (std::sscanf(v.c_str(), "%3s, %d %3s %d %d:%d:%d %3s", wday, &day, mon, &year, &h, &m, &s, zone) != 8 ||
      std::strcmp(zone, "GMT") != 0) {
    return Unexpected{"'" + v + "' is not an IMF-fixdate"};
  }
  static constexpr std::array<const char*, 12> kMonths{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  unsigned month = 0;
  while (month < 12 && std::strcmp(kMonths[month], mon) != 0) ++month;
  if (month == 12 || day < 1 || day > 31 || h > 23 || m > 59 || s > 60 || year < 1970) {
    return Unexpected{"'" + v + "' is not an IMF-fixdate"};
  }
  using namespace std::chrono;
  const year_month_day ymd{std::chrono::year{year}, std::chrono::month{month + 1},
                           std::chrono::day{static_cast<unsigned>(day)}};
  if (!ymd.ok()) return Unexpected{"'" + v + "' names no calendar day"};
  return WallTime(duration_cast<microseconds>(sys_days(ymd).time_since_epoch() + hours(h) + minutes(m) + seconds(s)));
}

std::chrono::microseconds clock_offset(WallTime sent, WallTime received, WallTime server) {
  const auto midpoint = sent + (received - sent) / 2;
  return server - midpoint;
}

}  // namespace abrplay::engine
