// Fetcher: retries, failover and resume, end to end against real servers on 127.0.0.1.
#include <catch2/catch.hpp>

#include <future>

#include "abrplay/net/fetcher.h"
#include "support/sync_fetch.h"
#include "support/test_server.h"

namespace abrplay::net::test {
namespace {

FetcherConfig fast_config(std::vector<HostCandidate> hosts = {}) {
  FetcherConfig c;
  c.hosts = std::move(hosts);
  c.retry.base_delay = std::chrono::milliseconds(5);  // keep the suite fast; backoff is unit-tested
  c.random = [] { return 0.0; };
  return c;
}

struct Harness {
  explicit Harness(FetcherConfig config) : fetcher(client, owner, std::move(config)) {}

  FetchOutcome run(Request req, std::function<void(const BodyChunk&)> on_chunk = {}) {
    auto promise = std::make_shared<std::promise<FetchOutcome>>();
    auto future = promise->get_future();
    fetcher.fetch(std::move(req),
                  FetchCallbacks{std::move(on_chunk), [promise](FetchOutcome o) { promise->set_value(std::move(o)); }});
    REQUIRE(future.wait_for(kWaitBound) == std::future_status::ready);
    return future.get();
  }

  ThreadExecutor owner{"test-owner"};  // destroyed last: the client still posts to it
  HttpClient client;
  Fetcher fetcher;
};

}  // namespace

TEST_CASE("a dead host fails over to a live one, which serves from then on", "[net][fetcher]") {
  TestServer live;
  std::vector<HostChoice> choices;  // written on the owner thread, read after completion
  auto config = fast_config({{"http://127.0.0.1:1/media/", 1, 1}, {live.url("/"), 2, 1}});
  config.on_host_chosen = [&](const HostChoice& c) { choices.push_back(c); };
  Harness h(config);
  auto first = h.run(get("bytes/5000"));
  REQUIRE(first);
  CHECK(first->base_url == live.url("/"));
  CHECK(first->attempts == 2);
  CHECK(first->response.body.size() == 5000);
  auto second = h.run(get("bytes/10"));
  REQUIRE(second);
  CHECK(second->attempts == 1);  // the dead host is excluded now
  REQUIRE(choices.size() == 3);
  CHECK(choices[0].base_url == "http://127.0.0.1:1/media/");
  CHECK(choices[1].base_url == live.url("/"));
  CHECK(choices[2].base_url == live.url("/"));
}

TEST_CASE("a 503 is retried and then succeeds: a 404 is not retried", "[net][fetcher]") {
  TestServer server;
  Harness h(fast_config({{server.url("/"), 1, 1}}));
  auto flaky = h.run(get("flaky/a?fail=2&code=503"));
  REQUIRE(flaky);
  CHECK(flaky->attempts == 3);
  CHECK(flaky->response.body.size() == 100000);
  auto timeout408 = h.run(get("flaky/b?fail=1&code=408"));
  REQUIRE(timeout408);
  CHECK(timeout408->attempts == 2);
  auto missing = h.run(get("status/404"));
  REQUIRE_FALSE(missing);
  CHECK(missing.error().http_status == 404);
  CHECK(server.hits("/status/404") == 1);
  CHECK(missing.error().message.find("after 1 attempt: not_retryable") != std::string::npos);
}

TEST_CASE("a 429 with Retry-After waits at least that long before the retry", "[net][fetcher]") {
  TestServer server;
  Harness h(fast_config({{server.url("/"), 1, 1}}));
  const auto t0 = std::chrono::steady_clock::now();
  auto r = h.run(get("flaky/c?fail=1&code=429&retry_after=1"));
  const auto elapsed = std::chrono::steady_clock::now() - t0;
  REQUIRE(r);
  CHECK(r->attempts == 2);
  CHECK(elapsed >= std::chrono::milliseconds(1000));  // the backoff alone would be 5 ms
}

TEST_CASE("a transfer that keeps stalling is retried up to max_attempts, then fails as a stall", "[net][fetcher]") {
  TestServer server;
  Harness h(fast_config());
  Request req = get(server.url("/stall/2000"));
  req.timeouts.stall = std::chrono::milliseconds(300);
  auto r = h.run(req);  // /stall never completes: every attempt stalls
  REQUIRE_FALSE(r);
  CHECK(r.error().timeout == TimeoutKind::kStall);
  CHECK(r.error().message.find("attempts_exhausted") != std::string::npos);
  CHECK(server.hits("/stall/2000") == 4);
}

TEST_CASE("attempts are bounded: a host that always fails gives up with the last error", "[net][fetcher]") {
  TestServer server;
  auto config = fast_config();
  config.retry.max_attempts = 3;
  Harness h(config);
  auto r = h.run(get(server.url("/status/500")));
  REQUIRE_FALSE(r);
  CHECK(r.error().code == NetErrorCode::kHttpStatus);
  CHECK(server.hits("/status/500") == 3);
  CHECK(r.error().message.find("attempts_exhausted") != std::string::npos);
}

TEST_CASE("a body cut half way resumes with a Range request, buffered and streamed", "[net][fetcher]") {
  TestServer server;
  Harness h(fast_config({{server.url("/"), 1, 1}}));
  auto buffered = h.run(get("drop/one/200000"));
  REQUIRE(buffered);
  CHECK(buffered->attempts == 2);
  REQUIRE(buffered->response.body.size() == 200000);
  CHECK(matches_pattern(buffered->response.body, 0));
  CHECK(buffered->response.status == 206);  // the second attempt asked for the rest only

  std::vector<std::uint8_t> streamed;
  auto r = h.run(get("drop/two/300000"),
                 [&](const BodyChunk& c) { streamed.insert(streamed.end(), c.begin(), c.end()); });
  REQUIRE(r);
  REQUIRE(streamed.size() == 300000);  // no byte repeated or lost
  CHECK(matches_pattern(streamed, 0));
}

TEST_CASE("a fetch cancelled during its backoff completes once with cancelled", "[net][fetcher]") {
  TestServer server;
  auto config = fast_config();
  config.retry.base_delay = std::chrono::milliseconds(60'000);  // the retry would wait a minute
  Harness h(config);
  auto promise = std::make_shared<std::promise<FetchOutcome>>();
  std::promise<void> failed_once;
  const auto id = h.fetcher.fetch(get(server.url("/status/503")),
                                  FetchCallbacks{{}, [promise](FetchOutcome o) { promise->set_value(std::move(o)); }});
  // The first attempt fails at once; the retry is then queued with its long start delay.
  for (int i = 0; i < 1000 && server.hits("/status/503") == 0; ++i) {
    auto probe = fetch_sync(h.client, get(server.url("/bytes/1")));  // a round trip, not a sleep
    REQUIRE(probe);
  }
  REQUIRE(server.hits("/status/503") == 1);
  h.fetcher.cancel(id);
  auto fut = promise->get_future();
  REQUIRE(fut.wait_for(kWaitBound) == std::future_status::ready);
  auto r = fut.get();
  REQUIRE_FALSE(r);
  CHECK(r.error().code == NetErrorCode::kCancelled);
  CHECK(server.hits("/status/503") == 1);
}

}  // namespace abrplay::net::test
