// demo/inspect/http_get.h: one blocking HTTP GET with libcurl, for abrplay-inspect only.
//
// The library's net/ layer (asynchronous, one curl multi thread) is the real fetcher; this tool
// needs a single synchronous request, so it uses a curl easy handle directly, owned by RAII.
// Call curl_global_init() once in main() before use. Thread: the caller's.
#pragma once

#include <cstddef>
#include <optional>
#include <string>

#include "abrplay/core/expected.h"
#include "abrplay/player/manifest/model.h"

namespace abrplay::inspect {

struct HttpBody {
  std::string body;
  std::string effective_url;  // after redirects: the base for relative references
};

// GETs `url` (http/https only; at most 5 redirects; 30 s total timeout) and optionally a byte
// range. Error: one line naming the URL and what failed (curl error or HTTP status).
Expected<HttpBody, std::string> http_get(const std::string& url, const std::optional<manifest::ByteRange>& range,
                                         std::size_t max_bytes);

}  // namespace abrplay::inspect
