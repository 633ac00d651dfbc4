// collector.h: abrplay-collector's ingest (docs/telemetry.md, "Collector"): POST /telemetry takes
// a payload or a JSON array of them (the player's batch), as docs/telemetry.schema.json says.
//
//   200 {"stored": n, "duplicates": d}   every payload is committed to the store (or was already):
//                                        the answer comes only after the transaction commits, so a
//                                        payload acknowledged is never lost, even to kill -9
//   400 {"error": "..."}                 not JSON, not valid against the schema (the reason names
//                                        the field), or from the future (wall_time more than
//                                        max_clock_skew ahead of the collector's clock); nothing of
//                                        the body is stored
//   409 {"error": "...", "stored": n}    a payload the store refuses (a session id of another
//                                        device, a payload after the final report, a second final);
//                                        the others of the batch are stored
//   413                                  a body over max_body_bytes
//   503 + Retry-After                    the queue to the store is full (shed load), or the store
//                                        failed (a ClickHouse that is down, a disk that is full;
//                                        the error names the store and its reason): nothing of the
//                                        body is acknowledged; the player's reporter keeps the
//                                        payloads and sends them later
// One writer thread owns the Store (store.h: SQLite, or ClickHouse) and hands it whatever has
// queued up as one batch (one transaction in SQLite, one lookup and one INSERT per table in
// ClickHouse), so concurrent requests share commits (group commit).
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include "abrplay/core/expected.h"

namespace abrplay::collector {

struct CollectorConfig {
  std::string db_path;             // the SQLite file, when clickhouse_url is empty
  std::string clickhouse_url;      // http://host:port/database: the ClickHouse store
  std::string clickhouse_cluster;  // with clickhouse_url: Distributed tables over this cluster
  std::string host = "127.0.0.1";
  int port = 0;  // 0: an ephemeral port (see Collector::port())
  std::size_t max_body_bytes = 1u << 20;
  std::size_t max_queued_payloads = 20'000;
  std::size_t http_threads = 64;  // requests handled at once (each waits for its commit)
  // Payloads the writer hands to the store at once (one transaction; one INSERT per table in
  // ClickHouse, whose cost is mostly per INSERT: a new part per table).
  std::size_t max_group_payloads = 2000;
  std::chrono::seconds max_clock_skew{300};
};

class Collector {
 public:
  // Opens the store, starts the writer and the HTTP server. Errors: the database or the port.
  static Expected<std::unique_ptr<Collector>, std::string> start(const CollectorConfig& config);
  ~Collector();  // stops the server, then the writer after it has committed what was accepted
  Collector(const Collector&) = delete;
  Collector& operator=(const Collector&) = delete;

  int port() const;
  void wait();  // blocks until stop() (or a signal handler calling it)
  void stop();

 private:
  struct Impl;
  explicit Collector(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace abrplay::collector
