// ISO 8601 durations and xs:dateTime (see time.h). Hand-parsed with overflow checks: the formats
// are tiny and std::chrono::parse is not in GCC 12.
#include "abrplay/player/manifest/time.h"

#include <charconv>
#include <cstdio>
#include <limits>

namespace abrplay::manifest {
namespace {

using Micros = int64_t;
constexpr Micros kMicrosPerSecond = 1'000'000;

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Reads digits (and a fraction when `allow_fraction`) as microseconds-per-unit scaled value.
// Returns false on overflow or no digits.
bool read_number(std::string_view s, std::size_t& i, uint64_t& whole, uint64_t& frac_micros, bool allow_fraction) {
  std::size_t start = i;
  whole = 0;
  while (i < s.size() && is_digit(s[i])) {
    if (whole > (std::numeric_limits<uint64_t>::max() - 9) / 10) return false;
    whole = whole * 10 + static_cast<uint64_t>(s[i] - '0');
    ++i;
  }
  bool had_digits = i > start;
  frac_micros = 0;
  if (allow_fraction && i < s.size() && (s[i] == '.' || s[i] == ',')) {
    ++i;
    uint64_t scale = 100'000;
    std::size_t fstart = i;
    while (i < s.size() && is_digit(s[i])) {
      frac_micros += static_cast<uint64_t>(s[i] - '0') * scale;
      scale /= 10;
      ++i;
    }
    if (i == fstart) return false;
    had_digits = true;
  }
  return had_digits;
}

std::string quoted(std::string_view s) {
  std::string out = "'";
  out.append(s.substr(0, 64));
  if (s.size() > 64) out += "...";
  out += "'";
  return out;
}

}  // namespace

Expected<MediaTime, std::string> parse_iso8601_duration(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t' || text.front() == '\n')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\n')) text.remove_suffix(1);
  if (!text.empty() && text.front() == '-') return Unexpected{std::string("duration ") + quoted(text) + " is negative"};
  if (text.size() < 2 || text.front() != 'P')
    return Unexpected{std::string("duration ") + quoted(text) + " is not an ISO 8601 duration"};
  const long double max_us = static_cast<long double>(kMaxManifestDuration.count());
  long double total = 0;  // microseconds; long double so each unit's product cannot overflow
  bool in_time = false;
  bool any = false;
  std::size_t i = 1;
  // Designators in order; each may appear once.
  const std::string_view date_units = "YMWD";
  const std::string_view time_units = "HMS";
  std::size_t next_unit = 0;
  while (i < text.size()) {
    if (text[i] == 'T') {
      if (in_time) return Unexpected{std::string("duration ") + quoted(text) + " has two 'T'"};
      in_time = true;
      next_unit = 0;
      ++i;
      if (i == text.size()) return Unexpected{std::string("duration ") + quoted(text) + " ends after 'T'"};
      continue;
    }
    uint64_t whole = 0;
    uint64_t frac = 0;
    if (!read_number(text, i, whole, frac, true) || i >= text.size())
      return Unexpected{std::string("duration ") + quoted(text) + " is malformed"};
    char unit = text[i++];
    std::string_view units = in_time ? time_units : date_units;
    std::size_t pos = units.find(unit, next_unit);
    if (pos == std::string_view::npos)
      return Unexpected{std::string("duration ") + quoted(text) + " has a misplaced '" + unit + "'"};
    next_unit = pos + 1;
    long double seconds_per_unit = 1;
    if (!in_time) {
      constexpr long double kDay = 86400;
      seconds_per_unit = unit == 'Y' ? 365 * kDay : unit == 'M' ? 30 * kDay : unit == 'W' ? 7 * kDay : kDay;
    } else {
      seconds_per_unit = unit == 'H' ? 3600 : unit == 'M' ? 60 : 1;
    }
    total += (static_cast<long double>(whole) * kMicrosPerSecond + static_cast<long double>(frac)) * seconds_per_unit;
    any = true;
    if (total > max_us)
      return Unexpected{std::string("duration ") + quoted(text) + " is absurdly long (limit 1000 years)"};
  }
  if (!any) return Unexpected{std::string("duration ") + quoted(text) + " has no value"};
  return MediaTime(static_cast<Micros>(total));
}

