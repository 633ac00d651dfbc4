// HttpClient timeouts, cancellation, back-pressure, concurrency and shutdown, against a real server.
// Synchronisation is by futures and condition variables only.
#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <future>
#include <mutex>
#include <string_view>
#include <utility>

#include "abrplay/net/http_client.h"
#include "support/sync_fetch.h"
#include "support/test_server.h"

namespace abrplay::net::test {
namespace {

// A latch that tests wait on with a bound (a failure, not a hang, if it never opens).
class Latch {
 public:
  void open() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      open_ = true;
    }
    cv_.notify_all();
  }
  bool wait() {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, kWaitBound, [this] { return open_; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool open_ = false;
};

}  // namespace

TEST_CASE("no byte for the stall time fails with a stall timeout after the bytes that came", "[net][flow]") {
  TestServer server;
  HttpClient client;
  Request req = get(server.url("/stall/1000"));
  // Long enough that the first 1000 bytes always come first, even under a sanitizer on a busy host.
  req.timeouts.stall = std::chrono::milliseconds(1000);
  auto r = fetch_failing(client, req);
  CHECK(r.error->code == NetErrorCode::kTimeout);
  CHECK(r.error->timeout == TimeoutKind::kStall);
  CHECK(r.response.bytes_received == 1000);
  CHECK(r.error->message.find(server.url("/stall/1000")) != std::string::npos);
}

TEST_CASE("a wait in curl's per-host queue is not a stall: the stall clock starts when the request goes out",
          "[net][flow]") {
  TestServer server;
  ClientOptions opts;
  opts.max_host_connections = 1;     // the second request waits for the first one's connection
  ThreadExecutor exec("test-exec");  // outlives the client, which posts to it
  HttpClient client(opts);
  Request first = get(server.url("/stall/10"));
  first.timeouts.stall = std::chrono::milliseconds(1500);  // holds the connection ~1.5 s, then fails
  Request second = get(server.url("/bytes/1000"));
  second.timeouts.stall = std::chrono::milliseconds(1000);  // shorter than its wait in the queue
  std::promise<Result> first_done, second_done;
  client.submit(first, exec, RequestCallbacks{{}, [&](Result r) { first_done.set_value(std::move(r)); }});
  client.submit(second, exec, RequestCallbacks{{}, [&](Result r) { second_done.set_value(std::move(r)); }});
  auto f1 = first_done.get_future();
  auto f2 = second_done.get_future();
  REQUIRE(f1.wait_for(kWaitBound) == std::future_status::ready);
  REQUIRE(f2.wait_for(kWaitBound) == std::future_status::ready);
  const Result r1 = f1.get();
  const Result r2 = f2.get();
  REQUIRE(r1.error);
  CHECK(r1.error->timeout == TimeoutKind::kStall);
  INFO((r2.error ? r2.error->describe() : std::string("ok")));
  CHECK(r2.ok());
  CHECK(r2.response.body.size() == 1000);
  CHECK(r2.response.timing.queue_wait < std::chrono::milliseconds(1000));  // the wait was curl's, not ours
}

TEST_CASE("the total timeout ends a transfer that keeps its connection but never finishes", "[net][flow]") {
  TestServer server;
  HttpClient client;
  Request req = get(server.url("/stall/10"));
  req.timeouts.stall = std::chrono::milliseconds(0);
  req.timeouts.total = std::chrono::milliseconds(300);
  auto r = fetch_failing(client, req);
  CHECK(r.error->code == NetErrorCode::kTimeout);
  CHECK(r.error->timeout == TimeoutKind::kTotal);
}

TEST_CASE("a request cancelled in flight completes once with network.cancelled", "[net][flow]") {
  TestServer server;
  ThreadExecutor exec("test-exec");  // outlives the client, which posts to it
  HttpClient client;
  std::promise<Result> done;
  std::atomic<int> completions{0};
  std::promise<void> first_chunk;
  std::atomic<bool> got_chunk{false};
  Request req = get(server.url("/stall/5000"));
  RequestId id = 0;
  std::promise<RequestId> id_promise;
  auto id_future = id_promise.get_future().share();
  id = client.submit(req, exec,
                     RequestCallbacks{[&](const BodyChunk&) {
                                        if (!got_chunk.exchange(true)) first_chunk.set_value();
                                      },
                                      [&](Result res) {
                                        ++completions;
                                        done.set_value(std::move(res));
                                      }});
  REQUIRE(first_chunk.get_future().wait_for(kWaitBound) == std::future_status::ready);
  client.cancel(id);
  auto fut = done.get_future();
  REQUIRE(fut.wait_for(kWaitBound) == std::future_status::ready);
  Result r = fut.get();
  REQUIRE(r.error);
  CHECK(r.error->code == NetErrorCode::kCancelled);
  client.cancel(id);  // a second cancel of a finished request is harmless
  CHECK(fetch_sync(client, get(server.url("/bytes/10")))->ok());
  CHECK(completions == 1);
  CHECK(client.in_flight() == 0);
}

TEST_CASE("a slow consumer pauses the transfer and the body still arrives intact", "[net][flow]") {
  TestServer server;
  Latch paused;
  ClientOptions opts;
  opts.stream_window_bytes = 64 * 1024;
  opts.receive_buffer_bytes = 16 * 1024;
  opts.chunk_bytes = 16 * 1024;
  opts.log = [&](LogLevel, std::string_view text) {
    if (text.find("pausing transfer") != std::string_view::npos) paused.open();
  };
  ThreadExecutor consumer("test-consumer");
  HttpClient client(opts);
  constexpr std::uint64_t kSize = 8u << 20;
  std::vector<std::uint8_t> received;
  bool first = true;
  bool saw_pause_before_consuming = false;
  std::promise<Result> done;
  client.submit(get(server.url("/bytes/" + std::to_string(kSize))), consumer,
                RequestCallbacks{[&](const BodyChunk& chunk) {
                                   if (first) {  // a consumer that is busy until the net thread pauses
                                     first = false;
                                     saw_pause_before_consuming = paused.wait();
                                   }
                                   received.insert(received.end(), chunk.begin(), chunk.end());
                                 },
                                 [&](Result r) { done.set_value(std::move(r)); }});
  auto fut = done.get_future();
  REQUIRE(fut.wait_for(kWaitBound) == std::future_status::ready);
  Result r = fut.get();
  REQUIRE(r.ok());
  CHECK(saw_pause_before_consuming);
  CHECK(r.response.pause_count >= 1);
  CHECK(r.response.body.empty());  // streamed, not collected
  CHECK(r.response.peak_undelivered_bytes <= opts.stream_window_bytes + 16 * 1024);
  REQUIRE(received.size() == kSize);
  CHECK(matches_pattern(received, 0));
}

TEST_CASE("a streamed body comes in pieces of at most chunk_bytes even when curl reads more at once, intact",
          "[net][flow]") {
  TestServer server;
  ClientOptions opts;
  opts.receive_buffer_bytes = 64 * 1024;  // curl hands over up to 64 KiB per read...
  opts.chunk_bytes = 10'000;              // ...which is cut into pieces of 10,000 bytes
  ThreadExecutor consumer("test-consumer");
  HttpClient client(opts);
  constexpr std::uint64_t kSize = 4u << 20;
  std::vector<std::uint8_t> received;
  std::size_t largest = 0;
  int full_pieces = 0;
  std::promise<Result> done;
  client.submit(get(server.url("/bytes/" + std::to_string(kSize))), consumer,
                RequestCallbacks{[&](const BodyChunk& chunk) {
                                   largest = std::max(largest, chunk.size());
                                   if (chunk.size() == opts.chunk_bytes) ++full_pieces;
                                   received.insert(received.end(), chunk.begin(), chunk.end());
                                 },
                                 [&](Result r) { done.set_value(std::move(r)); }});
  auto fut = done.get_future();
  REQUIRE(fut.wait_for(kWaitBound) == std::future_status::ready);
  REQUIRE(fut.get().ok());
  CHECK(largest == opts.chunk_bytes);
  CHECK(full_pieces >= 300);  // 419 fit in 4 MiB; pieces are cut short only at a flush
  REQUIRE(received.size() == kSize);
  CHECK(matches_pattern(received, 0));
}

TEST_CASE("50 concurrent transfers all complete and share capped connections", "[net][flow]") {
  TestServer server;
  int reused = 0;
  ClientOptions opts;
  opts.max_host_connections = 4;
  ThreadExecutor exec("test-exec");
  HttpClient client(opts);
  constexpr int kCount = 50;
  std::vector<std::promise<Result>> done(kCount);
  for (int i = 0; i < kCount; ++i) {
    client.submit(get(server.url("/bytes/" + std::to_string(100000 + i))), exec,
                  RequestCallbacks{{}, [&done, i](Result r) {
                                     done[static_cast<std::size_t>(i)].set_value(std::move(r));
                                   }});
  }
  for (int i = 0; i < kCount; ++i) {
    auto fut = done[static_cast<std::size_t>(i)].get_future();
    REQUIRE(fut.wait_for(kWaitBound) == std::future_status::ready);
    Result r = fut.get();
    INFO("transfer " << i << ": " << (r.error ? r.error->describe() : std::string("ok")));
    REQUIRE(r.ok());
    CHECK(r.response.body.size() == static_cast<std::size_t>(100000 + i));
    if (r.response.connection_reused) ++reused;
  }
  CHECK(reused >= kCount - 4);  // at most 4 connections were opened
  CHECK(client.in_flight() == 0);
}

TEST_CASE("shutdown with transfers in flight cancels each exactly once and returns promptly", "[net][flow]") {
  TestServer server;
  ThreadExecutor exec("test-exec");
  std::atomic<int> completions{0};
  std::atomic<int> cancelled{0};
  constexpr int kCount = 20;
  Latch all_started;
  std::atomic<int> first_bytes{0};
  {
    ClientOptions opts;
    opts.max_host_connections = kCount;  // every transfer gets its own connection at once
    HttpClient client(opts);
    for (int i = 0; i < kCount; ++i) {
      // Half stall mid-body (the server holds them open), half are large bodies still streaming.
      const std::string path = i % 2 == 0 ? "/stall/100" : "/bytes/" + std::to_string(16u << 20);
      Request req = get(server.url(path));
      req.max_body_bytes = 128u << 20;
      client.submit(req, exec,
                    RequestCallbacks{[&, got = std::make_shared<bool>(false)](const BodyChunk&) {
                                       if (!*got && (*got = true, ++first_bytes == kCount)) all_started.open();
                                     },
                                     [&](Result r) {
                                       ++completions;
                                       if (r.error && r.error->code == NetErrorCode::kCancelled) ++cancelled;
                                     }});
    }
    const bool started = all_started.wait();
    INFO("transfers with a first byte: " << first_bytes.load());
    REQUIRE(started);
    const auto t0 = std::chrono::steady_clock::now();
    client.shutdown();
    CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(2));
    auto late = std::make_shared<std::promise<Result>>();
    client.submit(get(server.url("/bytes/10")), exec,
                  RequestCallbacks{{}, [late](Result r) { late->set_value(std::move(r)); }});
    auto fut = late->get_future();
    REQUIRE(fut.wait_for(kWaitBound) == std::future_status::ready);
    Result r = fut.get();
    REQUIRE(r.error);
    CHECK(r.error->code == NetErrorCode::kCancelled);
  }
  std::promise<void> drained;  // the executor runs tasks in order: after this, all completions ran
  exec.post([&] { drained.set_value(); });
  REQUIRE(drained.get_future().wait_for(kWaitBound) == std::future_status::ready);
  CHECK(completions == kCount);
  CHECK(cancelled >= kCount / 2);  // the stalled ones at least; big ones may have finished
}

