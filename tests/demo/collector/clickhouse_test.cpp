// abrplay-collector on ClickHouse: a private clickhouse-server (clickhouse_server.h, started once
// for this binary), the real collector binary ingesting over HTTP into Distributed tables over
// two shards, the same rules and answers as on SQLite, the same analytic queries giving the same
// rows on both stores, and a server that goes down answering 503 + Retry-After.
#include <catch2/catch.hpp>

#include <httplib.h>
#include <signal.h>
#include <spawn.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <thread>

#include "clickhouse_http.h"
#include "clickhouse_server.h"
#include "collector.h"
#include "ingest.h"
#include "run_tool.h"
#include "sample_sessions.h"
#include "sql_source.h"

namespace fs = std::filesystem;
namespace col = abrplay::collector;
using Json = nlohmann::json;
using namespace std::chrono_literals;

namespace {

fs::path ch_scratch(const std::string& name) { return abrplay::test::process_scratch("collector_test", name); }

// The binary's one server, started on first use, stopped when the binary exits. nullptr (and the
// tests skip, saying so) only when clickhouse-server is not installed.
col::ClickHouseServer* server() {
  static std::unique_ptr<col::ClickHouseServer> s =
      [] {
        if (col::ClickHouseServer::binary().empty()) return std::unique_ptr<col::ClickHouseServer>();
        const auto t0 = std::chrono::steady_clock::now();
        auto started = col::ClickHouseServer::start(ch_scratch("clickhouse-server"));
        if (!started) FAIL(started.error());
        WARN("clickhouse-server started in "
             << std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count()
             << " ms");
        return std::move(*started);
      }();
  if (!s) WARN("SKIPPED: clickhouse-server is not installed (demo/install-deps installs it)");
  return s.get();
}

// Runs a query (test setup and checks), failing the test on an error.
std::string ch(const std::string& sql, const std::string& db = "default") {
  auto http = col::ClickHouseHttp::open(server()->url() + "/" + db);
  REQUIRE(http);
  auto r = (*http)->run(sql);
  INFO(sql);
  REQUIRE(r);
  return *r;
}
long long ch_count(const std::string& sql, const std::string& db = "abrplay") { return std::stoll(ch(sql, db)); }

// A clean slate for the two-shard layout (the shard databases are named by the server's config).
void drop_cluster_databases(const std::string& db) {
  for (const std::string& d : {db, std::string("abrplay_shard1"), std::string("abrplay_shard2")})
    ch("DROP DATABASE IF EXISTS " + d);
}

col::SampleSession spec(
    std::string id, int heartbeats, const std::function<void(col::SampleSession&)>& change = [](auto&) {}) {
  col::SampleSession s;
  s.id = std::move(id);
  s.heartbeats = heartbeats;
  change(s);
  return s;
}

std::vector<Json> sessions_of(std::initializer_list<col::SampleSession> specs) {
  std::vector<Json> all;
  for (const auto& s : specs) {
    auto p = col::sample_session(s);
    all.insert(all.end(), p.begin(), p.end());
  }
  return all;
}

using col::test::Ingest;

// A query's rows on an SQLite file, each value in SQLite's text form (what the analytics' SQLite
// source reads), sorted.
std::vector<abrplay::fleet::SqlRow> sqlite_rows(const fs::path& file, const std::string& sql) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  INFO(sql);
  REQUIRE(sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) == SQLITE_OK);
  std::vector<abrplay::fleet::SqlRow> rows;
  while (sqlite3_step(st) == SQLITE_ROW) {
    abrplay::fleet::SqlRow row;
    for (int i = 0; i < sqlite3_column_count(st); ++i) {
      const auto* t = sqlite3_column_text(st, i);
      row.push_back(t ? std::optional<std::string>(reinterpret_cast<const char*>(t)) : std::nullopt);
    }
    rows.push_back(std::move(row));
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  std::sort(rows.begin(), rows.end());
  return rows;
}

std::string show(const std::vector<abrplay::fleet::SqlRow>& rows) {
  std::string out;
  for (const auto& r : rows) {
    for (const auto& v : r) out += (v ? "'" + *v + "'" : "NULL") + " ";
    out += "\n";
  }
  return out;
}

}  // namespace

