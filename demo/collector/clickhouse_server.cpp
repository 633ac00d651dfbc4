// ClickHouseServer (clickhouse_server.h): fork + exec with a parent-death signal; readiness by
// polling /ping (the server offers no other notice).
#include "clickhouse_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fcntl.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

#include "clickhouse_http.h"

namespace abrplay::collector {
namespace fs = std::filesystem;
using namespace std::chrono_literals;

Expected<int, std::string> free_loopback_port() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return Unexpected{std::string("socket: failed")};
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  const bool ok = bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
                  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0;
  close(fd);
  if (!ok) return Unexpected{std::string("cannot bind a loopback port")};
  return static_cast<int>(ntohs(addr.sin_port));
}

std::string ClickHouseServer::binary() {
  if (const char* env = std::getenv("CLICKHOUSE_SERVER"); env && *env) return env;
  for (const char* p : {"/usr/sbin/clickhouse-server", "/usr/bin/clickhouse-server", "/usr/bin/clickhouse"})
    if (access(p, X_OK) == 0) return p;
  return "";
}

Expected<std::unique_ptr<ClickHouseServer>, std::string> ClickHouseServer::start(const fs::path& dir) {
  if (binary().empty()) return Unexpected{std::string("clickhouse-server is not installed (demo/install-deps)")};
  std::error_code ec;
  fs::create_directories(dir / "data", ec);
  if (ec) return Unexpected{dir.string() + ": " + ec.message()};
  auto http = free_loopback_port();
  auto tcp = free_loopback_port();
  if (!http || !tcp) return Unexpected{"clickhouse-server: " + (http ? tcp.error() : http.error())};
  const std::string d = fs::absolute(dir).string();
  const std::string shard = "<shard><replica><host>127.0.0.1</host><port>" + std::to_string(*tcp) +
                            "</port><default_database>";
  std::ofstream(dir / "config.xml")
      << "<?xml version=\"1.0\"?>\n<yandex>\n"
      << "  <logger><level>warning</level><log>" << d << "/server.log</log><errorlog>" << d
      << "/server.err.log</errorlog><size>10M</size><count>1</count></logger>\n"
      << "  <listen_host>127.0.0.1</listen_host>\n"
      << "  <http_port>" << *http << "</http_port>\n  <tcp_port>" << *tcp << "</tcp_port>\n"
      << "  <path>" << d << "/data/</path>\n  <tmp_path>" << d << "/tmp/</tmp_path>\n"
      << "  <user_files_path>" << d << "/user_files/</user_files_path>\n"
      << "  <format_schema_path>" << d << "/format_schemas/</format_schema_path>\n"
      << "  <mark_cache_size>67108864</mark_cache_size>\n  <max_concurrent_queries>50</max_concurrent_queries>\n"
      << "  <default_profile>default</default_profile>\n  <default_database>default</default_database>\n"
      << "  <timezone>UTC</timezone>\n  <mlock_executable>false</mlock_executable>\n"
      << "  <remote_servers><" << kTwoShardCluster << ">" << shard
      << "abrplay_shard1</default_database></replica></shard>" << shard
      << "abrplay_shard2</default_database></replica></shard></" << kTwoShardCluster << "></remote_servers>\n"
      << "  <users><default><password></password><networks><ip>127.0.0.1</ip></networks>"
      << "<profile>default</profile><quota>default</quota></default></users>\n"
      << "  <profiles><default></default></profiles>\n  <quotas><default></default></quotas>\n</yandex>\n";
  std::unique_ptr<ClickHouseServer> server(new ClickHouseServer(dir, *http));
  if (auto e = server->spawn_and_wait()) return Unexpected{*e};
  return server;
}

std::optional<std::string> ClickHouseServer::spawn_and_wait() {
  const std::string exe = binary();
  const std::string config = "--config-file=" + (dir_ / "config.xml").string();
  const std::string out = (dir_ / "stdout.log").string();
  std::vector<char*> argv = {const_cast<char*>(exe.c_str()), const_cast<char*>(config.c_str()), nullptr};
  const pid_t parent = getpid();
  pid_ = fork();
  if (pid_ < 0) return "clickhouse-server: fork failed";
  if (pid_ == 0) {
    // The child: only async-signal-safe calls until exec.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(1);
    const int fd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
      dup2(fd, 1);
      dup2(fd, 2);
    }
    execv(exe.c_str(), argv.data());
    _exit(127);
  }
  auto http = ClickHouseHttp::open(url());
  if (!http) return http.error();
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  for (;;) {
    if (auto r = (*http)->run("SELECT 1"); r) return std::nullopt;
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      break;
    }
    if (std::chrono::steady_clock::now() > deadline) break;
    std::this_thread::sleep_for(50ms);  // polling: the server has no readiness notice
  }
  std::ostringstream why;
  why << std::ifstream(dir_ / "server.err.log").rdbuf() << std::ifstream(out).rdbuf();
  std::string text = why.str();
  if (text.size() > 600) text = "..." + text.substr(text.size() - 600);
  stop();
  return "clickhouse-server (" + dir_.string() + ") did not start: " + text;
}

void ClickHouseServer::stop() {
  if (pid_ <= 0) return;
  kill(pid_, SIGTERM);
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  int status = 0;
  while (waitpid(pid_, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      kill(pid_, SIGKILL);
      waitpid(pid_, &status, 0);
      break;
    }
    std::this_thread::sleep_for(20ms);  // waitpid has no timeout
  }
  pid_ = -1;
}

void ClickHouseServer::crash() {
  if (pid_ <= 0) return;
  kill(pid_, SIGKILL);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
}

std::optional<std::string> ClickHouseServer::restart() {
  stop();
  return spawn_and_wait();
}

ClickHouseServer::~ClickHouseServer() { stop(); }

}  // namespace abrplay::collector
