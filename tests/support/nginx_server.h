// tests/support/nginx_server.h: Debian's nginx on loopback, serving a folder over HTTPS with a
// self-signed certificate the test makes (openssl), on two ports: one speaking HTTP/2 (ALPN h2)
// and one HTTP/1.1 only. Started as the current user in a scratch folder of its own (config, pid,
// logs, temp paths), in the foreground, without a master process; stopped (SIGTERM, reaped) by the
// destructor. The access log has one line per request: "<connection> <protocol> <port> <uri>", so a
// test can tell which requests shared a connection.
// Test thread only.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "abrplay/core/expected.h"
#include "free_port.h"
#include "run_tool.h"

namespace abrplay::test {

class NginxServer {
 public:
  struct LogLine {
    long long connection = 0;
    std::string protocol;  // "HTTP/2.0", "HTTP/1.1"
    int port = 0;
    std::string uri;
  };

  // The nginx binary, or "" when it is not installed (demo/install-deps installs nginx-light).
  static std::string binary() {
    for (const char* p : {"/usr/sbin/nginx", "/usr/bin/nginx"})
      if (std::filesystem::exists(p)) return p;
    return "";
  }

  // Serves `root`; `dir` must be an empty scratch folder. Errors say which step failed and why.
  // `limit_rate` (nginx's per-response rate, e.g. "1m" bytes/s; "" = none) makes responses take long
  // enough to overlap, whatever the machine's load.
  static Expected<std::unique_ptr<NginxServer>, std::string> start(const std::filesystem::path& dir,
                                                                   const std::filesystem::path& root,
                                                                   const std::string& limit_rate = "") {
    namespace fs = std::filesystem;
    if (binary().empty()) return Unexpected{std::string("nginx is not installed")};
    fs::create_directories(dir / "tmp");
    const fs::path cert = dir / "cert.pem", key = dir / "key.pem";
    const auto made = run_tool("/usr/bin/openssl",
                               {"req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key.string(), "-out",
                                cert.string(), "-days", "2", "-subj", "/CN=127.0.0.1", "-addext",
                                "subjectAltName=IP:127.0.0.1"},
                               dir);
    if (made.exit_code != 0) return Unexpected{"openssl could not make a certificate: " + made.err};
    std::unique_ptr<NginxServer> s(new NginxServer);
    s->dir_ = dir;
    s->cert_ = cert;
    s->h2_port_ = free_port();
    s->h1_port_ = free_port();
    const std::string d = dir.string();
    std::ofstream conf(dir / "nginx.conf");
    conf << "daemon off;\nmaster_process off;\nworker_processes 1;\npid " << d << "/nginx.pid;\nerror_log " << d
         << "/error.log;\nevents { worker_connections 256; }\nhttp {\n"
         << "  log_format conn '$connection $server_protocol $server_port $request_uri';\n"
         << "  access_log " << d << "/access.log conn;\n"
         << "  client_body_temp_path " << d << "/tmp/body;\n  proxy_temp_path " << d << "/tmp/proxy;\n"
         << "  fastcgi_temp_path " << d << "/tmp/fastcgi;\n  uwsgi_temp_path " << d << "/tmp/uwsgi;\n"
         << "  scgi_temp_path " << d << "/tmp/scgi;\n"
         << "  types { application/dash+xml mpd; video/mp4 m4s mp4; audio/mp4 m4a; }\n"
         << "  ssl_certificate " << cert.string() << ";\n  ssl_certificate_key " << key.string() << ";\n"
         << "  keepalive_requests 100000;\n"
         << (limit_rate.empty() ? std::string() : "  limit_rate " + limit_rate + ";\n")
         << "  server { listen 127.0.0.1:" << s->h2_port_ << " ssl http2; root " << root.string() << "; }\n"
         << "  server { listen 127.0.0.1:" << s->h1_port_ << " ssl; root " << root.string() << "; }\n}\n";
    conf.close();
    const std::string exe = binary(), conf_path = (dir / "nginx.conf").string(), err_log = d + "/error.log";
    std::vector<std::string> args = {exe, "-p", d, "-c", conf_path, "-e", err_log};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    const std::string out = d + "/stdout";
    posix_spawn_file_actions_addopen(&actions, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&actions, 2, out.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    const int rc = posix_spawn(&s->pid_, exe.c_str(), &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) return Unexpected{"cannot start " + exe};
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!(accepts(s->h2_port_) && accepts(s->h1_port_))) {
      int status = 0;
      if (waitpid(s->pid_, &status, WNOHANG) == s->pid_) {
        s->pid_ = 0;
        return Unexpected{"nginx exited at start: " + slurp_file(dir / "stdout") + slurp_file(err_log)};
      }
      if (std::chrono::steady_clock::now() > until) return Unexpected{std::string("nginx did not listen within 10 s")};
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return s;
  }

  ~NginxServer() {
    if (pid_ <= 0) return;
    kill(pid_, SIGTERM);
    int status = 0;
    waitpid(pid_, &status, 0);
  }
  NginxServer(const NginxServer&) = delete;
  NginxServer& operator=(const NginxServer&) = delete;

  std::string h2_url() const { return "https://127.0.0.1:" + std::to_string(h2_port_) + "/"; }
  std::string h1_url() const { return "https://127.0.0.1:" + std::to_string(h1_port_) + "/"; }
  int h2_port() const { return h2_port_; }
  int h1_port() const { return h1_port_; }
  std::filesystem::path cert() const { return cert_; }

  // Every request logged so far (nginx writes each line when the response is done).
  std::vector<LogLine> log() const {
    std::vector<LogLine> out;
    std::istringstream in(slurp_file(dir_ / "access.log"));
    for (std::string line; std::getline(in, line);) {
      std::istringstream f(line);
      LogLine l;
      f >> l.connection >> l.protocol >> l.port >> l.uri;
      if (f) out.push_back(l);
    }
    return out;
  }

 private:
  NginxServer() = default;
  static bool accepts(int port) {
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return false;
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<uint16_t>(port));
    const bool ok = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    close(fd);
    return ok;
  }

  std::filesystem::path dir_, cert_;
  int h2_port_ = 0, h1_port_ = 0;
  pid_t pid_ = 0;
};

}  // namespace abrplay::test
