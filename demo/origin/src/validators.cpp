#include "validators.h"

#include <cstdint>
#include <cstdio>

namespace abrplay::origin {

namespace {

std::string hex(std::uint64_t v) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%llx", static_cast<unsigned long long>(v));
  return buf;
}

std::uint64_t fnv1a(std::string_view s, std::uint64_t h = 0xcbf29ce484222325ull) {
  for (unsigned char c : s) {
    h ^= c;
    h *= 0x100000001b3ull;
  }
  return h;
}

std::string_view trim_ows(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string_view opaque(std::string_view tag) { return tag.substr(0, 2) == "W/" ? tag.substr(2) : tag; }

}  // namespace

std::string file_etag(const std::filesystem::path& path) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) return {};
  const auto mtime = std::filesystem::last_write_time(path, ec);
  if (ec) return {};
  const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(mtime.time_since_epoch()).count();
  return "\"" + hex(size) + "-" + hex(static_cast<std::uint64_t>(ns)) + "\"";
}

std::string mpd_etag(std::string_view mpd_text) {
  std::uint64_t h = 0xcbf29ce484222325ull;
  constexpr std::string_view kAttr = "publishTime=\"";
  const auto at = mpd_text.find(kAttr);
  if (at == std::string_view::npos) {
    h = fnv1a(mpd_text, h);
  } else {
    const auto value = at + kAttr.size();
    const auto end = mpd_text.find('"', value);
    h = fnv1a(mpd_text.substr(0, value), h);
    if (end != std::string_view::npos) h = fnv1a(mpd_text.substr(end), h);
  }
  return "W/\"" + hex(h) + "\"";
}

bool etag_matches(std::string_view if_none_match, std::string_view etag) {
  if (etag.empty()) return false;
  if (trim_ows(if_none_match) == "*") return true;
  while (!if_none_match.empty()) {
    const auto comma = if_none_match.find(',');
    const std::string_view tag = trim_ows(if_none_match.substr(0, comma));
    if (!tag.empty() && opaque(tag) == opaque(etag)) return true;
    if (comma == std::string_view::npos) break;
    if_none_match.remove_prefix(comma + 1);
  }
  return false;
}

}  // namespace abrplay::origin
