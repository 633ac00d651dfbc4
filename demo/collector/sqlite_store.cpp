// SqliteStore (sqlite_store.h): SQLite through its C API, statements prepared once and finalised by RAII.
#include "sqlite_store.h"

#include <sqlite3.h>

#include "payload_rows.h"
#include "session_rules.h"

namespace abrplay::collector {
namespace {

using Json = nlohmann::json;

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS sessions (
  session_id TEXT PRIMARY KEY, device TEXT NOT NULL, content_id TEXT NOT NULL, library_version TEXT,
  first_received TEXT NOT NULL, final_seq INTEGER) STRICT;
CREATE TABLE IF NOT EXISTS payloads (
  session_id TEXT NOT NULL, seq INTEGER NOT NULL, event TEXT NOT NULL, wall_time TEXT NOT NULL,
  session_time_s REAL NOT NULL, started_s REAL NOT NULL, content_id TEXT NOT NULL, device TEXT, abr TEXT,
  position_s REAL NOT NULL, state TEXT NOT NULL,
  buffer_video_s REAL, buffer_audio_s REAL, video_id TEXT, video_kbps REAL, video_height INTEGER,
  throughput_kbps REAL, cdn TEXT, dropped_frames INTEGER, events_dropped INTEGER, received TEXT NOT NULL,
  PRIMARY KEY (session_id, seq)) STRICT;
CREATE TABLE IF NOT EXISTS switches (
  session_id TEXT NOT NULL, seq INTEGER NOT NULL, idx INTEGER NOT NULL, t_s REAL NOT NULL,
  position_s REAL NOT NULL, from_id TEXT NOT NULL, from_kbps REAL NOT NULL, to_id TEXT NOT NULL,
  to_kbps REAL NOT NULL, to_height INTEGER, reason TEXT NOT NULL, PRIMARY KEY (session_id, seq, idx)) STRICT;
CREATE TABLE IF NOT EXISTS stalls (
  session_id TEXT NOT NULL, seq INTEGER NOT NULL, idx INTEGER NOT NULL, start_s REAL NOT NULL,
  position_s REAL, duration_s REAL, PRIMARY KEY (session_id, seq, idx)) STRICT;
CREATE TABLE IF NOT EXISTS errors (
  session_id TEXT NOT NULL, seq INTEGER NOT NULL, idx INTEGER NOT NULL, t_s REAL NOT NULL,
  code INTEGER NOT NULL, name TEXT NOT NULL, message TEXT NOT NULL, url TEXT,
  PRIMARY KEY (session_id, seq, idx)) STRICT;
CREATE TABLE IF NOT EXISTS finals (
  session_id TEXT PRIMARY KEY, seq INTEGER NOT NULL, end_reason TEXT NOT NULL, startup_s REAL,
  played_s REAL NOT NULL, average_bitrate_kbps REAL NOT NULL, rebuffer_count INTEGER NOT NULL,
  rebuffer_s REAL NOT NULL, rebuffer_ratio REAL NOT NULL, switch_count INTEGER NOT NULL,
  seek_count INTEGER NOT NULL, dropped_frames INTEGER NOT NULL, error_count INTEGER NOT NULL,
  qoe_lin REAL NOT NULL, bytes_downloaded INTEGER NOT NULL, library_version TEXT NOT NULL) STRICT;
)sql";

// One prepared statement, bound by position from 1, finalised with the object.
class Statement {
 public:
  Statement(sqlite3* db, const char* sql) : db_(db) {
    ok_ = sqlite3_prepare_v2(db, sql, -1, &st_, nullptr) == SQLITE_OK;
  }
  bool ok() const { return ok_; }
  // Ready for new bindings (the previous ones cleared).
  Statement& reset() {
    sqlite3_reset(st_);
    sqlite3_clear_bindings(st_);
    n_ = 0;
    return *this;
  }
  ~Statement() { sqlite3_finalize(st_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& bind(const Json& v) {
    ++n_;
    if (v.is_null()) {
      sqlite3_bind_null(st_, n_);
    } else if (v.is_number_integer() || v.is_boolean()) {
      sqlite3_bind_int64(st_, n_, v.get<long long>());
    } else if (v.is_number()) {
      sqlite3_bind_double(st_, n_, v.get<double>());
    } else if (v.is_string()) {
      const auto& s = v.get_ref<const std::string&>();
      sqlite3_bind_text(st_, n_, s.data(), static_cast<int>(s.size()), SQLITE_TRANSIENT);
    } else {
      const std::string s = v.dump();
      sqlite3_bind_text(st_, n_, s.data(), static_cast<int>(s.size()), SQLITE_TRANSIENT);
    }
    return *this;
  }
  // SQLITE_ROW or SQLITE_DONE on success.
  int step() { return ok_ ? sqlite3_step(st_) : SQLITE_ERROR; }
  long long column_int(int i) const { return sqlite3_column_int64(st_, i); }
  bool column_null(int i) const { return sqlite3_column_type(st_, i) == SQLITE_NULL; }
  std::string column_text(int i) const {
    const auto* t = sqlite3_column_text(st_, i);
    return t ? reinterpret_cast<const char*>(t) : "";
  }
  std::string error() const { return sqlite3_errmsg(db_); }

 private:
  sqlite3* db_;
  sqlite3_stmt* st_ = nullptr;
  bool ok_ = false;
  int n_ = 0;
};

struct DbError {
  std::string message;
};

void must(Statement& st) {
  if (const int rc = st.step(); rc != SQLITE_DONE && rc != SQLITE_ROW) throw DbError{st.error()};
}

std::string insert_sql(Table t, const char* verb) {
  std::string sql = std::string(verb) + " INTO " + table_name(t) + " (";
  std::string values;
  int n = 0;
  for (const char* c : table_columns(t)) {
    sql += (n ? ", " : "") + std::string(c);
    values += (n ? ", ?" : "?") + std::to_string(n + 1);
    ++n;
  }
  return sql + ") VALUES (" + values + ")";
}

}  // namespace

// Every statement the store runs, prepared once.
struct SqliteStore::Statements {
  explicit Statements(sqlite3* db)
      : find(db, "SELECT device, final_seq FROM sessions WHERE session_id = ?1"),
        set_device(db, "UPDATE sessions SET device = ?2 WHERE session_id = ?1"),
        add_session(db, "INSERT INTO sessions (session_id, device, content_id, library_version, first_received) "
                        "VALUES (?1, ?2, ?3, ?4, ?5)"),
        set_final(db, "UPDATE sessions SET final_seq = ?2 WHERE session_id = ?1"),
        payload(db, insert_sql(Table::kPayloads, "INSERT OR IGNORE").c_str()),
        switches(db, insert_sql(Table::kSwitches, "INSERT").c_str()),
        stalls(db, insert_sql(Table::kStalls, "INSERT").c_str()),
        errors(db, insert_sql(Table::kErrors, "INSERT").c_str()),
        finals(db, insert_sql(Table::kFinals, "INSERT").c_str()) {}
  Statement* all[9] = {&find, &set_device, &add_session, &set_final, &payload, &switches, &stalls, &errors, &finals};
  Statement find, set_device, add_session, set_final, payload, switches, stalls, errors, finals;
  Statement& insert(Table t) {
    switch (t) {
      case Table::kSwitches: return switches;
      case Table::kStalls: return stalls;
      case Table::kErrors: return errors;
      case Table::kFinals: return finals;
      case Table::kPayloads: break;
    }
    return payload;
  }
};

SqliteStore::SqliteStore(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}

Expected<std::unique_ptr<SqliteStore>, std::string> SqliteStore::open(const std::string& path) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr) !=
      SQLITE_OK) {
    std::string why = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    return Unexpected{path + ": cannot open: " + why};
  }
  std::unique_ptr<SqliteStore> store(new SqliteStore(db, path));
  // WAL: readers (the analytics) never block the writer; synchronous=NORMAL keeps every committed
  // transaction through a crash of the process (kill -9), fsyncing at checkpoints only.
  for (const char* sql :
       {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL", "PRAGMA busy_timeout=5000", kSchema}) {
    if (auto e = store->exec(sql)) return Unexpected{path + ": " + *e};
  }
  store->st_ = std::make_unique<Statements>(db);
  for (const Statement* st : store->st_->all)
    if (!st->ok()) return Unexpected{path + ": cannot prepare a statement: " + st->error()};
  return store;
}

