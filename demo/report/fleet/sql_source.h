// sql_source.h: a read-only SQL connection for the fleet analytics (abrplay-report --fleet): the
// collector's SQLite file, or a ClickHouse server over HTTP. The analytics sends the same SQL text
// to both (docs/telemetry.md, "Fleet analytics"), so queries keep to what both dialects share:
// SELECT, WHERE, GROUP BY, COUNT/MIN/MAX/SUM, no joins.
// Values come back as text (SQLite's text form of a column; ClickHouse's TabSeparated field),
// nullopt for NULL; the caller converts.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "abrplay/core/expected.h"

namespace abrplay::fleet {

using SqlRow = std::vector<std::optional<std::string>>;

class SqlSource {
 public:
  virtual ~SqlSource() = default;
  // Every row of a SELECT; errors name the store and its reason.
  virtual Expected<std::vector<SqlRow>, std::string> query(const std::string& sql) = 0;
  // "sqlite:/path/to/file" or "clickhouse:http://host:port/database", for reports.
  virtual std::string describe() const = 0;
};

// An SQLite database file, opened read-only (the collector may be writing it: WAL lets both run).
Expected<std::unique_ptr<SqlSource>, std::string> open_sqlite_source(const std::string& path);

// A ClickHouse server's HTTP interface, e.g. "http://127.0.0.1:8123/abrplay" (the path names the
// database). Implemented in clickhouse_source.cpp.
Expected<std::unique_ptr<SqlSource>, std::string> open_clickhouse_source(const std::string& url);

// "http://..." or "https://...": ClickHouse; anything else: an SQLite file.
Expected<std::unique_ptr<SqlSource>, std::string> open_source(const std::string& db_or_url);

}  // namespace abrplay::fleet
