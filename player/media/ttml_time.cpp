// TTML time expressions (TTML1 10.3.1) -> microseconds.
#include <cctype>
#include <cmath>

#include "text_samples.h"

namespace abrplay::media {
namespace {

// Beyond a century a time is corrupt (as sane_time in the decode thread); it also keeps every
// intermediate value far from the range of long double's exact integers.
constexpr long double kMaxSeconds = 100.0L * 365 * 24 * 3600;
// 18 digits fit in an unsigned 64-bit integer with room to spare.
constexpr std::size_t kMaxDigits = 18;

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Reads 1..kMaxDigits digits at `pos`; false when there are none or too many.
bool read_digits(std::string_view s, std::size_t& pos, std::uint64_t& value, std::size_t* count = nullptr) {
  const std::size_t start = pos;
  value = 0;
  while (pos < s.size() && is_digit(s[pos])) {
    if (pos - start == kMaxDigits) return false;
    value = value * 10 + static_cast<std::uint64_t>(s[pos] - '0');
    ++pos;
  }
  if (count != nullptr) *count = pos - start;
  return pos > start;
}

// ".ddd" at `pos` (the dot included) as a fraction; 0 when absent.
bool read_fraction(std::string_view s, std::size_t& pos, long double& fraction) {
  fraction = 0;
  if (pos >= s.size() || s[pos] != '.') return true;
  ++pos;
  std::uint64_t digits = 0;
  std::size_t count = 0;
  if (!read_digits(s, pos, digits, &count)) return false;
  fraction = static_cast<long double>(digits) / std::pow(10.0L, static_cast<long double>(count));
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::optional<long double> clock_time(std::string_view s, const TtmlTimeParams& p) {
  std::size_t pos = 0;
  std::uint64_t h = 0, m = 0, sec = 0;
  if (!read_digits(s, pos, h) || pos >= s.size() || s[pos++] != ':') return std::nullopt;
  if (!read_digits(s, pos, m) || m > 59 || pos >= s.size() || s[pos++] != ':') return std::nullopt;
  if (!read_digits(s, pos, sec) || sec > 60) return std::nullopt;  // 60: a leap second
  long double seconds = static_cast<long double>(h) * 3600 + static_cast<long double>(m) * 60 + sec;
  if (pos < s.size() && s[pos] == ':') {  // frames, optionally sub-frames
    ++pos;
    std::uint64_t frames = 0, sub = 0;
    if (!read_digits(s, pos, frames)) return std::nullopt;
    if (pos < s.size() && s[pos] == '.') {
      ++pos;
      if (!read_digits(s, pos, sub)) return std::nullopt;
    }
    seconds += (static_cast<long double>(frames) + static_cast<long double>(sub) / p.sub_frame_rate) / p.frame_rate;
  } else {
    long double fraction = 0;
    if (!read_fraction(s, pos, fraction)) return std::nullopt;
    seconds += fraction;
  }
  if (pos != s.size()) return std::nullopt;
  return seconds;
}

std::optional<long double> offset_time(std::string_view s, const TtmlTimeParams& p) {
  std::size_t pos = 0;
  std::uint64_t count = 0;
  long double fraction = 0;
  if (!read_digits(s, pos, count) || !read_fraction(s, pos, fraction)) return std::nullopt;
  const long double v = static_cast<long double>(count) + fraction;
  const std::string_view metric = s.substr(pos);
  if (metric == "h") return v * 3600;
  if (metric == "m") return v * 60;
  if (metric == "s") return v;
  if (metric == "ms") return v / 1000;
  if (metric == "f") return v / p.frame_rate;
  if (metric == "t") return v / p.tick_rate;
  return std::nullopt;
}

}  // namespace

std::optional<std::chrono::microseconds> parse_ttml_time(std::string_view text, const TtmlTimeParams& params) {
  const auto valid_rate = [](double r) { return std::isfinite(r) && r > 0; };
  if (!valid_rate(params.frame_rate) || !valid_rate(params.sub_frame_rate) || !valid_rate(params.tick_rate)) {
    return std::nullopt;
  }
  const std::string_view s = trim(text);
  if (s.empty()) return std::nullopt;
  const auto seconds = s.find(':') != std::string_view::npos ? clock_time(s, params) : offset_time(s, params);
  if (!seconds || !std::isfinite(*seconds) || *seconds < 0 || *seconds > kMaxSeconds) return std::nullopt;
  return std::chrono::microseconds{std::llroundl(*seconds * 1'000'000)};
}

}  // namespace abrplay::media
