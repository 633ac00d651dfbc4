// A single blocking GET through a curl easy handle (see http_get.h).
#include "http_get.h"

#include <curl/curl.h>

#include "abrplay/core/unique_handle.h"

namespace abrplay::inspect {
namespace {

struct Sink {
  std::string* body;
  std::size_t max_bytes;
  bool too_large = false;
};

std::size_t on_data(char* data, std::size_t size, std::size_t n, void* user) {
  auto* sink = static_cast<Sink*>(user);
  std::size_t bytes = size * n;
  if (sink->body->size() + bytes > sink->max_bytes) {
    sink->too_large = true;
    return 0;  // aborts the transfer
  }
  sink->body->append(data, bytes);
  return bytes;
}

}  // namespace

Expected<HttpBody, std::string> http_get(const std::string& url, const std::optional<manifest::ByteRange>& range,
                                         std::size_t max_bytes) {
  UniqueHandle<CURL, curl_easy_cleanup> easy(curl_easy_init());
  if (!easy) return Unexpected{std::string("cannot create a curl handle")};
  HttpBody out;
  Sink sink{&out.body, max_bytes};
  std::string range_text = range ? range->to_string() : std::string();
  CURL* c = easy.get();
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(c, CURLOPT_MAXREDIRS, 5L);
  curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
  curl_easy_setopt(c, CURLOPT_USERAGENT, "abrplay-inspect");
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &sink);
  if (range) curl_easy_setopt(c, CURLOPT_RANGE, range_text.c_str());
  CURLcode rc = curl_easy_perform(c);
  if (sink.too_large) return Unexpected{url + ": response larger than " + std::to_string(max_bytes) + " bytes"};
  if (rc != CURLE_OK) return Unexpected{url + ": " + curl_easy_strerror(rc)};
  long status = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  if (status < 200 || status > 299) return Unexpected{url + ": HTTP status " + std::to_string(status)};
  if (range && status == 200) {  // the server ignored Range: keep the requested slice
    if (range->first >= out.body.size())
      return Unexpected{url + ": range " + range_text + " is beyond the " + std::to_string(out.body.size()) +
                        "-byte resource"};
    out.body = out.body.substr(static_cast<std::size_t>(range->first), static_cast<std::size_t>(range->size()));
  }
  char* effective = nullptr;
  curl_easy_getinfo(c, CURLINFO_EFFECTIVE_URL, &effective);
  out.effective_url = effective ? effective : url;
  return out;
}

}  // namespace abrplay::inspect
