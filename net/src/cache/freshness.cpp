// net/src/cache/freshness.cpp: cache keys, and whether and for how long a response may be reused
// (RFC 9111 sections 3, 4.2); the FNV-1a hash of the disk tier.
#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <charconv>

#include "abrplay/net/cache.h"

namespace abrplay::net {

namespace {

using std::chrono::seconds;

// The headers a cache entry keeps: validators, freshness, and what a consumer reads of a body.
constexpr std::string_view kStoredHeaders[] = {"etag",          "last-modified", "cache-control", "expires",
                                               "age",           "date",          "content-type",  "content-range",
                                               "accept-ranges", "content-length"};
// RFC 9111 4.2.2: a heuristic lifetime is a fraction of the time since the last modification;
// 10% is the figure the RFC cites (and browsers use). A day at most, so an old file is rechecked.
constexpr double kHeuristicFraction = 0.1;
constexpr seconds kHeuristicMax{24 * 3600};

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::optional<std::string_view> find_header(const Headers& headers, std::string_view name) {
  for (const auto& [k, v] : headers) {
    if (k.size() == name.size() && lower(k) == name) return std::string_view(v);
  }
  return std::nullopt;
}

std::optional<std::int64_t> parse_seconds(std::string_view s) {
  s = trim(s);
  if (s.size() >= 2 && s.front() == '"' && s.back() == '"') s = s.substr(1, s.size() - 2);
  std::int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v < 0) return std::nullopt;
  return v;
}

std::optional<WallTime> parse_http_date(std::string_view s) {
  const std::string text(trim(s));
  const time_t t = curl_getdate(text.c_str(), nullptr);
  if (t < 0) return std::nullopt;
  return std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::system_clock::from_time_t(t));
}

struct Directives {
  bool no_store = false, no_cache = false;
  std::optional<std::int64_t> max_age;
};

Directives parse_cache_control(std::string_view value) {
  Directives d;
  while (!value.empty()) {
    const auto comma = value.find(',');
    const std::string_view item = trim(value.substr(0, comma));
    value = comma == std::string_view::npos ? std::string_view() : value.substr(comma + 1);
    const auto eq = item.find('=');
    const std::string name = lower(trim(item.substr(0, eq)));
    const std::string_view arg = eq == std::string_view::npos ? std::string_view() : item.substr(eq + 1);
    if (name == "no-store") d.no_store = true;
    if (name == "no-cache") d.no_cache = true;  // with a field list too: we keep no header apart
    if (name == "max-age") {
      // An invalid max-age makes the response stale (RFC 9111 4.2.1).
      d.max_age = parse_seconds(arg).value_or(0);
    }
  }
  return d;
}

seconds whole_seconds(std::chrono::microseconds d) {
  return std::chrono::duration_cast<seconds>(std::max(d, std::chrono::microseconds{0}));
}

}  // namespace

std::uint64_t fnv1a64(const void* data, std::size_t size, std::uint64_t seed) {
  const auto* p = static_cast<const unsigned char*>(data);
  std::uint64_t h = seed;
  for (std::size_t i = 0; i < size; ++i) {
    h ^= p[i];
    h *= 0x100000001b3ull;
  }
  return h;
}

std::string cache_key(std::string_view url, const std::optional<ByteRange>& range) {
  std::string_view u = url.substr(0, url.find('#'));
  std::string out;
  const auto q = u.find('?');
  if (q == std::string_view::npos) {
    out = std::string(u);
  } else {
    out = std::string(u.substr(0, q));
    std::string_view query = u.substr(q + 1);
    std::string kept;
    while (!query.empty()) {
      const auto amp = query.find('&');
      const std::string_view arg = query.substr(0, amp);
      query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
      if (arg.empty() || arg.substr(0, 5) == "CMCD=" || arg == "CMCD") continue;
      kept += (kept.empty() ? "" : "&") + std::string(arg);
    }
    if (!kept.empty()) out += "?" + kept;
  }
  if (range) out += " bytes=" + range->header_value();
  return out;
}

std::optional<std::string_view> CacheEntry::header(std::string_view name) const { return find_header(headers, name); }

seconds CacheEntry::age(WallTime now) const { return initial_age + whole_seconds(now - response_time); }

std::optional<CacheEntry> cacheable_entry(std::string key, int status, const Headers& headers, WallTime request_time,
                                          WallTime response_time) {
  if (status != 200 && status != 206) return std::nullopt;
  const Directives cc = parse_cache_control(find_header(headers, "cache-control").value_or(""));
  if (cc.no_store) return std::nullopt;
  CacheEntry e;
  e.key = std::move(key);
  e.status = status;
  for (const auto& [k, v] : headers) {
    const std::string name = lower(k);
    if (std::find(std::begin(kStoredHeaders), std::end(kStoredHeaders), name) != std::end(kStoredHeaders)) {
      e.headers.emplace_back(name, v);
    }
  }
  e.response_time = response_time;
  e.no_cache = cc.no_cache;
  // RFC 9111 4.2.3: corrected_initial_age = max(apparent_age, age_value + response_delay).
  const auto date = parse_http_date(find_header(headers, "date").value_or(""));
  const seconds age_value{parse_seconds(find_header(headers, "age").value_or("")).value_or(0)};
  const seconds apparent = date ? whole_seconds(response_time - *date) : seconds{0};
  e.initial_age = std::max(apparent, age_value + whole_seconds(response_time - request_time));
  if (cc.max_age) {
    e.lifetime = seconds{*cc.max_age};
  } else if (auto expires = find_header(headers, "expires")) {
    const auto exp = parse_http_date(*expires);  // an invalid Expires means already expired
    const WallTime base = date.value_or(response_time);
    e.lifetime = exp ? whole_seconds(*exp - base) : seconds{0};
  } else if (auto lm = find_header(headers, "last-modified")) {
    const auto modified = parse_http_date(*lm);
    const WallTime base = date.value_or(response_time);
    if (modified && *modified < base) {
      e.lifetime = std::min(kHeuristicMax, whole_seconds(std::chrono::duration_cast<std::chrono::microseconds>(
                                               (base - *modified) * kHeuristicFraction)));
    }
  }
  if ((e.no_cache || e.lifetime <= e.initial_age) && !e.revalidatable()) return std::nullopt;
  return e;
}

}  // namespace abrplay::net