SqliteStore::~SqliteStore() {
  st_.reset();  // statements first: sqlite3_close fails while any is unfinalised
  sqlite3_close(db_);
}

std::optional<std::string> SqliteStore::exec(const char* sql) {
  char* msg = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &msg) == SQLITE_OK) return std::nullopt;
  std::string e = msg ? msg : sqlite3_errmsg(db_);
  sqlite3_free(msg);
  return e;
}

Expected<std::vector<PayloadResult>, std::string> SqliteStore::store(const std::vector<Json>& payloads,
                                                                     const std::string& received) {
  if (auto e = exec("BEGIN IMMEDIATE")) return Unexpected{describe() + ": begin: " + *e};
  std::vector<PayloadResult> out;
  try {
    for (const Json& p : payloads) out.push_back(store_one(p, received));
  } catch (const DbError& e) {
    (void)exec("ROLLBACK");
    return Unexpected{describe() + ": store: " + e.message};
  }
  if (auto e = exec("COMMIT")) {
    (void)exec("ROLLBACK");
    return Unexpected{describe() + ": commit: " + *e};
  }
  return out;
}

PayloadResult SqliteStore::store_one(const Json& p, const std::string& received) {
  const Json sid = p["session_id"];
  const long long seq = p["seq"].get<long long>();
  const bool is_final = p["event"] == "final";
  const std::string device = p.value("device", std::string());  // heartbeats of older players carry none
  {
    Statement& find = st_->find.reset();
    find.bind(sid);
    const int rc = find.step();
    if (rc == SQLITE_ROW) {
      const std::string known = find.column_text(0);
      const std::optional<long long> final_seq = find.column_null(1) ? std::nullopt
                                                                     : std::optional<long long>(find.column_int(1));
      find.reset();
      if (auto verdict = judge_known_session(sid.get<std::string>(), known, final_seq, device, seq, is_final))
        return *verdict;
      if (known.empty() && !device.empty()) must(st_->set_device.reset().bind(sid).bind(device));
    } else if (rc == SQLITE_DONE) {
      find.reset();
      must(st_->add_session.reset()
               .bind(sid)
               .bind(device)
               .bind(p["content_id"])
               .bind(p.value("library_version", Json()))
               .bind(received));
    } else {
      throw DbError{find.error()};
    }
  }
  Statement& row = st_->payload.reset();
  for (const Json& v : payload_row(p, received)) row.bind(v);
  must(row);
  if (sqlite3_changes(db_) == 0) return {Outcome::kDuplicate, ""};
  for (Table t : {Table::kSwitches, Table::kStalls, Table::kErrors, Table::kFinals}) {
    for (const Row& r : event_rows(t, p)) {
      Statement& st = st_->insert(t).reset();
      for (const Json& v : r) st.bind(v);
      must(st);
    }
  }
  if (is_final) must(st_->set_final.reset().bind(sid).bind(p["seq"]));
  return {Outcome::kStored, ""};
}

Expected<long long, std::string> SqliteStore::count(const std::string& table) {
  for (const char* t : {"sessions", "payloads", "switches", "stalls", "errors", "finals"}) {
    if (table != t) continue;
    Statement st(db_, ("SELECT COUNT(*) FROM " + table).c_str());
    if (st.step() != SQLITE_ROW) return Unexpected{describe() + ": " + st.error()};
    return st.column_int(0);
  }
  return Unexpected{describe() + ": no table '" + table + "'"};
}

}  // namespace abrplay::collector