TEST_CASE("clickhouse: the real collector binary ingests over HTTP into two shards, once, with the SQLite rules",
          "[collector][clickhouse]") {
  if (!server()) return;
  drop_cluster_databases("abrplay");
  const int port = *col::free_loopback_port();
  const std::string url = server()->url() + "/abrplay";
  std::vector<std::string> args = {ABRPLAY_COLLECTOR_EXE,  "--clickhouse",        url,
                                   "--clickhouse-cluster", col::kTwoShardCluster, "--port",
                                   std::to_string(port)};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  REQUIRE(posix_spawn(&pid, ABRPLAY_COLLECTOR_EXE, nullptr, nullptr, argv.data(), environ) == 0);
  httplib::Client client("127.0.0.1", port);
  for (int i = 0; i < 200 && !client.Get("/health"); ++i) std::this_thread::sleep_for(20ms);
  auto post = [&](const Json& body) {
    auto r = client.Post("/telemetry", body.dump(), "application/json");
    REQUIRE(r);
    return std::pair<int, Json>(r->status, Json::parse(r->body, nullptr, false));
  };

  std::vector<Json> a = col::sample_session(spec("sess-a", 2));
  auto [status, body] = post(a[0]);
  CHECK(status == 200);
  CHECK(body["stored"] == 1);
  std::tie(status, body) = post(Json(std::vector<Json>(a.begin() + 1, a.end())));  // a batch
  CHECK(status == 200);
  CHECK(body["stored"] == 2);
  std::tie(status, body) = post(Json(a));  // a retry of everything
  CHECK(status == 200);
  CHECK(body["stored"] == 0);
  CHECK(body["duplicates"] == 3);
  // A batch holding the same payload twice stores it once.
  std::vector<Json> b = col::sample_session(spec("sess-b", 1));
  std::tie(status, body) = post(Json({b[0], b[0], b[1]}));
  CHECK(status == 200);
  CHECK(body["stored"] == 2);
  CHECK(body["duplicates"] == 1);
  CHECK(ch_count("SELECT count() FROM payloads") == 5);
  CHECK(ch_count("SELECT count() FROM switches") == 2);
  CHECK(ch_count("SELECT count() FROM stalls WHERE duration_s > 0.99") == 1);
  CHECK(ch_count("SELECT count() FROM errors WHERE code = 2001 AND url = 'http://cdn/a.m4s'") == 1);
  CHECK(ch_count("SELECT count() FROM finals WHERE end_reason = 'end_of_stream' AND library_version = '0.1'") == 2);

  // The 409 rules, with SQLite's reasons.
  auto refused = [&](const Json& p, const std::string& reason) {
    INFO(p.dump().substr(0, 200));
    auto [s, reply] = post(p);
    CHECK(s == 409);
    CHECK(reply.dump().find(reason) != std::string::npos);
  };
  Json late = a[1];
  late["seq"] = 7;
  refused(late, "comes after the session's final report (seq 2)");
  Json second = a[1];
  second["seq"] = 1;
  second["event"] = "final";
  second = a[2];
  second["seq"] = 1;
  refused(second, "the session already has a final report (seq 2)");
  Json other = col::sample_session(spec("sess-b", 1, [](auto& x) { x.device = "android-arm64"; }))[0];
  other["seq"] = 5;
  refused(other, "belongs to device 'linux-x86_64', not 'android-arm64'");
  // In one batch: the others are stored; a rule decided by an earlier payload of the same batch.
  std::vector<Json> c = col::sample_session(spec("x'); DROP TABLE payloads; --\\", 1));
  Json after = c[0];
  after["seq"] = 9;
  std::tie(status, body) = post(Json({c[0], c[1], after}));
  CHECK(status == 409);
  CHECK(body["stored"] == 2);
  CHECK(body["rejected"][0]["payload"] == 2);
  CHECK(ch_count("SELECT count() FROM payloads WHERE session_id = 'x\\'); DROP TABLE payloads; --\\\\'") == 2);
  CHECK(ch_count("SELECT count() FROM payloads") == 7);

  kill(pid, SIGTERM);
  int wstatus = 0;
  waitpid(pid, &wstatus, 0);
  CHECK(WIFEXITED(wstatus));
}

