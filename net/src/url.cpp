#include "abrplay/net/url.h"

#include "curl_handles.h"

namespace abrplay::net {
namespace {

NetError bad_url(std::string_view url, const std::string& why) {
  NetError e;
  e.code = NetErrorCode::kBadUrl;
  e.url = std::string(url);
  e.message = "bad URL '" + e.url + "': " + why;
  return e;
}

std::string get_part(CURLU* u, CURLUPart part) {
  char* raw = nullptr;
  if (curl_url_get(u, part, &raw, 0) != CURLUE_OK) return {};
  detail::CurlString owned(raw);
  return owned ? std::string(owned.get()) : std::string();
}

}  // namespace

Expected<UrlParts, NetError> parse_http_url(std::string_view url) {
  detail::UrlPtr u(curl_url());
  if (!u) return Unexpected{bad_url(url, "out of memory")};
  const std::string s(url);
  CURLUcode rc = curl_url_set(u.get(), CURLUPART_URL, s.c_str(), 0);
  if (rc != CURLUE_OK) return Unexpected{bad_url(url, curl_url_strerror(rc))};
  UrlParts parts{get_part(u.get(), CURLUPART_SCHEME), get_part(u.get(), CURLUPART_HOST),
                 get_part(u.get(), CURLUPART_PORT), get_part(u.get(), CURLUPART_PATH)};
  if (parts.scheme != "http" && parts.scheme != "https")
    return Unexpected{bad_url(url, "scheme '" + parts.scheme + "' is not http or https")};
  if (parts.host.empty()) return Unexpected{bad_url(url, "no host")};
  return parts;
}

Expected<std::string, NetError> resolve_url(std::string_view base, std::string_view reference) {
  detail::UrlPtr u(curl_url());
  if (!u) return Unexpected{bad_url(base, "out of memory")};
  const std::string b(base);
  const std::string r(reference);
  CURLUcode rc = curl_url_set(u.get(), CURLUPART_URL, b.c_str(), 0);
  if (rc != CURLUE_OK) return Unexpected{bad_url(base, curl_url_strerror(rc))};
  // Setting a URL on a handle that holds one resolves it as a relative reference.
  rc = curl_url_set(u.get(), CURLUPART_URL, r.c_str(), 0);
  if (rc != CURLUE_OK) return Unexpected{bad_url(r, std::string(curl_url_strerror(rc)) + " (base " + b + ")")};
  std::string out = get_part(u.get(), CURLUPART_URL);
  auto checked = parse_http_url(out);
  if (!checked) return Unexpected{checked.error()};
  return out;
}

std::string url_authority(std::string_view url) {
  auto parts = parse_http_url(url);
  if (!parts) return {};
  return parts->port.empty() ? parts->host : parts->host + ":" + parts->port;
}

}  // namespace abrplay::net
