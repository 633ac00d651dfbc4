// tests/net/support/test_server.h: a real cpp-httplib server on 127.0.0.1 (ephemeral port) with the
// routes the net tests need. Reusable by any test that needs an HTTP origin with faults.
//
// Routes (N, K are decimal numbers; bodies follow pattern_byte(), so any range can be checked):
//   /bytes/N                N bytes, Content-Length, Range support (206), Accept-Ranges: bytes
//   /status/CODE[?retry_after=S]  an empty response with that status
//   /redirect/N             302 chain of N hops ending at /bytes/1000
//   /plain200/N             N bytes, and status 200 even for a Range request (a broken server)
//   /echo?h=NAME            the value of request header NAME, as the body
//   /loop                   302 to itself, forever
//   /to?url=U               302 to U (any scheme)
//   /stall/N[?cc=V]         sends N bytes of a larger chunked body (Cache-Control V), then blocks on the gate
//   /flaky/KEY?fail=K&code=C&retry_after=S  the first K requests for KEY answer C (default 503),
//                           later ones answer like /bytes/100000
//   /drop/KEY/N             first request for KEY: Content-Length N, half the bytes, then closes the
//                           connection; later requests behave like /bytes/N (ranges honoured)
//   /chunked/N              N bytes, chunked transfer encoding (no Content-Length)
//   /cacheable/N?cc=V&etag=E&lm=D&age=S  N bytes with Cache-Control V, ETag "E", Last-Modified D and
//                           Age S (each only when given); If-None-Match "E" gets a 304, counted as
//                           hits("/cacheable/N 304") besides hits("/cacheable/N")
//
// The gate holds stalled handlers until release_gate() or destruction, so tests never sleep.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

namespace httplib {
class Server;
}

namespace abrplay::net::test {

// Byte i of every generated body: a pattern with period 251 (prime), so misplaced ranges show.
inline std::uint8_t pattern_byte(std::uint64_t i) { return static_cast<std::uint8_t>((i * 7 + 3) % 251); }

class TestServer {
 public:
  TestServer();
  ~TestServer();  // releases the gate, stops the server, joins its thread
  TestServer(const TestServer&) = delete;
  TestServer& operator=(const TestServer&) = delete;

  int port() const { return port_; }
  std::string base() const;                      // "http://127.0.0.1:PORT"
  std::string url(std::string_view path) const;  // base() + path
  int hits(const std::string& path) const;       // requests seen for exactly this path
  void release_gate();

 private:
  void count(const std::string& path);
  int next_attempt(const std::string& key);
  void wait_gate();

  std::unique_ptr<httplib::Server> server_;
  int port_ = 0;
  mutable std::mutex mu_;
  std::condition_variable gate_cv_;
  bool gate_open_ = false;               // guarded by mu_
  std::map<std::string, int> hits_;      // guarded by mu_
  std::map<std::string, int> attempts_;  // guarded by mu_
  std::thread thread_;
};

}  // namespace abrplay::net::test
