// create_clickhouse_schema (clickhouse_store.h): the DDL, idempotent (IF NOT EXISTS), run at open.
#include <sstream>

#include "clickhouse_store.h"

namespace abrplay::collector {
namespace {

struct TableDef {
  const char* name;
  const char* columns;  // the names of payload_rows.h, with ClickHouse types, then `day`
  const char* order_by;
};

constexpr TableDef kTableDefs[] = {
    {"payloads",
     "session_id String, seq Int64, event String, wall_time String, session_time_s Float64, started_s Float64, "
     "content_id String, device Nullable(String), abr Nullable(String), position_s Float64, state String, "
     "buffer_video_s Nullable(Float64), buffer_audio_s Nullable(Float64), video_id Nullable(String), "
     "video_kbps Nullable(Float64), video_height Nullable(Int64), throughput_kbps Nullable(Float64), "
     "cdn Nullable(String), dropped_frames Nullable(Int64), events_dropped Nullable(Int64), received String, day Date",
     "(session_id, seq)"},
    {"switches",
     "session_id String, seq Int64, idx Int64, t_s Float64, position_s Float64, from_id String, from_kbps Float64, "
     "to_id String, to_kbps Float64, to_height Nullable(Int64), reason String, day Date",
     "(session_id, seq, idx)"},
    {"stalls",
     "session_id String, seq Int64, idx Int64, start_s Float64, position_s Nullable(Float64), "
     "duration_s Nullable(Float64), day Date",
     "(session_id, seq, idx)"},
    {"errors",
     "session_id String, seq Int64, idx Int64, t_s Float64, code Int64, name String, message String, "
     "url Nullable(String), day Date",
     "(session_id, seq, idx)"},
    {"finals",
     "session_id String, seq Int64, end_reason String, startup_s Nullable(Float64), played_s Float64, "
     "average_bitrate_kbps Float64, rebuffer_count Int64, rebuffer_s Float64, rebuffer_ratio Float64, "
     "switch_count Int64, seek_count Int64, dropped_frames Int64, error_count Int64, qoe_lin Float64, "
     "bytes_downloaded Int64, library_version String, day Date",
     "(session_id, seq)"},
};

std::string create_table(const std::string& db, const std::string& name, const TableDef& t) {
  return "CREATE TABLE IF NOT EXISTS " + db + "." + name + " (" + t.columns +
         ") ENGINE = ReplacingMergeTree PARTITION BY day ORDER BY " + t.order_by;
}

struct Shard {
  std::string number, host, port, database, is_local;
};

bool loopback(const std::string& address) {
  return address.rfind("127.", 0) == 0 || address == "::1" || address == "::ffff:127.0.0.1";
}

}  // namespace

Expected<std::vector<std::string>, std::string> create_clickhouse_schema(ClickHouseHttp& http,
                                                                         const std::string& cluster) {
  const std::string& db = http.database();
  if (auto r = http.run_in_default("CREATE DATABASE IF NOT EXISTS " + db); !r) return Unexpected{r.error()};
  std::vector<std::string> shard_databases;
  if (cluster.empty()) {
    for (const TableDef& t : kTableDefs)
      if (auto r = http.run(create_table(db, t.name, t)); !r) return Unexpected{r.error()};
    return shard_databases;
  }
  auto listing = http.run(
      "SELECT shard_num, host_address, port, default_database, is_local FROM system.clusters WHERE cluster = " +
      clickhouse_quote(cluster) + " ORDER BY shard_num FORMAT TabSeparated");
  if (!listing) return Unexpected{listing.error()};
  std::vector<Shard> shards;
  std::istringstream lines(*listing);
  for (std::string line; std::getline(lines, line);) {
    std::istringstream fields(line);
    Shard s;
    std::getline(fields, s.number, '\t');
    std::getline(fields, s.host, '\t');
    std::getline(fields, s.port, '\t');
    std::getline(fields, s.database, '\t');
    std::getline(fields, s.is_local, '\t');
    shards.push_back(s);
  }
  const std::string where = "clickhouse " + http.url() + ": cluster '" + cluster + "'";
  if (shards.empty()) return Unexpected{where + " is not in the server's remote_servers"};
  for (const Shard& s : shards) {
    if (s.database.empty() || s.database == db)
      return Unexpected{where + ": shard " + s.number + " needs its own <default_database> (not '" + db + "')"};
    if (s.is_local != "1" && !loopback(s.host))
      return Unexpected{where + ": shard " + s.number + " (" + s.host + ":" + s.port +
                        ") is on another server; the collector writes only to shards on its own server"};
    shard_databases.push_back(s.database);
    if (auto r = http.run_in_default("CREATE DATABASE IF NOT EXISTS " + s.database); !r) return Unexpected{r.error()};
    for (const TableDef& t : kTableDefs)
      if (auto r = http.run(create_table(s.database, std::string(t.name) + "_local", t)); !r)
        return Unexpected{r.error()};
  }
  for (const TableDef& t : kTableDefs) {
    auto r = http.run("CREATE TABLE IF NOT EXISTS " + db + "." + t.name + " AS " + shards[0].database + "." + t.name +
                      "_local ENGINE = Distributed(" + cluster + ", '', " + t.name + "_local, cityHash64(session_id))");
    if (!r) return Unexpected{r.error()};
  }
  return shard_databases;
}

}  // namespace abrplay::collector
