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

struct MultiDeleter {
  void operator()(CURLM* m) const { curl_multi_cleanup(m); }
};
struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

}  // namespace

struct ClickHouseHttp::Curl {
  std::unique_ptr<CURL, CurlDeleter> handle{curl_easy_init()};
  std::vector<std::unique_ptr<CURL, CurlDeleter>> pool;  // run_concurrently's connections
  std::unique_ptr<CURLM, MultiDeleter> multi{curl_multi_init()};
  std::unique_ptr<curl_slist, SlistDeleter> no_expect{curl_slist_append(nullptr, "Expect:")};
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

std::string ClickHouseHttp::target(const std::string& query, const std::string& data, const std::string& settings) {
  CURL* c = curl_->handle.get();
  std::string t = base_ + "/?database=" + escape(c, database_);
  if (!data.empty()) t += "&query=" + escape(c, query);
  if (!settings.empty()) t += "&" + settings;
  return t;
}

void ClickHouseHttp::prepare(void* handle, const std::string& target, const std::string& body, std::string& response) {
  CURL* c = handle;
  curl_easy_setopt(c, CURLOPT_URL, target.c_str());
  curl_easy_setopt(c, CURLOPT_POST, 1L);
  curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.data());
  curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, append);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &response);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  // No "Expect: 100-continue" on large bodies: a round trip saved per INSERT.
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, curl_->no_expect.get());
  // A server that is down answers at once; one that hangs must not hold the writer (and with it
  // every client's request) for long: the clients get 503 and retry.
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, 2000L);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 30'000L);
}

std::optional<std::string> ClickHouseHttp::outcome(void* handle, int code, const std::string& response) const {
  if (code != CURLE_OK) return "clickhouse " + url_ + ": " + curl_easy_strerror(static_cast<CURLcode>(code));
  long status = 0;
  curl_easy_getinfo(static_cast<CURL*>(handle), CURLINFO_RESPONSE_CODE, &status);
  if (status != 200) return "clickhouse " + url_ + ": HTTP " + std::to_string(status) + ": " + server_message(response);
  return std::nullopt;
}

Expected<std::string, std::string> ClickHouseHttp::run(const std::string& query, const std::string& data,
                                                       const std::string& settings) {
  return post(target(query, data, settings), data.empty() ? query : data);
}

Expected<std::string, std::string> ClickHouseHttp::run_in_default(const std::string& query) {
  return post(base_ + "/", query);
}

Expected<std::string, std::string> ClickHouseHttp::post(const std::string& target_url, const std::string& body) {
  CURL* c = curl_->handle.get();
  std::string response;
  prepare(c, target_url, body, response);
  const CURLcode rc = curl_easy_perform(c);
  if (auto e = outcome(c, rc, response)) return Unexpected{*e};
  return response;
}

std::optional<std::string> ClickHouseHttp::run_concurrently(const std::vector<Request>& requests) {
  while (curl_->pool.size() < requests.size()) {
    curl_->pool.emplace_back(curl_easy_init());
    if (!curl_->pool.back()) return "clickhouse " + url_ + ": curl_easy_init failed";
  }
  CURLM* multi = curl_->multi.get();
  std::vector<std::string> targets(requests.size()), responses(requests.size());
  std::vector<int> codes(requests.size(), CURLE_OK);
  for (std::size_t i = 0; i < requests.size(); ++i) {
    const Request& r = requests[i];
    targets[i] = target(r.query, r.data, r.settings);
    prepare(curl_->pool[i].get(), targets[i], r.data.empty() ? r.query : r.data, responses[i]);
    curl_easy_setopt(curl_->pool[i].get(), CURLOPT_PRIVATE, reinterpret_cast<void*>(i));
    curl_multi_add_handle(multi, curl_->pool[i].get());
  }
  for (int running = 1; running > 0;) {
    if (curl_multi_perform(multi, &running) != CURLM_OK) break;
    if (running > 0) curl_multi_poll(multi, nullptr, 0, 1000, nullptr);
  }
  int left = 0;
  while (CURLMsg* m = curl_multi_info_read(multi, &left)) {
    if (m->msg != CURLMSG_DONE) continue;
    void* index = nullptr;
    curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, &index);
    codes[reinterpret_cast<std::size_t>(index)] = m->data.result;
  }
  std::optional<std::string> first;
  for (std::size_t i = 0; i < requests.size(); ++i) {
    curl_multi_remove_handle(multi, curl_->pool[i].get());
    if (auto e = outcome(curl_->pool[i].get(), codes[i], responses[i]); e && !first) first = e;
  }
  return first;
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
