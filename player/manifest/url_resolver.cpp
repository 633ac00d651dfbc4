// URL resolution with curl's CURLU API (see url_resolver.h).
#include "abrplay/player/manifest/url_resolver.h"

#include <curl/curl.h>

#include "curl_handles.h"

#include <filesystem>
#include <memory>
#include <system_error>

namespace abrplay::manifest {
namespace {

using net::detail::CurlString;
using CurluPtr = net::detail::UrlPtr;

std::string short_text(std::string_view s) {
  return std::string(s.substr(0, 200)) + (s.size() > 200 ? "..." : "");
}

}  // namespace

Expected<std::string, std::string> resolve_url(std::string_view base, std::string_view reference) {
  if (base.empty()) return std::string(reference);
  CurluPtr u(curl_url());
  if (!u) return Unexpected{std::string("out of memory creating a URL handle")};
  // Non-URL-safe bytes (spaces in a manifest's path) are percent-encoded rather than refused.
  constexpr unsigned int kFlags = CURLU_NON_SUPPORT_SCHEME | CURLU_URLENCODE;
  std::string b(base);
  if (CURLUcode rc = curl_url_set(u.get(), CURLUPART_URL, b.c_str(), kFlags); rc != CURLUE_OK)
    return Unexpected{"base URL '" + short_text(base) + "' is invalid: " + curl_url_strerror(rc)};
  std::string r(reference);
  if (!r.empty()) {
    if (CURLUcode rc = curl_url_set(u.get(), CURLUPART_URL, r.c_str(), kFlags); rc != CURLUE_OK)
      return Unexpected{"URL '" + short_text(reference) + "' relative to '" + short_text(base) +
                        "' is invalid: " + curl_url_strerror(rc)};
  }
  char* out = nullptr;
  if (CURLUcode rc = curl_url_get(u.get(), CURLUPART_URL, &out, 0); rc != CURLUE_OK)
    return Unexpected{"URL '" + short_text(reference) + "' cannot be resolved: " +
                      curl_url_strerror(rc)};
  CurlString owned(out);
  return std::string(owned.get());
}

Expected<std::string, std::string> file_path_to_url(std::string_view path) {
  std::error_code ec;
  std::filesystem::path abs = std::filesystem::absolute(std::filesystem::path(path), ec);
  if (ec) return Unexpected{"cannot make '" + short_text(path) + "' absolute: " + ec.message()};
  CurluPtr u(curl_url());
  if (!u) return Unexpected{std::string("out of memory creating a URL handle")};
  std::string generic = abs.generic_string();
  if (generic.empty() || generic.front() != '/') generic.insert(generic.begin(), '/');
  curl_url_set(u.get(), CURLUPART_SCHEME, "file", 0);
  if (CURLUcode rc = curl_url_set(u.get(), CURLUPART_PATH, generic.c_str(), CURLU_URLENCODE);
      rc != CURLUE_OK)
    return Unexpected{"cannot make a file URL of '" + short_text(path) + "': " + curl_url_strerror(rc)};
  char* out = nullptr;
  if (CURLUcode rc = curl_url_get(u.get(), CURLUPART_URL, &out, 0); rc != CURLUE_OK)
    return Unexpected{"cannot make a file URL of '" + short_text(path) + "': " + curl_url_strerror(rc)};
  CurlString owned(out);
  return std::string(owned.get());
}

}  // namespace abrplay::manifest
