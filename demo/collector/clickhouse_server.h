// clickhouse_server.h: a private clickhouse-server for tests and the ingest benchmark: its own
// directory, its own config XML (free loopback ports, a `default` user without password, a
// two-shard cluster `abrplay_two_shards` naming this server twice with default databases
// abrplay_shard1 and abrplay_shard2), run as the current user; stopped (SIGTERM, then SIGKILL)
// when the object goes, and killed with its parent (PR_SET_DEATHSIG) if that dies first. Nothing
// depends on a system service. Starting takes about half a second.
// Threading: any one thread.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "abrplay/core/expected.h"

namespace abrplay::collector {

inline constexpr const char* kTwoShardCluster = "abrplay_two_shards";

class ClickHouseServer {
 public:
  // The clickhouse-server binary (CLICKHOUSE_SERVER in the environment, else /usr/sbin or /usr/bin),
  // or "" when it is not installed.
  static std::string binary();

  // Starts a server keeping its data in `dir` (created); ready when this returns. Errors: no
  // binary, or the server did not answer /ping within 30 s (the message quotes its error log).
  static Expected<std::unique_ptr<ClickHouseServer>, std::string> start(const std::filesystem::path& dir);
  ~ClickHouseServer();
  ClickHouseServer(const ClickHouseServer&) = delete;
  ClickHouseServer& operator=(const ClickHouseServer&) = delete;

  // "http://127.0.0.1:PORT"; append "/database".
  std::string url() const { return "http://127.0.0.1:" + std::to_string(http_port_); }
  int http_port() const { return http_port_; }

  void stop();   // SIGTERM, wait (SIGKILL after 10 s: it waits for open keep-alive connections)
  void crash();  // SIGKILL, wait: a server that dies
  // Starts it again on the same directory and ports (after stop()).
  std::optional<std::string> restart();

 private:
  ClickHouseServer(std::filesystem::path dir, int http_port) : dir_(std::move(dir)), http_port_(http_port) {}
  std::optional<std::string> spawn_and_wait();
  std::filesystem::path dir_;
  int http_port_;
  pid_t pid_ = -1;
};

// A TCP port on 127.0.0.1 that nothing listens on now (bound, read back and closed).
Expected<int, std::string> free_loopback_port();

}  // namespace abrplay::collector
