// open_sqlite_source (sql_source.h): the collector's SQLite file, read-only, through SQLite's C API.
#include <sqlite3.h>

#include <filesystem>

#include "sql_source.h"

namespace abrplay::fleet {
namespace {

class SqliteSource final : public SqlSource {
 public:
  SqliteSource(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  ~SqliteSource() override { sqlite3_close(db_); }
  SqliteSource(const SqliteSource&) = delete;
  SqliteSource& operator=(const SqliteSource&) = delete;

  Expected<std::vector<SqlRow>, std::string> query(const std::string& sql) override {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &st, nullptr) != SQLITE_OK) {
      std::string why = sqlite3_errmsg(db_);
      sqlite3_finalize(st);
      return Unexpected{why};
    }
    std::vector<SqlRow> rows;
    int rc = SQLITE_ROW;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
      const int n = sqlite3_column_count(st);
      SqlRow row(static_cast<std::size_t>(n));
      for (int i = 0; i < n; ++i) {
        if (sqlite3_column_type(st, i) == SQLITE_NULL) continue;
        const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(st, i));
        row[static_cast<std::size_t>(i)] = std::string(text ? text : "",
                                                       static_cast<std::size_t>(sqlite3_column_bytes(st, i)));
      }
      rows.push_back(std::move(row));
    }
    std::string why = rc == SQLITE_DONE ? std::string() : sqlite3_errmsg(db_);
    sqlite3_finalize(st);
    if (!why.empty()) return Unexpected{why};
    return rows;
  }

  std::string describe() const override { return "sqlite:" + path_; }

 private:
  sqlite3* db_;
  std::string path_;
};

}  // namespace

Expected<std::unique_ptr<SqlSource>, std::string> open_sqlite_source(const std::string& path) {
  // Opening read-only does not create a missing file; say so plainly rather than "unable to open".
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) return Unexpected{"sqlite:" + path + ": no such database file"};
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nullptr) != SQLITE_OK) {
    std::string why = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    return Unexpected{"sqlite:" + path + ": cannot open: " + why};
  }
  sqlite3_busy_timeout(db, 5000);
  return std::unique_ptr<SqlSource>(new SqliteSource(db, path));
}

}  // namespace abrplay::fleet
