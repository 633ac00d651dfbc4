// clickhouse_http.h: a client of a ClickHouse server's HTTP interface (libcurl, one keep-alive
// connection), shared by the collector's ClickHouse store and the analytics' ClickHouse source.
// The URL names the server and the database: "http://127.0.0.1:8123/abrplay" (no path: "default").
// Errors name the server and say why: "clickhouse http://127.0.0.1:8123/abrplay: Couldn't connect
// to server" (libcurl's reason) or "...: HTTP 500: Code: 60, e.displayText() = DB::Exception: ...".
// Threading: one thread at a time (a libcurl easy handle).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "abrplay/core/expected.h"

namespace abrplay::collector {

class ClickHouseHttp {
 public:
  // Checks the URL's form (no I/O): http(s)://host[:port][/database], database a plain identifier.
  static Expected<std::unique_ptr<ClickHouseHttp>, std::string> open(const std::string& url);
  ~ClickHouseHttp();
  ClickHouseHttp(const ClickHouseHttp&) = delete;
  ClickHouseHttp& operator=(const ClickHouseHttp&) = delete;

  // Runs `query` in the URL's database; the response body on HTTP 200. With `data` the query goes
  // in the URL and `data` is the POST body (an INSERT's rows); without, the query is the body.
  // `settings`: extra URL parameters, "name=value&name=value" (ClickHouse settings).
  Expected<std::string, std::string> run(const std::string& query, const std::string& data = {},
                                         const std::string& settings = {});

  // Several statements at once, each on its own connection (kept alive between calls): INSERTs into
  // different tables. Returns the first error, if any (the others may have succeeded).
  struct Request {
    std::string query, data, settings;  // as run()'s
  };
  std::optional<std::string> run_concurrently(const std::vector<Request>& requests);

  // The same, in the server's default database (CREATE DATABASE of the URL's own database).
  Expected<std::string, std::string> run_in_default(const std::string& query);

  const std::string& url() const { return url_; }
  const std::string& database() const { return database_; }

 private:
  struct Curl;
  ClickHouseHttp(std::string url, std::string base, std::string database);
  Expected<std::string, std::string> post(const std::string& target_url, const std::string& body);
  std::string target(const std::string& query, const std::string& data, const std::string& settings);
  void prepare(void* handle, const std::string& target_url, const std::string& body, std::string& response);
  std::optional<std::string> outcome(void* handle, int code, const std::string& response) const;
  std::string url_, base_, database_;
  std::unique_ptr<Curl> curl_;
};

// `text` as a ClickHouse string literal, quotes included: 'it\'s'.
std::string clickhouse_quote(const std::string& text);

// A TabSeparated field with its escapes undone (\t \n \\ \' \0 ...).
std::string tsv_unescape(const std::string& field);

}  // namespace abrplay::collector
