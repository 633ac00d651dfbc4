// Store (store.h): SQLite through its C API, statements prepared per use and finalised by RAII.
#include "store.h"

#include <sqlite3.h>

#include <chrono>

#include "abrplay/player/manifest/time.h"

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

Json get(const Json& j, const char* key) { return j.contains(key) ? j[key] : Json(); }
Json get(const Json& j, const char* key, const char* sub) {
  return j.contains(key) && j[key].is_object() && j[key].contains(sub) ? j[key][sub] : Json();
}

// When the session began, in Unix seconds: the payload's wall_time less its session time (every
// payload of a session agrees, to the clock's precision). The schema's pattern guarantees the form.
double session_start_s(const Json& p) {
  const auto wall = manifest::parse_xs_datetime(p["wall_time"].get<std::string>());
  const double wall_s = wall ? std::chrono::duration<double>(wall->time_since_epoch()).count() : 0.0;
  return wall_s - p["session_time_s"].get<double>();
}

struct DbError {
  std::string message;
};

void must(Statement& st) {
  if (const int rc = st.step(); rc != SQLITE_DONE && rc != SQLITE_ROW) throw DbError{st.error()};
}

}  // namespace

Expected<std::unique_ptr<Store>, std::string> Store::open(const std::string& path) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr) !=
      SQLITE_OK) {
    std::string why = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    return Unexpected{path + ": cannot open: " + why};
  }
  std::unique_ptr<Store> store(new Store(db));
  // WAL: readers (the analytics) never block the writer; synchronous=NORMAL keeps every committed
  // transaction through a crash of the process (kill -9), fsyncing at checkpoints only.
  for (const char* sql :
       {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL", "PRAGMA busy_timeout=5000", kSchema}) {
    if (auto e = store->exec(sql)) return Unexpected{path + ": " + *e};
  }
  return store;
}

Store::~Store() { sqlite3_close(db_); }

std::optional<std::string> Store::exec(const char* sql) {
  char* msg = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &msg) == SQLITE_OK) return std::nullopt;
  std::string e = msg ? msg : sqlite3_errmsg(db_);
  sqlite3_free(msg);
  return e;
}

Expected<std::vector<PayloadResult>, std::string> Store::store(const std::vector<Json>& payloads,
                                                               const std::string& received) {
  if (auto e = exec("BEGIN IMMEDIATE")) return Unexpected{"begin: " + *e};
  std::vector<PayloadResult> out;
  try {
    for (const Json& p : payloads) out.push_back(store_one(p, received));
  } catch (const DbError& e) {
    (void)exec("ROLLBACK");
    return Unexpected{"store: " + e.message};
  }
  if (auto e = exec("COMMIT")) {
    (void)exec("ROLLBACK");
    return Unexpected{"commit: " + *e};
  }
  return out;
}

