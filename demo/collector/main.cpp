// abrplay-collector --db FILE | --clickhouse URL [--clickhouse-cluster NAME] [--port N] [--host H]:
// the telemetry collector with its SQLite or ClickHouse store (collector.h; docs/telemetry.md,
// "Collector"). Prints "listening on http://H:P/telemetry" once
// ready; SIGINT or SIGTERM stops it after committing what it accepted.
#include <CLI/CLI.hpp>

#include <csignal>
#include <iostream>
#include <thread>

#include "collector.h"

int main(int argc, char** argv) {
  CLI::App app{"abrplay-collector: receives abrplay telemetry (POST /telemetry) into SQLite or ClickHouse"};
  abrplay::collector::CollectorConfig config;
  int skew_s = 300;
  auto* db = app.add_option("--db", config.db_path, "SQLite database file (created when absent)");
  auto* ch = app.add_option("--clickhouse", config.clickhouse_url,
                            "ClickHouse HTTP interface and database, e.g. http://127.0.0.1:8123/abrplay "
                            "(tables created when absent)");
  app.add_option("--clickhouse-cluster", config.clickhouse_cluster,
                 "with --clickhouse: Distributed tables over this remote_servers cluster (shards on the same server)")
      ->needs(ch);
  db->excludes(ch);
  app.callback([&] {
    if (config.db_path.empty() && config.clickhouse_url.empty())
      throw CLI::RequiredError("--db FILE or --clickhouse URL");
  });
  app.add_option("--host", config.host, "address to listen on (default 127.0.0.1)");
  app.add_option("--port", config.port, "port (default 0: any free port, printed)")->check(CLI::Range(0, 65535));
  app.add_option("--max-body-bytes", config.max_body_bytes, "largest POST body (default 1 MiB)")
      ->check(CLI::Range(std::size_t{1024}, std::size_t{64} << 20));
  app.add_option("--queue", config.max_queued_payloads, "payloads waiting for the store before 503 (default 20000)")
      ->check(CLI::Range(std::size_t{1}, std::size_t{10'000'000}));
  app.add_option("--http-threads", config.http_threads,
                 "requests handled at once, each waiting for its commit (default 64)")
      ->check(CLI::Range(std::size_t{1}, std::size_t{4096}));
  app.add_option("--max-clock-skew-s", skew_s, "how far ahead of this clock a wall_time may be (default 300)")
      ->check(CLI::Range(0, 86'400));
  CLI11_PARSE(app, argc, argv);
  config.max_clock_skew = std::chrono::seconds(skew_s);

  // Signals are taken by one thread with sigwait (a handler may not stop a server).
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  auto collector = abrplay::collector::Collector::start(config);
  if (!collector) {
    std::cerr << "abrplay-collector: " << collector.error() << "\n";
    return 1;
  }
  std::cout << "listening on http://" << config.host << ":" << (*collector)->port() << "/telemetry" << std::endl;
  std::thread waiter([&] {
    int sig = 0;
    sigwait(&signals, &sig);
    (*collector)->stop();
  });
  waiter.detach();
  (*collector)->wait();
  return 0;
}
