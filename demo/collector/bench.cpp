// abrplay-collector-bench: telemetry ingest throughput of abrplay-collector on each store
// (docs/benchmarks.md, "Telemetry ingest"). Starts the collector in-process (the same code as the
// binary: HTTP, schema validation, the writer) on a fresh SQLite file and on ClickHouse (a private
// clickhouse-server with the two-shard Distributed layout, or --clickhouse URL), then posts
// heartbeats written by the player's SessionRecorder (about 1 KB each) from several client threads
// over loopback HTTP for a fixed time: one payload per POST from --clients threads (players keeping
// up) and batches of --batch from --batch-clients threads (players catching up: the Reporter sends
// up to 48 KiB at once). ClickHouse runs twice: plain tables, and the two-shard Distributed layout
// (both shards on the one server). Prints heartbeats acknowledged per second, the median of
// several runs, with the ratio to issue 21's targets (SQLite 2,000/s, ClickHouse 20,000/s).
//
//   abrplay-collector-bench [--runs 5] [--seconds 3] [--clients 8] [--batch-clients 64] [--batch 40]
//                           [--clickhouse URL] [--only sqlite|clickhouse]
#include <CLI/CLI.hpp>
#include <httplib.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <thread>

#include "clickhouse_server.h"
#include "clickhouse_store.h"
#include "collector.h"
#include "sample_sessions.h"
#include "sqlite_store.h"

namespace fs = std::filesystem;
namespace col = abrplay::collector;
using Json = nlohmann::json;

namespace {

#ifdef NDEBUG
constexpr const char* kBuildKind = "optimised";
#else
constexpr const char* kBuildKind = "debug (unoptimised)";
#endif

// A session's payloads as text, with a fixed-width session id to overwrite per use (so the
// clients spend no time writing JSON, and every session is new to the store).
constexpr const char* kIdTemplate = "bench-session-000000000000";

struct Template {
  std::vector<std::string> payloads;  // heartbeats only
  std::vector<std::size_t> id_at;     // where each one's session id starts
};

Template make_template(int heartbeats) {
  col::SampleSession s;
  s.id = kIdTemplate;
  s.heartbeats = heartbeats;
  s.abr = "throughput";
  // Recent wall times: the collector refuses payloads from the future only.
  s.start = abrplay::WallTime(
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch()) -
      std::chrono::hours(1));
  s.final_report = false;
  Template t;
  for (const Json& p : col::sample_session(s)) {
    t.payloads.push_back(p.dump());
    t.id_at.push_back(t.payloads.back().find(kIdTemplate));
  }
  return t;
}

struct RunResult {
  double per_s = 0;
  long long errors = 0;
  std::string first_error;
};