PayloadResult Store::store_one(const Json& p, const std::string& received) {
  const Json sid = p["session_id"];
  const long long seq = p["seq"].get<long long>();
  const bool is_final = p["event"] == "final";
  const Json device = p.value("device", std::string());  // heartbeats of older players carry none
  {
    Statement find(db_, "SELECT device, final_seq FROM sessions WHERE session_id = ?1");
    find.bind(sid);
    if (find.step() == SQLITE_ROW) {
      const std::string known = find.column_text(0);
      if (!known.empty() && !device.get<std::string>().empty() && known != device.get<std::string>())
        return {Outcome::kRejected, "session '" + sid.get<std::string>() + "' belongs to device '" + known +
                                        "', not '" + device.get<std::string>() + "'"};
      if (!find.column_null(1)) {
        const long long final_seq = find.column_int(1);
        if (seq == final_seq) return {Outcome::kDuplicate, ""};
        if (seq > final_seq)
          return {Outcome::kRejected, "seq " + std::to_string(seq) + " comes after the session's final report (seq " +
                                          std::to_string(final_seq) + ")"};
        if (is_final)
          return {Outcome::kRejected, "the session already has a final report (seq " + std::to_string(final_seq) + ")"};
      }
      if (known.empty() && !device.get<std::string>().empty()) {
        Statement set(db_, "UPDATE sessions SET device = ?2 WHERE session_id = ?1");
        set.bind(sid).bind(device);
        must(set);
      }
    } else {
      Statement add(db_, "INSERT INTO sessions (session_id, device, content_id, library_version, first_received) "
                         "VALUES (?1, ?2, ?3, ?4, ?5)");
      add.bind(sid).bind(device).bind(p["content_id"]).bind(get(p, "library_version")).bind(received);
      must(add);
    }
  }
  Statement row(db_,
                "INSERT OR IGNORE INTO payloads (session_id, seq, event, wall_time, session_time_s, started_s, "
                "content_id, device, abr, position_s, state, buffer_video_s, buffer_audio_s, video_id, video_kbps, "
                "video_height, throughput_kbps, cdn, dropped_frames, events_dropped, received) VALUES (?1, ?2, ?3, "
                "?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21)");
  row.bind(sid).bind(p["seq"]).bind(p["event"]).bind(p["wall_time"]).bind(p["session_time_s"]);
  row.bind(session_start_s(p)).bind(p["content_id"]).bind(get(p, "device")).bind(get(p, "abr"));
  row.bind(p["position_s"]);
  row.bind(p["state"]).bind(get(p, "buffer_s", "video")).bind(get(p, "buffer_s", "audio"));
  row.bind(get(p, "video", "id")).bind(get(p, "video", "bitrate_kbps")).bind(get(p, "video", "height"));
  row.bind(get(p, "throughput_kbps")).bind(get(p, "cdn")).bind(get(p, "dropped_frames"));
  row.bind(get(p, "events_dropped")).bind(received);
  must(row);
  if (sqlite3_changes(db_) == 0) return {Outcome::kDuplicate, ""};
  auto each = [&](const char* key, const char* sql, auto bind_row) {
    if (!p.contains(key)) return;
    long long idx = 0;
    for (const Json& e : p[key]) {
      Statement st(db_, sql);
      st.bind(sid).bind(p["seq"]).bind(idx++);
      bind_row(st, e);
      must(st);
    }
  };
  each("switches",
       "INSERT INTO switches (session_id, seq, idx, t_s, position_s, from_id, from_kbps, to_id, to_kbps, to_height, "
       "reason) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
       [](Statement& st, const Json& e) {
         st.bind(e["t_s"]).bind(e["position_s"]).bind(e["from"]["id"]).bind(e["from"]["bitrate_kbps"]);
         st.bind(e["to"]["id"]).bind(e["to"]["bitrate_kbps"]).bind(get(e, "to", "height")).bind(e["reason"]);
       });
  each("stalls",
       "INSERT INTO stalls (session_id, seq, idx, start_s, position_s, duration_s) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
       [](Statement& st, const Json& e) {
         st.bind(e["start_s"]).bind(get(e, "position_s")).bind(get(e, "duration_s"));
       });
  each("errors",
       "INSERT INTO errors (session_id, seq, idx, t_s, code, name, message, url) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, "
       "?8)",
       [](Statement& st, const Json& e) {
         st.bind(e["t_s"]).bind(e["code"]).bind(e["name"]).bind(e["message"]).bind(get(e, "url"));
       });
  if (is_final) {
    Statement f(
        db_, "INSERT INTO finals (session_id, seq, end_reason, startup_s, played_s, average_bitrate_kbps, "
             "rebuffer_count, rebuffer_s, rebuffer_ratio, switch_count, seek_count, dropped_frames, error_count, "
             "qoe_lin, bytes_downloaded, library_version) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, "
             "?13, ?14, ?15, ?16)");
    f.bind(sid).bind(p["seq"]).bind(p["end_reason"]).bind(get(p, "startup_s")).bind(p["played_s"]);
    f.bind(p["average_bitrate_kbps"]).bind(p["rebuffer_count"]).bind(p["rebuffer_s"]).bind(p["rebuffer_ratio"]);
    f.bind(p["switch_count"]).bind(p["seek_count"]).bind(p["dropped_frames"]).bind(p["error_count"]);
    f.bind(p["qoe_lin"]).bind(p["bytes_downloaded"]).bind(p["library_version"]);
    must(f);
    Statement end(db_, "UPDATE sessions SET final_seq = ?2 WHERE session_id = ?1");
    end.bind(sid).bind(p["seq"]);
    must(end);
  }
  return {Outcome::kStored, ""};
}

Expected<long long, std::string> Store::count(const std::string& table) {
  for (const char* t : {"sessions", "payloads", "switches", "stalls", "errors", "finals"}) {
    if (table != t) continue;
    Statement st(db_, ("SELECT COUNT(*) FROM " + table).c_str());
    if (st.step() != SQLITE_ROW) return Unexpected{st.error()};
    return st.column_int(0);
  }
  return Unexpected{"no table '" + table + "'"};
}

}  // namespace abrplay::collector
