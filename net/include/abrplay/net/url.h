// abrplay/net/url.h: URL checks and resolution through curl's CURLU parser (never hand-written).
#pragma once

#include <string>
#include <string_view>

#include "abrplay/core/expected.h"
#include "abrplay/net/error.h"

namespace abrplay::net {

struct UrlParts {
  std::string scheme;  // "http" or "https"
  std::string host;
  std::string port;  // empty when the URL has none
  std::string path;  // "/a/b.m4s" as written (percent-encoding kept), without query or fragment
};

// Parses an absolute URL and accepts only http and https. Errors are kBadUrl, naming the URL.
Expected<UrlParts, NetError> parse_http_url(std::string_view url);

// Resolves `reference` (absolute, or relative like "seg/1.m4s" or "../a") against `base`, as a
// browser resolves a link. The result must be http or https.
Expected<std::string, NetError> resolve_url(std::string_view base, std::string_view reference);

// "host" or "host:port" of an absolute URL, or "" if it does not parse; for logs and telemetry.
std::string url_authority(std::string_view url);

}  // namespace abrplay::net
