#include "abrplay/net/url.h"

#include <filesystem>
#include <system_error>

#include "curl_handles.h"

namespace abrplay::net {
namespace {

// Document text quoted in a message is cut here: a hostile MPD can hold megabyte-long URLs, and a
// message only has to say which one failed.
constexpr std::size_t kMaxQuoted = 200;

NetError url_error(std::string_view url, std::string message) {
  NetError e;
  e.code = NetErrorCode::kBadUrl;
  e.url = std::string(url);
  e.message = std::move(message);
  return e;
}

NetError bad_url(std::string_view url, const std::string& why) {
  return url_error(url, "bad URL '" + std::string(url) + "': " + why);
}

std::string cut(std::string_view s) {
  return std::string(s.substr(0, kMaxQuoted)) + (s.size() > kMaxQuoted ? "..." : "");
}

// The part as text, or curl's reason it has none.
Expected<std::string, CURLUcode> part_of(CURLU* u, CURLUPart part, unsigned int flags = 0) {
  char* raw = nullptr;
  if (CURLUcode rc = curl_url_get(u, part, &raw, flags); rc != CURLUE_OK) return Unexpected{rc};
  detail::CurlString owned(raw);
  return owned ? std::string(owned.get()) : std::string();
}

std::string get_part(CURLU* u, CURLUPart part) {
  auto text = part_of(u, part);
  return text ? std::move(*text) : std::string();
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

Expected<std::string, NetError> check_request_url(std::string_view url, FileAccess access) {
  detail::UrlPtr u(curl_url());
  if (!u) return Unexpected{bad_url(url, "out of memory")};
  const std::string s(url);
  // Any scheme parses, so that the refusal can name it.
  if (CURLUcode rc = curl_url_set(u.get(), CURLUPART_URL, s.c_str(), CURLU_NON_SUPPORT_SCHEME); rc != CURLUE_OK)
    return Unexpected{bad_url(url, curl_url_strerror(rc))};
  std::string scheme = get_part(u.get(), CURLUPART_SCHEME);
  if (scheme == "http" || scheme == "https") {
    if (get_part(u.get(), CURLUPART_HOST).empty()) return Unexpected{bad_url(url, "no host")};
    return scheme;
  }
  if (scheme == "file") {
    if (access != FileAccess::kAllowed)
      return Unexpected{url_error(url, cut(url) + ": refused: a file: URL may be read only for a manifest loaded from "
                                                  "file: (this request is for one loaded over http(s))")};
    const std::string host = get_part(u.get(), CURLUPART_HOST);
    if (!host.empty() && host != "localhost")
      return Unexpected{bad_url(url, "a file: URL names a host ('" + host + "'); only local files are read")};
    return scheme;
  }
  return Unexpected{bad_url(url, "scheme '" + scheme + "' is not http or https" +
                                     (access == FileAccess::kAllowed ? " or file" : ""))};
}

FileAccess file_access_for(std::string_view document_url) {
  detail::UrlPtr u(curl_url());
  const std::string s(document_url);
  if (!u || curl_url_set(u.get(), CURLUPART_URL, s.c_str(), 0) != CURLUE_OK) return FileAccess::kRefused;
  return get_part(u.get(), CURLUPART_SCHEME) == "file" ? FileAccess::kAllowed : FileAccess::kRefused;
}

bool is_absolute_url(std::string_view text) {
  detail::UrlPtr u(curl_url());
  const std::string s(text);
  return u && curl_url_set(u.get(), CURLUPART_URL, s.c_str(), CURLU_NON_SUPPORT_SCHEME) == CURLUE_OK;
}

Expected<std::string, NetError> url_from_argument(std::string_view text) {
  if (text.empty()) return Unexpected{bad_url(text, "empty")};
  if (is_absolute_url(text)) return std::string(text);
  return file_url(text);
}

Expected<std::string, NetError> resolve_url(std::string_view base, std::string_view reference, FileAccess access) {
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
  auto checked = check_request_url(out, access);
  if (!checked) return Unexpected{checked.error()};
  return out;
}

Expected<std::string, NetError> resolve_reference(std::string_view base, std::string_view reference) {
  if (base.empty()) return std::string(reference);
  detail::UrlPtr u(curl_url());
  if (!u) return Unexpected{url_error(reference, "out of memory creating a URL handle")};
  // Any scheme (file:// for a local MPD); non-URL-safe bytes are percent-encoded, not refused.
  constexpr unsigned int kFlags = CURLU_NON_SUPPORT_SCHEME | CURLU_URLENCODE;
  const std::string b(base);
  if (CURLUcode rc = curl_url_set(u.get(), CURLUPART_URL, b.c_str(), kFlags); rc != CURLUE_OK)
    return Unexpected{url_error(base, "base URL '" + cut(base) + "' is invalid: " + curl_url_strerror(rc))};
  const std::string r(reference);
  if (!r.empty()) {
    // Setting a URL on a handle that holds one resolves it as a relative reference.
    if (CURLUcode rc = curl_url_set(u.get(), CURLUPART_URL, r.c_str(), kFlags); rc != CURLUE_OK)
      return Unexpected{url_error(reference, "URL '" + cut(reference) + "' relative to '" + cut(base) +
                                                 "' is invalid: " + curl_url_strerror(rc))};
  }
  auto out = part_of(u.get(), CURLUPART_URL);
  if (!out)
    return Unexpected{
        url_error(reference, "URL '" + cut(reference) + "' cannot be resolved: " + curl_url_strerror(out.error()))};
  return std::move(*out);
}

Expected<std::string, NetError> file_url(std::string_view path) {
  std::error_code ec;
  const std::filesystem::path abs = std::filesystem::absolute(std::filesystem::path(path), ec);
  if (ec) return Unexpected{url_error(path, "cannot make '" + cut(path) + "' absolute: " + ec.message())};
  detail::UrlPtr u(curl_url());
  if (!u) return Unexpected{url_error(path, "out of memory creating a URL handle")};
  std::string generic = abs.generic_string();
  if (generic.empty() || generic.front() != '/') generic.insert(generic.begin(), '/');
  curl_url_set(u.get(), CURLUPART_SCHEME, "file", 0);
  if (CURLUcode rc = curl_url_set(u.get(), CURLUPART_PATH, generic.c_str(), CURLU_URLENCODE); rc != CURLUE_OK)
    return Unexpected{url_error(path, "cannot make a file URL of '" + cut(path) + "': " + curl_url_strerror(rc))};
  auto out = part_of(u.get(), CURLUPART_URL);
  if (!out)
    return Unexpected{
        url_error(path, "cannot make a file URL of '" + cut(path) + "': " + curl_url_strerror(out.error()))};
  return std::move(*out);
}

Expected<std::string, NetError> file_url_path(std::string_view url) {
  detail::UrlPtr u(curl_url());
  if (!u) return Unexpected{bad_url(url, "out of memory")};
  const std::string s(url);
  if (CURLUcode rc = curl_url_set(u.get(), CURLUPART_URL, s.c_str(), 0); rc != CURLUE_OK)
    return Unexpected{bad_url(url, curl_url_strerror(rc))};
  if (const std::string scheme = get_part(u.get(), CURLUPART_SCHEME); scheme != "file")
    return Unexpected{bad_url(url, "scheme '" + scheme + "' is not file")};
  auto path = part_of(u.get(), CURLUPART_PATH, CURLU_URLDECODE);
  if (!path) return Unexpected{bad_url(url, std::string("no path: ") + curl_url_strerror(path.error()))};
  return std::move(*path);
}

std::string redact_url(std::string_view url) {
  const std::string text(url);
  detail::UrlPtr u(curl_url());
  if (u && curl_url_set(u.get(), CURLUPART_URL, text.c_str(), 0) == CURLUE_OK) {
    // Setting a part to nullptr clears it.
    curl_url_set(u.get(), CURLUPART_USER, nullptr, 0);
    curl_url_set(u.get(), CURLUPART_PASSWORD, nullptr, 0);
    curl_url_set(u.get(), CURLUPART_OPTIONS, nullptr, 0);
    curl_url_set(u.get(), CURLUPART_QUERY, nullptr, 0);
    curl_url_set(u.get(), CURLUPART_FRAGMENT, nullptr, 0);
    if (auto out = part_of(u.get(), CURLUPART_URL)) return std::move(*out);
  }
  return text.substr(0, text.find_first_of("?#"));
}

Expected<std::string, NetError> append_query(std::string_view url, std::string_view key, std::string_view value) {
  if (key.empty() || key.find('=') != std::string_view::npos)
    return Unexpected{bad_url(url, "query key '" + cut(key) + "' is empty or holds '='")};
  detail::UrlPtr u(curl_url());
  if (!u) return Unexpected{bad_url(url, "out of memory")};
  const std::string text(url);
  if (CURLUcode rc = curl_url_set(u.get(), CURLUPART_URL, text.c_str(), 0); rc != CURLUE_OK)
    return Unexpected{bad_url(url, curl_url_strerror(rc))};
  // With CURLU_APPENDQUERY | CURLU_URLENCODE, curl adds the '&', keeps the first '=' (the key's
  // separator) and encodes everything else.
  const std::string arg = std::string(key) + "=" + std::string(value);
  if (CURLUcode rc = curl_url_set(u.get(), CURLUPART_QUERY, arg.c_str(), CURLU_APPENDQUERY | CURLU_URLENCODE);
      rc != CURLUE_OK)
    return Unexpected{
        bad_url(url, std::string("cannot add the query argument '") + cut(key) + "': " + curl_url_strerror(rc))};
  auto out = part_of(u.get(), CURLUPART_URL);
  if (!out) return Unexpected{bad_url(url, std::string("cannot rebuild it: ") + curl_url_strerror(out.error()))};
  return std::move(*out);
}

std::string url_authority(std::string_view url) {
  auto parts = parse_http_url(url);
  if (!parts) return {};
  return parts->port.empty() ? parts->host : parts->host + ":" + parts->port;
}

}  // namespace abrplay::net
