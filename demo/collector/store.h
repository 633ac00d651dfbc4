// store.h: the collector's SQLite store (docs/telemetry.md, "Collector"). One file, WAL, explicit
// column types (STRICT tables); a batch of payloads is one transaction.
//
// Tables: sessions (one row per session: device, content, whether and when it ended: the
// consistency rules below), payloads (one row per heartbeat or final report, keyed by
// (session_id, seq): the idempotency key; each carries the session's dimensions: start time,
// content, device, ABR algorithm, CDN), switches, stalls, errors (one row per event, keyed by
// payload and position), finals (the final report's figures and library version). The analytics
// (abrplay-report --fleet) reads only the append-only tables, so a ClickHouse store can hold the
// same columns. Every value is bound as a parameter: text that looks like SQL is stored as
// text.
// Rules, applied in the transaction (a rejected payload leaves nothing behind):
//   - (session_id, seq) seen before: a duplicate, acknowledged and not stored again;
//   - a session id already used by another device: rejected;
//   - a payload after the session's final report (higher seq), or a second final report: rejected.
// Threading: one owner thread (the collector's writer).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "abrplay/core/expected.h"

struct sqlite3;

namespace abrplay::collector {

enum class Outcome { kStored, kDuplicate, kRejected };

struct PayloadResult {
  Outcome outcome = Outcome::kStored;
  std::string reason;  // for kRejected
};

class Store {
 public:
  // Opens (creating when absent) the database at `path`; errors name the file and SQLite's reason.
  static Expected<std::unique_ptr<Store>, std::string> open(const std::string& path);
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // Stores payloads (each already valid against the schema) in one transaction. `received` is the
  // receive time (ISO 8601). On a database error nothing of the batch is stored.
  Expected<std::vector<PayloadResult>, std::string> store(const std::vector<nlohmann::json>& payloads,
                                                          const std::string& received);

  // Rows in a table (tests and the load figures).
  Expected<long long, std::string> count(const std::string& table);

 private:
  explicit Store(sqlite3* db) : db_(db) {}
  std::optional<std::string> exec(const char* sql);  // the error, if any
  PayloadResult store_one(const nlohmann::json& p, const std::string& received);
  sqlite3* db_;
};

}  // namespace abrplay::collector
