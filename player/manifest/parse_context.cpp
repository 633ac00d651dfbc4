// Attribute helpers of the MPD parser (see parse_context.h).
#include "parse_context.h"

#include <charconv>
#include <cmath>
#include <limits>

namespace abrplay::manifest::detail {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\n' || s.front() == '\r'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

std::string shown(std::string_view s) { return "'" + std::string(s.substr(0, 64)) + (s.size() > 64 ? "...'" : "'"); }

template <typename T>
bool parse_int(std::string_view s, T& out) {
  s = trim(s);
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && ptr == s.data() + s.size() && !s.empty();
}

}  // namespace

std::string_view local_name(const char* name) {
  std::string_view n(name);
  if (std::size_t colon = n.rfind(':'); colon != std::string_view::npos) n.remove_prefix(colon + 1);
  return n;
}

template <typename T>
bool ParseContext::parse_integer(std::string_view text, T& out) {
  return parse_int(text, out);
}
template bool ParseContext::parse_integer<uint64_t>(std::string_view, uint64_t&);
template bool ParseContext::parse_integer<int64_t>(std::string_view, int64_t&);

void ParseContext::fail(ErrorCode code, const std::string& path, std::string message) {
  if (!error_) error_ = Error{code, path + ": " + message};
}

void ParseContext::warn(const std::string& path, const std::string& message) {
  if (warnings_.size() < kMaxWarnings) {
    warnings_.push_back(path + ": " + message + "; ignored");
  } else {
    ++warnings_dropped_;
  }
}

std::vector<std::string> ParseContext::take_warnings() {
  std::vector<std::string> out = std::move(warnings_);
  if (warnings_dropped_ > 0) out.push_back(std::to_string(warnings_dropped_) + " more warnings not listed");
  warnings_.clear();
  warnings_dropped_ = 0;
  return out;
}

void ParseContext::bad(Need need, ErrorCode code, const std::string& path, const std::string& message) {
  if (need == Need::kOptional) {
    warn(path, message);
  } else {
    fail(code, path, message);
  }
}

pugi::xml_attribute ParseContext::attr(pugi::xml_node node, std::string_view name) {
  for (pugi::xml_attribute a = node.first_attribute(); a; a = a.next_attribute()) {
    std::string_view full(a.name());
    if (full == name) return a;
    if (full.rfind("xmlns", 0) != 0 && local_name(a.name()) == name) return a;
  }
  return {};
}

std::string ParseContext::str(pugi::xml_node node, std::string_view name) const {
  pugi::xml_attribute a = attr(node, name);
  return a ? std::string(trim(a.value())) : std::string();
}

std::optional<std::string> ParseContext::opt_str(pugi::xml_node node, std::string_view name) const {
  pugi::xml_attribute a = attr(node, name);
  if (!a) return std::nullopt;
  return std::string(a.value());
}

template <typename T>
std::optional<T> ParseContext::integer(pugi::xml_node node, std::string_view name, const std::string& path,
                                       const char* what, Need need) {
  pugi::xml_attribute a = attr(node, name);
  if (!a) return std::nullopt;
  T v = 0;
  if (!parse_int(a.value(), v)) {
    bad(need, ErrorCode::kManifestInvalidValue, path + "@" + std::string(name), shown(a.value()) + " is not " + what);
    return std::nullopt;
  }
  return v;
}

std::optional<uint64_t> ParseContext::u64(pugi::xml_node node, std::string_view name, const std::string& path,
                                          Need need) {
  return integer<uint64_t>(node, name, path, "an unsigned 64-bit integer", need);
}

std::optional<uint32_t> ParseContext::u32(pugi::xml_node node, std::string_view name, const std::string& path,
                                          Need need) {
  return integer<uint32_t>(node, name, path, "an unsigned 32-bit integer", need);
}

std::optional<int64_t> ParseContext::i64(pugi::xml_node node, std::string_view name, const std::string& path,
                                         Need need) {
  return integer<int64_t>(node, name, path, "a 64-bit integer", need);
}

std::optional<double> ParseContext::real(pugi::xml_node node, std::string_view name, const std::string& path,
                                         Need need) {
  pugi::xml_attribute a = attr(node, name);
  if (!a) return std::nullopt;
  std::string_view s = trim(a.value());
  if (s == "INF") return std::numeric_limits<double>::infinity();
  double v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size() || s.empty() || !std::isfinite(v)) {
    bad(need, ErrorCode::kManifestInvalidValue, path + "@" + std::string(name), shown(s) + " is not a number");
    return std::nullopt;
  }
  return v;
}

std::optional<bool> ParseContext::boolean(pugi::xml_node node, std::string_view name, const std::string& path,
                                          Need need) {
  pugi::xml_attribute a = attr(node, name);
  if (!a) return std::nullopt;
  std::string_view s = trim(a.value());
  if (s == "true" || s == "1") return true;
  if (s == "false" || s == "0") return false;
  // segmentAlignment/subsegmentAlignment also allow a group number (ISO/IEC 23009-1 5.3.3.2).
  uint64_t group = 0;
  if (parse_int(s, group)) return true;
  bad(need, ErrorCode::kManifestInvalidValue, path + "@" + std::string(name), shown(s) + " is not a boolean");
  return std::nullopt;
}