TEST_CASE("clickhouse: the Distributed tables spread sessions over both shards, each session whole on one",
          "[collector][clickhouse]") {
  if (!server()) return;
  drop_cluster_databases("abrplay");
  col::CollectorConfig config;
  config.clickhouse_url = server()->url() + "/abrplay";
  config.clickhouse_cluster = col::kTwoShardCluster;
  Ingest in(config);
  std::vector<Json> all;
  for (int i = 0; i < 20; ++i) {
    auto s = col::sample_session(spec("spread-" + std::to_string(i), 2));
    all.insert(all.end(), s.begin(), s.end());
  }
  REQUIRE(in.post(Json(all)).first == 200);
  const long long one = ch_count("SELECT count() FROM payloads_local", "abrplay_shard1");
  const long long two = ch_count("SELECT count() FROM payloads_local", "abrplay_shard2");
  CHECK(one > 0);
  CHECK(two > 0);
  CHECK(one + two == 60);
  CHECK(ch_count("SELECT count() FROM payloads") == 60);
  // Every session's payloads and final on one shard: 3 each, never split.
  CHECK(ch("SELECT DISTINCT count() FROM payloads_local GROUP BY session_id", "abrplay_shard1") == "3\n");
  CHECK(ch("SELECT DISTINCT count() FROM payloads_local GROUP BY session_id", "abrplay_shard2") == "3\n");
  CHECK(ch("SELECT engine FROM system.tables WHERE database = 'abrplay' AND name = 'payloads'") == "Distributed\n");
  CHECK(ch("SELECT partition_key FROM system.tables WHERE database = 'abrplay_shard1' AND name = 'payloads_local'")
            .find("day") != std::string::npos);
}

