#include "test_server.h"

#include <httplib.h>

#include <algorithm>
#include <stdexcept>
#include <vector>

namespace abrplay::net::test {
namespace {

void fill(std::vector<char>& buf, std::uint64_t offset, std::size_t n) {
  buf.resize(n);
  for (std::size_t i = 0; i < n; ++i) buf[i] = static_cast<char>(pattern_byte(offset + i));
}

// A body of `size` pattern bytes; httplib answers Range requests for content providers with 206.
void serve_bytes(httplib::Response& res, std::uint64_t size) {
  res.set_header("Accept-Ranges", "bytes");
  res.set_content_provider(static_cast<std::size_t>(size), "application/octet-stream",
                           [](std::size_t offset, std::size_t length, httplib::DataSink& sink) {
                             std::vector<char> buf;
                             const std::size_t n = std::min<std::size_t>(length, 64 * 1024);
                             fill(buf, offset, n);
                             return sink.write(buf.data(), n);
                           });
}

std::uint64_t number(const std::string& s) { return std::stoull(s); }

}  // namespace

TestServer::TestServer() : server_(std::make_unique<httplib::Server>()) {
  auto& s = *server_;
  s.new_task_queue = [] { return new httplib::ThreadPool(72); };
  s.set_keep_alive_max_count(100000);
  s.Get(R"(/bytes/(\d+))", [this](const httplib::Request& req, httplib::Response& res) {
    count(req.path);
    serve_bytes(res, number(req.matches[1]));
  });
  s.Get(R"(/chunked/(\d+))", [this](const httplib::Request& req, httplib::Response& res) {
    count(req.path);
    const std::uint64_t total = number(req.matches[1]);
    res.set_chunked_content_provider("application/octet-stream",
                                     [total, sent = std::uint64_t{0}](std::size_t, httplib::DataSink& sink) mutable {
                                       std::vector<char> buf;
                                       const auto n = static_cast<std::size_t>(
                                           std::min<std::uint64_t>(total - sent, 32 * 1024));
                                       fill(buf, sent, n);
                                       if (n > 0 && !sink.write(buf.data(), n)) return false;
                                       sent += n;
                                       if (sent == total) sink.done();
                                       return true;
                                     });
  });
  // HTTP caching: N pattern bytes with the Cache-Control (cc), ETag (etag, quoted here), Last-Modified
  // (lm) and Age (age) of the query; a matching If-None-Match is answered 304 (counted apart).
  s.Get(R"(/cacheable/(\d+))", [this](const httplib::Request& req, httplib::Response& res) {
    count(req.path);
    if (req.has_param("cc")) res.set_header("Cache-Control", req.get_param_value("cc"));
    if (req.has_param("age")) res.set_header("Age", req.get_param_value("age"));
    if (req.has_param("lm")) res.set_header("Last-Modified", req.get_param_value("lm"));
    if (req.has_param("etag")) {
      const std::string etag = "\"" + req.get_param_value("etag") + "\"";
      res.set_header("ETag", etag);
      if (req.get_header_value("If-None-Match") == etag) {
        count(req.path + " 304");
        res.status = 304;
        return;
      }
    }
    serve_bytes(res, number(req.matches[1]));
  });
  s.Get(R"(/status/(\d+))", [this](const httplib::Request& req, httplib::Response& res) {
    count(req.path);
    res.status = static_cast<int>(number(req.matches[1]));
    if (req.has_param("retry_after")) res.set_header("Retry-After", req.get_param_value("retry_after"));
  });
  s.Get(R"(/redirect/(\d+))", [this](const httplib::Request& req, httplib::Response& res) {
    count(req.path);
    const auto n = number(req.matches[1]);
    res.set_redirect(n == 0 ? "/bytes/1000" : "/redirect/" + std::to_string(n - 1));
  });
  s.Get(R"(/plain200/(\d+))", [this](const httplib::Request& req, httplib::Response& res) {
    count(req.path);
    std::vector<char> buf;
    fill(buf, 0, static_cast<std::size_t>(number(req.matches[1])));
    res.status = 200;  // httplib then keeps 200 even when it cuts a Range out of the body
    res.set_content(std::string(buf.begin(), buf.end()), "application/octet-stream");
  });
  s.Get("/echo", [this](const httplib::Request& req, httplib::Response& res) {
    count(req.path);
    res.set_content(req.get_header_value(req.get_param_value("h").c_str()), "text/plain");
  });
  // Echoes a POST: "<content-type> <body>".
  s.Post("/post", [this](const httplib::Request& req, httplib::Response& res) {
    count(req.path);
    res.set_content(req.get_header_value("Content-Type") + " " + req.body, "text/plain");
  });
  s.Get("/loop", [this](const httplib::Request& req, httplib::Response& res) {
    count(req.path);
    res.set_redirect("/loop");
  });
  s.Get("/to", [this](const httplib::Request& req, httplib::Response& res) {
    count(req.path);
    res.set_redirect(req.get_param_value("url"));
  });
  s.Get(R"(/stall/(\d+))", [this](const httplib::Request& req, httplib::Response& res) {
    count(req.path);
    const std::uint64_t before = number(req.matches[1]);
    if (req.has_param("cc")) res.set_header("Cache-Control", req.get_param_value("cc"));
    res.set_chunked_content_provider("application/octet-stream",
                                     [this, before](std::size_t offset, httplib::DataSink& sink) {
                                       if (offset < before) {
                                         std::vector<char> buf;
                                         fill(buf, offset, static_cast<std::size_t>(before - offset));
                                         return sink.write(buf.data(), buf.size());
                                       }
                                       wait_gate();
                                       return false;  // closes the connection
                                     });
  });
  s.Get(R"(/flaky/(\w+))", [this](const httplib::Request& req, httplib::Response& res) {
    count(req.path);
    const int attempt = next_attempt(req.path);
    const int fail = req.has_param("fail") ? std::stoi(req.get_param_value("fail")) : 1;
    if (attempt <= fail) {
      res.status = req.has_param("code") ? std::stoi(req.get_param_value("code")) : 503;
      if (req.has_param("retry_after")) res.set_header("Retry-After", req.get_param_value("retry_after"));
      return;
    }
    serve_bytes(res, 100000);
  });
  s.Get(R"(/drop/(\w+)/(\d+))", [this](const httplib::Request& req, httplib::Response& res) {
    count(req.path);
    const std::uint64_t size = number(req.matches[2]);
    if (next_attempt(req.path) > 1) return serve_bytes(res, size);
    res.set_header("Accept-Ranges", "bytes");
    res.set_content_provider(static_cast<std::size_t>(size), "application/octet-stream",
                             [size](std::size_t offset, std::size_t, httplib::DataSink& sink) {
                               if (offset >= size / 2) return false;  // hang up half way
                               std::vector<char> buf;
                               fill(buf, offset, static_cast<std::size_t>(size / 2 - offset));
                               return sink.write(buf.data(), buf.size());
                             });
  });
  port_ = s.bind_to_any_port("127.0.0.1");
  if (port_ <= 0) throw std::runtime_error("TestServer: cannot bind 127.0.0.1");
  // The socket already listens, so clients may connect before the accept loop runs.
  thread_ = std::thread([this] { server_->listen_after_bind(); });
}

TestServer::~TestServer() {
  release_gate();
  server_->stop();
  thread_.join();
}

std::string TestServer::base() const { return "http://127.0.0.1:" + std::to_string(port_); }
std::string TestServer::url(std::string_view path) const { return base() + std::string(path); }

int TestServer::hits(const std::string& path) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = hits_.find(path);
  return it == hits_.end() ? 0 : it->second;
}

void TestServer::release_gate() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    gate_open_ = true;
  }
  gate_cv_.notify_all();
}

void TestServer::count(const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  ++hits_[path];
}

int TestServer::next_attempt(const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  return ++attempts_[key];
}

void TestServer::wait_gate() {
  std::unique_lock<std::mutex> lock(mu_);
  gate_cv_.wait(lock, [this] { return gate_open_; });
}

}  // namespace abrplay::net::test