std::optional<MediaTime> ParseContext::duration(pugi::xml_node node, std::string_view name, const std::string& path,
                                                Need need) {
  pugi::xml_attribute a = attr(node, name);
  if (!a) return std::nullopt;
  auto d = parse_iso8601_duration(a.value());
  if (!d) {
    bad(need, ErrorCode::kManifestInvalidValue, path + "@" + std::string(name), d.error());
    return std::nullopt;
  }
  return *d;
}

std::optional<WallTime> ParseContext::datetime(pugi::xml_node node, std::string_view name, const std::string& path,
                                               Need need) {
  pugi::xml_attribute a = attr(node, name);
  if (!a) return std::nullopt;
  auto t = parse_xs_datetime(a.value());
  if (!t) {
    bad(need, ErrorCode::kManifestInvalidValue, path + "@" + std::string(name), t.error());
    return std::nullopt;
  }
  return *t;
}

std::optional<ByteRange> ParseContext::range(pugi::xml_node node, std::string_view name, const std::string& path,
                                             Need need) {
  pugi::xml_attribute a = attr(node, name);
  if (!a) return std::nullopt;
  std::string_view s = trim(a.value());
  std::size_t dash = s.find('-');
  ByteRange r;
  if (dash == std::string_view::npos || !parse_int(s.substr(0, dash), r.first) ||
      !parse_int(s.substr(dash + 1), r.last) || r.last < r.first) {
    bad(need, ErrorCode::kManifestInvalidValue, path + "@" + std::string(name),
        shown(s) + " is not a byte range 'first-last'");
    return std::nullopt;
  }
  return r;
}

std::optional<FrameRate> ParseContext::frame_rate(pugi::xml_node node, std::string_view name, const std::string& path,
                                                  Need need) {
  pugi::xml_attribute a = attr(node, name);
  if (!a) return std::nullopt;
  std::string_view s = trim(a.value());
  FrameRate fr;
  std::size_t slash = s.find('/');
  bool ok = slash == std::string_view::npos
                ? parse_int(s, fr.num)
                : parse_int(s.substr(0, slash), fr.num) && parse_int(s.substr(slash + 1), fr.den);
  if (!ok || fr.den == 0) {
    bad(need, ErrorCode::kManifestInvalidValue, path + "@" + std::string(name),
        shown(s) + " is not a frame rate 'N' or 'N/D'");
    return std::nullopt;
  }
  return fr;
}

bool ParseContext::require(pugi::xml_node node, std::string_view name, const std::string& path) {
  if (attr(node, name)) return true;
  fail(ErrorCode::kManifestMissingAttribute, path + "@" + std::string(name), "required attribute is missing");
  return false;
}

std::vector<pugi::xml_node> ParseContext::children(pugi::xml_node node, std::string_view name) {
  std::vector<pugi::xml_node> out;
  for (pugi::xml_node c = node.first_child(); c; c = c.next_sibling())
    if (c.type() == pugi::node_element && local_name(c.name()) == name) out.push_back(c);
  return out;
}

pugi::xml_node ParseContext::child(pugi::xml_node node, std::string_view name) {
  for (pugi::xml_node c = node.first_child(); c; c = c.next_sibling())
    if (c.type() == pugi::node_element && local_name(c.name()) == name) return c;
  return {};
}

Descriptor ParseContext::descriptor(pugi::xml_node node) const {
  return Descriptor{str(node, "schemeIdUri"), str(node, "value"), str(node, "id")};
}

std::vector<Descriptor> ParseContext::descriptors(pugi::xml_node node, std::string_view name) const {
  std::vector<Descriptor> out;
  for (pugi::xml_node c : children(node, name)) out.push_back(descriptor(c));
  return out;
}

std::vector<BaseUrl> ParseContext::base_urls(pugi::xml_node node, const std::string& path) {
  std::vector<BaseUrl> out;
  std::size_t i = 0;
  for (pugi::xml_node c : children(node, "BaseURL")) {
    std::string p = path + "/BaseURL[" + std::to_string(i++) + "]";
    BaseUrl b;
    b.url = std::string(trim(c.text().get()));
    b.service_location = str(c, "serviceLocation");
    // DVB's CDN choice and the early availability are hints: without them the URL still works.
    b.dvb_priority = u32(c, "priority", p, Need::kOptional).value_or(1);
    b.dvb_weight = u32(c, "weight", p, Need::kOptional).value_or(1);
    b.availability_time_offset_s = real(c, "availabilityTimeOffset", p, Need::kOptional);
    out.push_back(std::move(b));
  }
  return out;
}

std::vector<ContentProtection> ParseContext::content_protection(pugi::xml_node node) const {
  std::vector<ContentProtection> out;
  for (pugi::xml_node c : children(node, "ContentProtection")) {
    ContentProtection cp;
    cp.scheme_id_uri = str(c, "schemeIdUri");
    cp.value = str(c, "value");
    cp.default_kid = str(c, "default_KID");
    cp.has_pssh = static_cast<bool>(child(c, "pssh"));
    out.push_back(std::move(cp));
  }
  return out;
}

std::vector<InbandEventStream> ParseContext::inband_event_streams(pugi::xml_node node) const {
  std::vector<InbandEventStream> out;
  for (pugi::xml_node c : children(node, "InbandEventStream"))
    out.push_back(InbandEventStream{str(c, "schemeIdUri"), str(c, "value")});
  return out;
}

}  // namespace abrplay::manifest::detail