Expected<WallTime, std::string> parse_xs_datetime(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\n')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\n')) text.remove_suffix(1);
  auto fail = [&] { return Unexpected{std::string("date-time ") + quoted(text) + " is malformed"}; };
  // YYYY-MM-DDThh:mm:ss[.fff][Z|(+|-)hh:mm]
  auto field = [&](std::size_t at, std::size_t len, int& out) {
    if (at + len > text.size()) return false;
    int v = 0;
    for (std::size_t k = at; k < at + len; ++k) {
      if (!is_digit(text[k])) return false;
      v = v * 10 + (text[k] - '0');
    }
    out = v;
    return true;
  };
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  if (!field(0, 4, y) || text.size() < 19 || text[4] != '-' || !field(5, 2, mo) || text[7] != '-' || !field(8, 2, d) ||
      text[10] != 'T' || !field(11, 2, h) || text[13] != ':' || !field(14, 2, mi) || text[16] != ':' ||
      !field(17, 2, s))
    return fail();
  using namespace std::chrono;
  year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
  if (y < 1970 || !ymd.ok() || h > 24 || mi > 59 || s > 60 || (h == 24 && (mi || s)))
    return Unexpected{std::string("date-time ") + quoted(text) + " is out of range"};
  std::size_t i = 19;
  int64_t frac = 0;
  if (i < text.size() && text[i] == '.') {
    ++i;
    int64_t scale = 100'000;
    std::size_t start = i;
    while (i < text.size() && is_digit(text[i])) {
      frac += (text[i] - '0') * scale;
      scale /= 10;
      ++i;
    }
    if (i == start) return fail();
  }
  int64_t offset_s = 0;
  if (i < text.size()) {
    if (text[i] == 'Z' && i + 1 == text.size()) {
      ++i;
    } else if ((text[i] == '+' || text[i] == '-') && i + 6 == text.size() && text[i + 3] == ':') {
      int oh = 0, om = 0;
      if (!field(i + 1, 2, oh) || !field(i + 4, 2, om) || oh > 14 || om > 59) return fail();
      offset_s = (oh * 3600 + om * 60) * (text[i] == '+' ? 1 : -1);
      i = text.size();
    } else {
      return fail();
    }
  }
  sys_days days{ymd};
  auto t = time_point_cast<microseconds>(days) + hours(h) + minutes(mi) + seconds(s) - seconds(offset_s) +
           microseconds(frac);
  return WallTime(t);
}

std::string format_datetime(WallTime t) {
  using namespace std::chrono;
  auto days = floor<std::chrono::days>(t);
  year_month_day ymd{days};
  hh_mm_ss<microseconds> hms{t - days};
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                static_cast<int>(hms.seconds().count()));
  std::string out = buf;
  if (auto us = hms.subseconds().count(); us != 0) {
    std::snprintf(buf, sizeof buf, ".%06lld", static_cast<long long>(us));
    out += buf;
  }
  return out + "Z";
}

std::string format_seconds(MediaTime d) {
  long long us = d.count();
  std::string sign = us < 0 ? "-" : "";
  unsigned long long a = us < 0 ? 0ULL - static_cast<unsigned long long>(us) : static_cast<unsigned long long>(us);
  std::string out = sign + std::to_string(a / 1'000'000);
  if (unsigned long long frac = a % 1'000'000; frac != 0) {
    char buf[16];
    std::snprintf(buf, sizeof buf, ".%06llu", frac);
    std::string f = buf;
    while (f.back() == '0') f.pop_back();
    out += f;
  }
  return out + "s";
}

MediaTime ticks_to_duration(uint64_t ticks, uint32_t timescale) {
  if (timescale == 0) return MediaTime(0);
  uint64_t whole = ticks / timescale;
  uint64_t rem = ticks % timescale;  // rem * 1e6 < 2^32 * 1e6 < 2^63
  uint64_t us_max = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
  if (whole > us_max / 1'000'000) return MediaTime::max();
  return MediaTime(static_cast<int64_t>(whole * 1'000'000 + rem * 1'000'000 / timescale));
}

uint64_t duration_to_ticks(MediaTime d, uint32_t timescale) {
  if (d.count() <= 0) return 0;
  uint64_t us = static_cast<uint64_t>(d.count());
  uint64_t whole = us / 1'000'000;
  uint64_t rem = us % 1'000'000;  // rem * timescale < 1e6 * 2^32 < 2^63
  if (whole > std::numeric_limits<uint64_t>::max() / timescale - 1) return std::numeric_limits<uint64_t>::max();
  return whole * timescale + rem * timescale / 1'000'000;
}

}  // namespace abrplay::manifest
