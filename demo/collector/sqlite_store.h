// sqlite_store.h: the collector's default store, one SQLite file (store.h for the tables and
// rules). WAL, explicit column types (STRICT tables); a batch of payloads is one transaction. A
// `sessions` table (device, content, final report's seq) backs the rules. Every value is bound as
// a parameter: text that looks like SQL is stored as text. Statements are prepared once, when the
// store opens, and reused (preparing them per payload cost more than the inserts).
// Threading: one owner thread (the collector's writer).
#pragma once

#include <memory>
#include <string>

#include "store.h"

struct sqlite3;

namespace abrplay::collector {

class SqliteStore final : public Store {
 public:
  // Opens (creating when absent) the database at `path`; errors name the file and SQLite's reason.
  static Expected<std::unique_ptr<SqliteStore>, std::string> open(const std::string& path);
  ~SqliteStore() override;
  SqliteStore(const SqliteStore&) = delete;
  SqliteStore& operator=(const SqliteStore&) = delete;

  Expected<std::vector<PayloadResult>, std::string> store(const std::vector<nlohmann::json>& payloads,
                                                          const std::string& received) override;
  // The tables of store.h and "sessions".
  Expected<long long, std::string> count(const std::string& table) override;
  std::string describe() const override { return "sqlite:" + path_; }

 private:
  struct Statements;
  SqliteStore(sqlite3* db, std::string path);
  std::optional<std::string> exec(const char* sql);  // the error, if any
  PayloadResult store_one(const nlohmann::json& p, const std::string& received);
  sqlite3* db_;
  std::string path_;
  std::unique_ptr<Statements> st_;
};

}  // namespace abrplay::collector
