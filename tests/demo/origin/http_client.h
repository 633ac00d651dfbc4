// http_client.h: a minimal blocking libcurl client for the origin tests (net/ is not used, so
// these tests exercise the origin alone). RAII handles; one call per request; never throws.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <vector>

namespace abrplay::origin::test {

struct HttpRequest {
  explicit HttpRequest(std::string u) : url(std::move(u)) {}
  std::string url;
  std::string method = "GET";
  std::string body;                  // sent for POST
  std::vector<std::string> headers;  // "Name: value"
  std::string range;                 // "0-99" (without "bytes=")
  std::chrono::milliseconds timeout{20000};
};

struct HttpResult {
  int curl_code = 0;  // CURLE_OK (0) on a complete transfer
  long status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  // lower-case names
  double total_s = 0;                          // whole transfer
  double first_byte_s = 0;                     // time to the first response byte
  std::string error;                           // curl's message when curl_code != 0

  // A response header by lower-case name ("" when absent).
  std::string header(const std::string& name) const {
    const auto it = headers.find(name);
    return it == headers.end() ? std::string() : it->second;
  }
};

HttpResult http(const HttpRequest& request);
inline HttpResult http_get(const std::string& url) { return http(HttpRequest{url}); }
HttpResult http_post(const std::string& url, const std::string& body, std::vector<std::string> headers = {});

}  // namespace abrplay::origin::test
