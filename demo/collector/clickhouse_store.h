// clickhouse_store.h: the collector's store for fleets, a ClickHouse server over its HTTP
// interface (clickhouse_http.h). The tables of store.h, with the same names and columns (ClickHouse
// types: String, Int64, Float64, Nullable(...) where SQLite allows NULL) plus `day` (Date, the UTC
// day the session started): ReplacingMergeTree, PARTITION BY day, ORDER BY the row's key
// ((session_id, seq) or (session_id, seq, idx)), so a row written twice collapses at a merge.
//
// Layout: without a cluster, the tables live in the URL's database. With `cluster` (a
// remote_servers entry of the server's config), each table is `<table>_local` in every shard's
// default_database, and the URL's database holds `<table>`, a Distributed table over them (sharding
// key cityHash64(session_id) for other writers); queries name the Distributed tables. The
// collector writes each session's rows straight into one shard's local tables (FNV-1a of the
// session id: a session's rows stay together), all shards and tables at once, so a batch costs
// two round trips of INSERTs, not one per table through the Distributed engine's forwarding. It
// creates and writes the shard tables through its own URL, so every shard must be on that server
// (the demo's layout: two databases on one server); a shard elsewhere is an error at open.
//
// Rules (store.h) without transactions or unique keys: store() first asks, in one query for the
// whole batch, what its sessions already have (device, final report's seq, which of the batch's
// seqs), applies the rules in memory in payload order (session_rules.h), then INSERTs the new rows
// (JSONEachRow, one INSERT per table and shard, concurrently; an answer of 200 means the rows are
// in the table). The payloads rows, which the rules read, go last, after the event rows: a batch that fails halfway leaves no payloads
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
  ClickHouseStore(std::unique_ptr<ClickHouseHttp> http, std::vector<std::string> shard_databases)
      : http_(std::move(http)), shards_(std::move(shard_databases)) {}
  std::unique_ptr<ClickHouseHttp> http_;
  std::vector<std::string> shards_;  // empty: plain tables in the URL's database
};

// Creates the database, the tables and (with a cluster) the shard tables; returns the shards'
// databases in shard order (none without a cluster). clickhouse_schema.cpp.
Expected<std::vector<std::string>, std::string> create_clickhouse_schema(ClickHouseHttp& http,
                                                                         const std::string& cluster);

}  // namespace abrplay::collector
