// test_collector.h: a telemetry collector whose answers the test sets (status, or hold every answer
// until released, or a script of answers with Retry-After and a JSON body), on 127.0.0.1 with
// cpp-httplib. Records each POST body, its receive time and its
// X-Api-Key header. Threads: httplib's handler threads; every accessor is thread-safe.
#pragma once

#include <httplib.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace abrplay::test {

// A collector whose answers the test sets: status to return, or hold each answer until released.
class Collector {
 public:
  Collector() {
    server_.Post("/telemetry", [this](const httplib::Request& req, httplib::Response& res) {
      std::unique_lock lock(mu_);
      ++arrivals_;
      cv_.notify_all();
      cv_.wait(lock, [&] { return !hold_ || stopping_; });
      bodies_.push_back(req.body);
      received_.push_back(std::chrono::steady_clock::now());
      headers_.push_back(req.get_header_value("X-Api-Key"));
      Answer a{status_, "", ""};
      if (!script_.empty()) {
        a = script_.front();
        script_.pop_front();
      }
      statuses_.push_back(a.status);
      res.status = a.status;
      if (!a.retry_after.empty()) res.set_header("Retry-After", a.retry_after);
      if (!a.body.empty()) res.set_content(a.body, "application/json");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] {
      server_.listen_after_bind();
      listen_returned_ = true;
    });
    // bind_to_any_port() already listens: connections wait in the backlog until the thread serves.
    // httplib 0.11 ignores stop() until the accept loop runs (see origin's CdnServer::start), so a
    // collector destroyed at once would hang in join(): wait for the loop (microseconds).
    while (!server_.is_running() && !listen_returned_) std::this_thread::yield();
  }
  ~Collector() {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
      cv_.notify_all();
    }
    server_.stop();
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/telemetry"; }
  void set_status(int s) {
    std::lock_guard lock(mu_);
    status_ = s;
  }
  // Answers for the next POSTs, in order, before set_status()'s takes over again.
  struct Answer {
    int status = 204;
    std::string retry_after;  // the Retry-After header, if not empty
    std::string body;         // a JSON answer, if not empty
  };
  void script(std::vector<Answer> answers) {
    std::lock_guard lock(mu_);
    script_.assign(answers.begin(), answers.end());
  }
  void hold(bool h) {
    std::lock_guard lock(mu_);
    hold_ = h;
    cv_.notify_all();
  }
  std::vector<std::string> bodies() {
    std::lock_guard lock(mu_);
    return bodies_;
  }
  std::vector<int> statuses() {
    std::lock_guard lock(mu_);
    return statuses_;
  }  // answer to each body
  std::vector<std::string> api_keys() {
    std::lock_guard lock(mu_);
    return headers_;
  }
  std::vector<std::chrono::steady_clock::time_point> received() {
    std::lock_guard lock(mu_);
    return received_;
  }
  // POSTs that arrived so far (held ones included once they are answered).
  std::size_t posts() {
    std::lock_guard lock(mu_);
    return bodies_.size();
  }
  // POSTs that reached the handler, held or not.
  std::size_t arrivals() {
    std::lock_guard lock(mu_);
    return arrivals_;
  }
  // Waits (real time, bounded) until `n` POSTs reached the handler.
  bool wait_arrivals(std::size_t n, std::chrono::milliseconds limit) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, limit, [&] { return arrivals_ >= n; });
  }

 private:
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  std::atomic<bool> listen_returned_{false};
  std::mutex mu_;
  std::condition_variable cv_;
  int status_ = 204;
  bool hold_ = false, stopping_ = false;
  std::vector<std::string> bodies_, headers_;
  std::vector<std::chrono::steady_clock::time_point> received_;
  std::vector<int> statuses_;
  std::deque<Answer> script_;
  std::size_t arrivals_ = 0;
};

}  // namespace abrplay::test
