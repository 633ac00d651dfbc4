// open_source (sql_source.h): an http(s) URL is a ClickHouse server, anything else an SQLite file.
#include "sql_source.h"

namespace abrplay::fleet {

Expected<std::unique_ptr<SqlSource>, std::string> open_source(const std::string& db_or_url) {
  if (db_or_url.rfind("http://", 0) == 0 || db_or_url.rfind("https://", 0) == 0)
    return open_clickhouse_source(db_or_url);
  return open_sqlite_source(db_or_url);
}

}  // namespace abrplay::fleet