// One timed run: `clients` threads, each POSTing `batch` heartbeats per request until the time is up.
RunResult run_once(int port, const Template& t, int clients, int batch, std::chrono::milliseconds length, int run_no) {
  std::atomic<long long> acked{0}, errors{0};
  std::mutex mu;
  std::string first_error;
  const auto start = std::chrono::steady_clock::now();
  const auto deadline = start + length;
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      httplib::Client client("127.0.0.1", port);
      client.set_keep_alive(true);
      client.set_tcp_nodelay(true);
      client.set_read_timeout(std::chrono::seconds(30));
      long long session = 0;
      std::size_t next = 0;  // the next heartbeat of the current session
      std::string body;
      while (std::chrono::steady_clock::now() < deadline) {
        body.clear();
        if (batch > 1) body += '[';
        for (int i = 0; i < batch; ++i) {
          if (next == t.payloads.size()) {
            next = 0;
            ++session;
          }
          if (i) body += ',';
          std::string p = t.payloads[next];
          char id[48];
          std::snprintf(id, sizeof id, "bench-%02d-%02d-%014lld", run_no % 100, c % 100,
                        session % 100000000000000LL);  // as wide as kIdTemplate
          p.replace(t.id_at[next], std::strlen(kIdTemplate), id);
          body += p;
          ++next;
        }
        if (batch > 1) body += ']';
        // A failed POST is sent again, as the player's Reporter does (a duplicate is acknowledged).
        while (std::chrono::steady_clock::now() < deadline) {
          auto r = client.Post("/telemetry", body, "application/json");
          if (r && r->status == 200) {
            acked += batch;
            break;
          }
          ++errors;
          const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                                start);
          std::lock_guard lock(mu);
          if (first_error.empty())
            first_error = (r ? "HTTP " + std::to_string(r->status) + " " + r->body : httplib::to_string(r.error())) +
                          " at " + std::to_string(ms.count()) + " ms";
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return {static_cast<double>(acked) / elapsed, errors, first_error};
}

// The store alone, as the collector's writer drives it: one thread hands it groups of `group`
// parsed heartbeats (new sessions each), each group one store() call (for ClickHouse: one lookup
// query and the INSERTs over HTTP), until the time is up. No HTTP front, no validation: what the
// store itself takes.
RunResult run_store(col::Store& store, const Template& t, int group, std::chrono::milliseconds length, int run_no) {
  std::vector<Json> parsed;
  for (const auto& p : t.payloads) parsed.push_back(Json::parse(p));
  long long stored = 0, session = 0, errors = 0;
  std::string first_error;
  const auto start = std::chrono::steady_clock::now();
  std::vector<Json> batch;
  while (std::chrono::steady_clock::now() < start + length) {
    batch.clear();
    while (static_cast<int>(batch.size()) < group) {
      ++session;
      char id[48];
      std::snprintf(id, sizeof id, "store-%02d-%018lld", run_no % 100, session);
      for (const Json& p : parsed) {
        batch.push_back(p);
        batch.back()["session_id"] = id;
        if (static_cast<int>(batch.size()) == group) break;
      }
    }
    auto r = store.store(batch, "2026-01-01T00:00:00Z");
    if (!r) {
      ++errors;
      if (first_error.empty()) first_error = r.error();
      continue;
    }
    stored += static_cast<long long>(batch.size());
  }
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return {static_cast<double>(stored) / elapsed, errors, first_error};
}

std::string thousands(double v) {
  std::string s = std::to_string(static_cast<long long>(v + 0.5));
  for (int i = static_cast<int>(s.size()) - 3; i > 0; i -= 3) s.insert(static_cast<std::size_t>(i), ",");
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"abrplay-collector-bench: heartbeats/s into abrplay-collector on SQLite and ClickHouse"};
  int runs = 5, clients = 8, batch_clients = 64, batch = 40, group = 2000;
  double seconds = 3;
  std::string clickhouse_url, cluster = col::kTwoShardCluster, only;
  app.add_option("--runs", runs, "runs per figure; the median is printed (default 5)")->check(CLI::Range(1, 100));
  app.add_option("--seconds", seconds, "length of a run (default 3)")->check(CLI::Range(0.2, 600.0));
  app.add_option("--clients", clients, "client threads posting one heartbeat each (default 8)")
      ->check(CLI::Range(1, 256));
  app.add_option("--batch-clients", batch_clients, "client threads posting batches (default 64)")
      ->check(CLI::Range(1, 256));
  app.add_option("--batch", batch, "heartbeats per POST in the batched workload (default 40)")
      ->check(CLI::Range(2, 1000));
  app.add_option("--group", group, "heartbeats per store() call in the store-alone workload (default 2000)")
      ->check(CLI::Range(1, 100000));
  app.add_option("--clickhouse", clickhouse_url,
                 "a running ClickHouse (http://host:port/database; the plain run uses <database>_plain) instead of a "
                 "private clickhouse-server");
  app.add_option("--clickhouse-cluster", cluster,
                 "the cluster of the Distributed run (default: the private server's abrplay_two_shards)");
  app.add_option("--only", only, "one store: sqlite or clickhouse")->check(CLI::IsMember({"sqlite", "clickhouse"}));
  CLI11_PARSE(app, argc, argv);

  const fs::path dir = fs::temp_directory_path() / ("abrplay-collector-bench-" + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::unique_ptr<col::ClickHouseServer> server;
  if (only != "sqlite" && clickhouse_url.empty()) {
    auto started = col::ClickHouseServer::start(dir / "clickhouse");
    if (!started) {
      std::cerr << "abrplay-collector-bench: " << started.error() << "\n";
      return 1;
    }
    server = std::move(*started);
    clickhouse_url = server->url() + "/abrplay";
  }
  const Template t = make_template(30);
  std::size_t bytes = 0;
  for (const auto& p : t.payloads) bytes += p.size();
  // The output is docs/benchmarks.md's "Telemetry ingest" section (demo/bench/run --ingest).
  std::string load = "?";
  if (std::ifstream f("/proc/loadavg"); f) f >> load;
  const std::time_t now = std::time(nullptr);
  char when[32];
  std::strftime(when, sizeof when, "%Y-%m-%d %H:%M UTC", std::gmtime(&now));
  std::cout << "## Telemetry ingest\n\n"
            << "Generated by `abrplay-collector-bench` (demo/collector/bench.cpp; `demo/bench/run --ingest`) on "
            << when << ", " << kBuildKind << " build, " << std::thread::hardware_concurrency()
            << " cores, load average " << load << " at the start (other work shared the cores).\n"
            << "Rows \"C x N\": the collector runs in-process (its HTTP server, schema validation and writer, as in "
               "`abrplay-collector`); client threads POST heartbeats written by the player's SessionRecorder ("
            << bytes / t.payloads.size() << " bytes each) over loopback HTTP with keep-alive, every session new, for "
            << seconds
            << " s per run; a heartbeat counts once its POST is answered 200. ClickHouse 18.16 is a private "
               "`clickhouse-server` on the same cores; \"Distributed over 2 shards\" keeps both shards on it. "
               "\"Store alone\": one thread hands the store groups of parsed heartbeats, as the collector's writer "
               "does (for ClickHouse: one lookup query and the INSERTs over its HTTP interface, JSONEachRow through "
               "libcurl), without the HTTP front and validation, whose cost (and the 64 client threads') shares the "
               "same two cores in the other rows. Figures: median of "
            << runs << " runs, then every run; the targets are issue 21's.\n\n";
  std::cout << "| store | clients x heartbeats per POST | heartbeats/s (median) | runs | target | ratio |\n";
  std::cout << "|---|---|---:|---|---:|---:|\n";
  long long failed_requests = 0;
  for (const std::string store : {"sqlite", "clickhouse", "clickhouse-sharded"}) {
    if (!only.empty() && store.rfind(only, 0) != 0) continue;
    col::CollectorConfig config;
    std::string label;
    if (store == "sqlite") {
      config.db_path = (dir / "telemetry.db").string();
      label = "SQLite (WAL, synchronous=NORMAL)";
    } else {
      config.clickhouse_url = clickhouse_url + (store == "clickhouse" ? "_plain" : "");
      if (store == "clickhouse-sharded") config.clickhouse_cluster = cluster;
      label = store == "clickhouse" ? "ClickHouse, plain tables" : "ClickHouse, Distributed over 2 shards";
    }
    auto collector = col::Collector::start(config);
    if (!collector) {
      std::cerr << "abrplay-collector-bench: " << collector.error() << "\n";
      return 1;
    }
    const double target = store == "sqlite" ? 2000 : 20000;
    int run_no = store == "sqlite" ? 0 : store == "clickhouse" ? 30 : 60;
    auto print = [&](const std::string& what, const std::vector<double>& figures) {
      std::vector<double> sorted = figures;
      std::sort(sorted.begin(), sorted.end());
      const double median = sorted[sorted.size() / 2];
      std::string list;
      for (double f : figures) list += (list.empty() ? "" : " ") + thousands(f);
      char ratio[32];
      std::snprintf(ratio, sizeof ratio, "%.2fx", median / target);
      std::cout << "| " << label << " | " << what << " | " << thousands(median) << " | " << list << " | "
                << thousands(target) << " | " << ratio << " |" << std::endl;
    };
    for (const auto& [threads, per_post] : {std::pair(clients, 1), std::pair(batch_clients, batch)}) {
      std::vector<double> figures;
      for (int r = 0; r < runs; ++r) {
        RunResult res = run_once((*collector)->port(), t, threads, per_post,
                                 std::chrono::milliseconds(static_cast<long long>(seconds * 1000)), run_no++);
        if (res.errors) {
          std::cerr << store << ": " << res.errors
                    << " requests failed (and were sent again), first: " << res.first_error << "\n";
          failed_requests += res.errors;
        }
        figures.push_back(res.per_s);
      }
      print(std::to_string(threads) + " x " + std::to_string(per_post), figures);
    }
    collector->reset();  // the store alone next, on the same database
    std::unique_ptr<col::Store> alone;
    if (store == "sqlite") {
      auto opened = col::SqliteStore::open(config.db_path);
      if (opened) alone = std::move(*opened);
    } else {
      auto opened = col::ClickHouseStore::open({config.clickhouse_url, config.clickhouse_cluster});
      if (opened) alone = std::move(*opened);
    }
    if (!alone) {
      std::cerr << "abrplay-collector-bench: cannot open the store alone: " << store << "\n";
      return 1;
    }
    std::vector<double> figures;
    for (int r = 0; r < runs; ++r) {
      RunResult res = run_store(*alone, t, group, std::chrono::milliseconds(static_cast<long long>(seconds * 1000)),
                                run_no++);
      if (res.errors)
        std::cerr << store << " (store alone): " << res.errors << " groups failed, first: " << res.first_error << "\n";
      figures.push_back(res.per_s);
    }
    print("store alone, groups of " + std::to_string(group), figures);
  }
  server.reset();
  fs::remove_all(dir);
  if (failed_requests)
    std::cout << "\n" << failed_requests << " requests failed and were sent again (see the bench's stderr).\n";
  return 0;
}