TEST_CASE("higher priority requests start first when transfers queue for a slot", "[net][flow]") {
  TestServer server;
  ThreadExecutor exec("test-exec");
  ClientOptions opts;
  opts.max_active_transfers = 1;
  HttpClient client(opts);
  std::mutex mu;
  std::vector<std::string> order;
  std::promise<void> all;
  std::atomic<int> left{4};
  auto record = [&](const std::string& name) {
    {
      std::lock_guard<std::mutex> lock(mu);
      order.push_back(name);
    }
    if (--left == 0) all.set_value();
  };
  // A blocker holds the only slot (the server stalls it) while the others queue behind it.
  std::promise<void> blocking;
  client.submit(get(server.url("/stall/10")), exec,
                RequestCallbacks{[&, once = std::make_shared<bool>(false)](const BodyChunk&) {
                                   if (!std::exchange(*once, true)) blocking.set_value();
                                 },
                                 [&](Result) { record("blocker"); }});
  REQUIRE(blocking.get_future().wait_for(kWaitBound) == std::future_status::ready);
  for (const auto& [name, priority] : std::vector<std::pair<std::string, Priority>>{{"low", Priority::kLow},
                                                                                    {"normal", Priority::kNormal},
                                                                                    {"high", Priority::kHigh}}) {
    Request req = get(server.url("/bytes/100?" + name));
    req.priority = priority;
    client.submit(req, exec, RequestCallbacks{{}, [&, n = name](Result) { record(n); }});
  }
  // All three are in the net thread's inbox before the gate opens, so the slot frees only once
  // they are all queued and the priority order alone decides.
  server.release_gate();
  REQUIRE(all.get_future().wait_for(kWaitBound) == std::future_status::ready);
  CHECK(order == std::vector<std::string>{"blocker", "high", "normal", "low"});
}

}  // namespace abrplay::net::test
