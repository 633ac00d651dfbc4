// clickhouse_store.h: the collector's store for fleets, a ClickHouse server over its HTTP
// interface (clickhouse_http.h). The tables of store.h, with the same names and columns (ClickHouse
// types: String, Int64, Float64, Nullable(...) where SQLite allows NULL) plus `day` (Date, the UTC
// day the session started): ReplacingMergeTree, PARTITION BY day, ORDER BY the row's key
// ((session_id, seq) or (session_id, seq, idx)), so a row written twice collapses at a merge.
//
// Layout: without a cluster, the tables live in the URL's database. With `cluster` (a
// remote_servers entry of the server's config), each table is `<table>_local` in every shard's
// default_database, and the URL's database holds `<table>`, a Distributed table over them, sharded
// by cityHash64(session_id) (a session's rows stay together); queries and inserts name the
// Distributed tables. The collector creates the shard tables through its own URL, so every shard
// must be on that server (the demo's layout: two databases on one server); a shard elsewhere is an
// error at open.
//
// Rules (store.h) without transactions or unique keys: store() first asks, in one query for the
// whole batch, what its sessions already have (device, final report's seq, which of the batch's
// seqs), applies the rules in memory in payload order (session_rules.h), then INSERTs the new rows
// (JSONEachRow, one INSERT per table, Distributed inserts synchronous: insert_distributed_sync=1).
// The payloads rows, which the rules read, go last: a batch that fails halfway leaves no payloads
// row, so its retry stores it again (event rows written twice collapse at merges). One writer per
// database (the collector's writer thread): two collectors on one database could both store a
// payload new to each of them.
// Threading: one owner thread.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "clickhouse_http.h"
#include "store.h"

namespace abrplay::collector {

struct ClickHouseOptions {
  std::string url;      // http://host:port/database
  std::string cluster;  // "": plain tables in the database; else Distributed over the cluster's shards
};

class ClickHouseStore final : public Store {
 public:
  // Connects and creates the database and tables when absent; errors name the server and reason.
  static Expected<std::unique_ptr<ClickHouseStore>, std::string> open(const ClickHouseOptions& options);

  Expected<std::vector<PayloadResult>, std::string> store(const std::vector<nlohmann::json>& payloads,
                                                          const std::string& received) override;
  Expected<long long, std::string> count(const std::string& table) override;
  std::string describe() const override { return "clickhouse:" + http_->url(); }

 private:
  explicit ClickHouseStore(std::unique_ptr<ClickHouseHttp> http, std::string insert_settings)
      : http_(std::move(http)), insert_settings_(std::move(insert_settings)) {}
  std::unique_ptr<ClickHouseHttp> http_;
  std::string insert_settings_;
};

// Creates the database, the tables and (with a cluster) the shard tables; clickhouse_schema.cpp.
// The error, if any.
std::optional<std::string> create_clickhouse_schema(ClickHouseHttp& http, const std::string& cluster);

}  // namespace abrplay::collector
