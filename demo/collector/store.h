// store.h: where the collector's payloads go (docs/telemetry.md, "Collector"): an SQLite file
// (sqlite_store.h, the default) or a ClickHouse server (clickhouse_store.h). The collector's HTTP
// and validation code talks only to this interface.
//
// Both stores keep the same append-only tables with the same names and columns, so the fleet
// analytics sends the same SQL to either: payloads (one row per heartbeat or final report, keyed
// by (session_id, seq): the idempotency key; each carries the session's dimensions: start time,
// content, device, ABR algorithm, CDN), switches, stalls, errors (one row per event, keyed by
// payload and position), finals (the final report's figures and library version).
// Rules, the same in both stores and with the same reasons (a rejected payload leaves nothing
// behind):
//   - (session_id, seq) seen before: a duplicate, acknowledged and not stored again;
//   - a session id already used by another device: rejected;
//   - a payload after the session's final report (higher seq), or a second final report: rejected.
// Threading: one owner thread (the collector's writer).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "abrplay/core/expected.h"

namespace abrplay::collector {

enum class Outcome { kStored, kDuplicate, kRejected };

struct PayloadResult {
  Outcome outcome = Outcome::kStored;
  std::string reason;  // for kRejected
};

class Store {
 public:
  virtual ~Store() = default;

  // Stores payloads (each already valid against the schema), in order. `received` is the receive
  // time (ISO 8601). On success every payload of kStored is in the store (durably: the caller may
  // acknowledge it). On an error (naming the store and its reason) nothing may be acknowledged;
  // the client retries and the idempotency rule keeps the retry from double-counting.
  virtual Expected<std::vector<PayloadResult>, std::string> store(const std::vector<nlohmann::json>& payloads,
                                                                  const std::string& received) = 0;

  // Rows in one of the tables above (tests and the load figures).
  virtual Expected<long long, std::string> count(const std::string& table) = 0;

  // "sqlite:/path" or "clickhouse:http://host:port/db", for messages.
  virtual std::string describe() const = 0;
};

// The tables count() accepts.
inline constexpr const char* kStoreTables[] = {"payloads", "switches", "stalls", "errors", "finals"};

// When the session began, in Unix seconds: the payload's wall_time less its session time (every
// payload of a session agrees, to the clock's precision).
double session_start_s(const nlohmann::json& payload);

}  // namespace abrplay::collector