TEST_CASE("clickhouse: the analytics' queries give the same rows on SQLite and on ClickHouse",
          "[collector][clickhouse][fleet]") {
  if (!server()) return;
  const fs::path dir = ch_scratch("same-rows");
  // Sessions with what makes text forms differ: whole and fractional REALs, NULLs (no device, no
  // CDN, no startup), quotes, tabs and backslashes in text, two days, an unfinished session.
  std::vector<Json> payloads = sessions_of({
      spec("s1", 3, [](auto& x) { x.abr = "throughput"; }),
      spec("s2\twith tab", 2,
           [](auto& x) {
             x.device = "android-arm64";
             x.content = "it's \"news\"\\n";
             x.abr = "bola";
             x.bitrate_kbps = 1234.567;
           }),
      spec("s3", 1,
           [](auto& x) {
             x.start = abrplay::WallTime{std::chrono::seconds{1'704'200'000}};
             x.final_report = false;
           }),
      spec("s4", 4,
           [](auto& x) {
             x.device = "tv";
             x.bitrate_kbps = 4999.9;
           }),
  });
  for (Json& p : payloads)
    if (p["session_id"] == "s3") p.erase("device");  // an older player: no device
  std::vector<std::pair<std::string, std::string>> stores = {{"sqlite", ""},
                                                             {"plain", ""},
                                                             {"abrplay", col::kTwoShardCluster}};
  drop_cluster_databases("abrplay");
  ch("DROP DATABASE IF EXISTS abrplay_plain");
  for (const auto& [name, cluster] : stores) {
    col::CollectorConfig config;
    if (name == "sqlite") {
      config.db_path = (dir / "telemetry.db").string();
    } else {
      config.clickhouse_url = server()->url() + "/" + (name == "plain" ? "abrplay_plain" : "abrplay");
      config.clickhouse_cluster = cluster;
    }
    Ingest in(config);
    // Posted as the players would: singles and a batch.
    for (std::size_t i = 0; i < 3; ++i) REQUIRE(in.post(payloads[i]).first == 200);
    REQUIRE(in.post(Json(std::vector<Json>(payloads.begin() + 3, payloads.end()))).first == 200);
  }
  const std::vector<std::string> queries = {
      "SELECT session_id, MIN(started_s), MAX(content_id), MAX(device), MAX(abr), MAX(cdn), COUNT(*) FROM payloads "
      "GROUP BY session_id",
      "SELECT session_id, end_reason, startup_s, played_s, average_bitrate_kbps, rebuffer_count, rebuffer_s, "
      "switch_count, qoe_lin, library_version, error_count FROM finals",
      "SELECT session_id, code, name, COUNT(*) FROM errors GROUP BY session_id, code, name",
      "SELECT session_id, COUNT(*), SUM(duration_s) FROM stalls GROUP BY session_id",
      "SELECT session_id, MIN(started_s), COUNT(*) FROM payloads WHERE started_s >= 1704067000 AND started_s < "
      "1704100000 GROUP BY session_id",
      "SELECT COUNT(*), SUM(video_kbps), MAX(video_height), MIN(buffer_audio_s), MAX(throughput_kbps) FROM payloads",
      "SELECT session_id, seq, idx, from_id, from_kbps, to_kbps, to_height, reason FROM switches",
  };
  for (const std::string& sql : queries) {
    INFO(sql);
    const auto want = sqlite_rows(dir / "telemetry.db", sql);
    CHECK(want.size() >= 1);
    for (const std::string db : {"abrplay_plain", "abrplay"}) {
      auto source = abrplay::fleet::open_clickhouse_source(server()->url() + "/" + db);
      REQUIRE(source);
      auto got = (*source)->query(sql);
      REQUIRE(got);
      std::sort(got->begin(), got->end());
      INFO(db << "\nSQLite:\n" << show(want) << "ClickHouse:\n" << show(*got));
      CHECK(*got == want);
    }
  }
  // The fleet analytics itself (the real abrplay-report) gives the same figures from either store.
  auto fleet = [&](const std::string& store, const std::string& tag) {
    const auto run =
        abrplay::test::run_tool(ABRPLAY_REPORT_EXE,
                                {"--fleet", store, "--compare", "abr", "--json", "-", "-o", (dir / tag).string()}, dir);
    INFO(run.err);
    REQUIRE(run.exit_code == 0);
    Json j = Json::parse(run.out);
    j.erase("source");
    j.erase("seconds");
    return j;
  };
  const Json from_sqlite = fleet((dir / "telemetry.db").string(), "fleet-sqlite");
  CHECK(from_sqlite["overall"]["sessions"] == 4);
  CHECK(fleet(server()->url() + "/abrplay", "fleet-clickhouse") == from_sqlite);
  CHECK(fleet(server()->url() + "/abrplay_plain", "fleet-plain") == from_sqlite);

  // Errors name the server and carry ClickHouse's reason.
  auto source = abrplay::fleet::open_clickhouse_source(server()->url() + "/abrplay");
  REQUIRE(source);
  auto bad = (*source)->query("SELECT nope FROM payloads");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().find("clickhouse " + server()->url() + "/abrplay: HTTP ") == 0);
  CHECK(bad.error().find("nope") != std::string::npos);
  auto down = abrplay::fleet::open_clickhouse_source("http://127.0.0.1:1/abrplay");
  REQUIRE_FALSE(down);
  CHECK(down.error().find("clickhouse http://127.0.0.1:1/abrplay: ") == 0);
  CHECK_FALSE(abrplay::fleet::open_clickhouse_source("ftp://x/y"));
}

TEST_CASE("clickhouse: a server that dies gets clients 503 + Retry-After, and their retry is stored once",
          "[collector][clickhouse][bad]") {
  if (!server()) return;
  col::CollectorConfig config;
  config.clickhouse_url = server()->url() + "/abrplay_down";
  ch("DROP DATABASE IF EXISTS abrplay_down");
  Ingest in(config);
  std::vector<Json> s = col::sample_session(spec("down-1", 2));
  REQUIRE(in.post(s[0]).first == 200);
  server()->crash();
  auto r = in.client->Post("/telemetry", Json({s[1], s[2]}).dump(), "application/json");
  REQUIRE(r);
  CHECK(r->status == 503);
  CHECK(r->get_header_value("Retry-After") == "1");
  CHECK(r->body.find("clickhouse " + config.clickhouse_url + ": ") != std::string::npos);
  REQUIRE_FALSE(server()->restart());
  // The player's retry: everything it has not had acknowledged, and the acknowledged one again.
  auto [status, body] = in.post(Json(s));
  CHECK(status == 200);
  CHECK(body["stored"] == 2);
  CHECK(body["duplicates"] == 1);
  CHECK(ch_count("SELECT count() FROM payloads", "abrplay_down") == 3);
  CHECK(ch_count("SELECT count() FROM finals", "abrplay_down") == 1);
}
