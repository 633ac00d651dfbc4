// ClickHouseHttp (clickhouse_http.h): libcurl POSTs; HTTP errors carry ClickHouse's message.
#include "clickhouse_http.h"

#include <curl/curl.h>

#include <algorithm>

namespace abrplay::collector {
namespace {

struct CurlDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};

std::size_t append(char* data, std::size_t size, std::size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

std::string escape(CURL* c, const std::string& s) {
  char* e = curl_easy_escape(c, s.data(), static_cast<int>(s.size()));
  std::string out = e ? e : "";
  curl_free(e);
  return out;
}

// ClickHouse's message, trimmed: the first line, without the stack trace some versions append.
std::string server_message(std::string body) {
  if (const auto nl = body.find('\n'); nl != std::string::npos) body.resize(nl);
  if (body.size() > 400) body = body.substr(0, 400) + "...";
  return body.empty() ? "(no message)" : body;
}

}  // namespace

struct ClickHouseHttp::Curl {
  std::unique_ptr<CURL, CurlDeleter> handle{curl_easy_init()};
};

ClickHouseHttp::ClickHouseHttp(std::string url, std::string base, std::string database)
    : url_(std::move(url)), base_(std::move(base)), database_(std::move(database)), curl_(std::make_unique<Curl>()) {}

ClickHouseHttp::~ClickHouseHttp() = default;

Expected<std::unique_ptr<ClickHouseHttp>, std::string> ClickHouseHttp::open(const std::string& url) {
  const auto scheme = url.find("://");
  const std::string s = scheme == std::string::npos ? "" : url.substr(0, scheme);
  if (s != "http" && s != "https")
    return Unexpected{"clickhouse '" + url + "': not an http:// or https:// URL (e.g. http://127.0.0.1:8123/abrplay)"};
  const auto slash = url.find('/', scheme + 3);
  std::string base = url.substr(0, slash);
  std::string db = slash == std::string::npos ? "" : url.substr(slash + 1);
  while (!db.empty() && db.back() == '/') db.pop_back();
  if (db.empty()) db = "default";
  const bool plain = std::all_of(db.begin(), db.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  });
  if (!plain || base.size() <= scheme + 3)
    return Unexpected{"clickhouse '" + url + "': expected http://host[:port][/database], the database a plain name"};
  std::unique_ptr<ClickHouseHttp> http(new ClickHouseHttp(url, base, db));
  if (!http->curl_->handle) return Unexpected{"clickhouse " + url + ": curl_easy_init failed"};
  return http;
}

Expected<std::string, std::string> ClickHouseHttp::run(const std::string& query, const std::string& data,
                                                       const std::string& settings) {
  CURL* c = curl_->handle.get();
  std::string target = base_ + "/?database=" + escape(c, database_);
  if (!data.empty()) target += "&query=" + escape(c, query);
  if (!settings.empty()) target += "&" + settings;
  return post(target, data.empty() ? query : data);
}

Expected<std::string, std::string> ClickHouseHttp::run_in_default(const std::string& query) {
  return post(base_ + "/", query);
}

Expected<std::string, std::string> ClickHouseHttp::post(const std::string& target, const std::string& body) {
  CURL* c = curl_->handle.get();
  std::string response;
  curl_easy_setopt(c, CURLOPT_URL, target.c_str());
  curl_easy_setopt(c, CURLOPT_POST, 1L);
  curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.data());
  curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, append);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &response);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  // A server that is down answers at once; one that hangs must not hold the writer (and with it
  // every client's request) for long: the clients get 503 and retry.
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, 2000L);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 30'000L);
  const CURLcode rc = curl_easy_perform(c);
  if (rc != CURLE_OK) return Unexpected{"clickhouse " + url_ + ": " + curl_easy_strerror(rc)};
  long status = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  if (status != 200)
    return Unexpected{"clickhouse " + url_ + ": HTTP " + std::to_string(status) + ": " + server_message(response)};
  return response;
}

std::string clickhouse_quote(const std::string& text) {
  std::string out = "'";
  for (char ch : text) {
    if (ch == '\\' || ch == '\'') out += '\\';
    out += ch;
  }
  return out + "'";
}

std::string tsv_unescape(const std::string& field) {
  std::string out;
  out.reserve(field.size());
  for (std::size_t i = 0; i < field.size(); ++i) {
    if (field[i] != '\\' || i + 1 == field.size()) {
      out += field[i];
      continue;
    }
    const char c = field[++i];
    switch (c) {
      case 't': out += '\t'; break;
      case 'n': out += '\n'; break;
      case 'r': out += '\r'; break;
      case 'b': out += '\b'; break;
      case 'f': out += '\f'; break;
      case '0': out += '\0'; break;
      default: out += c;  // \\ \' and any other escaped character stand for themselves
    }
  }
  return out;
}

}  // namespace abrplay::collector
