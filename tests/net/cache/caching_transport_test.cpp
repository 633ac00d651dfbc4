// CachingTransport over a real HttpClient and the test server on 127.0.0.1: fresh hits make no
// request, stale entries are revalidated (304), what may not be cached is not, cancels and
// streaming keep the Transport contract.
#include <catch2/catch.hpp>

#include <atomic>
#include <future>

#include "abrplay/net/caching_transport.h"
#include "abrplay/net/http_client.h"
#include "support/sync_fetch.h"
#include "support/test_server.h"

namespace abrplay::net::test {
namespace {

// Wall time that moves only when told (the entries' dates); steady time is unused here.
class StepClock final : public Clock {
 public:
  SteadyTime steady() const override { return SteadyTime{}; }
  WallTime wall() const override { return WallTime(std::chrono::microseconds(now_us_.load())); }
  void advance(std::chrono::seconds s) { now_us_ += std::chrono::microseconds(s).count(); }

 private:
  std::atomic<std::int64_t> now_us_{1'704'067'200'000'000LL};
};

std::optional<Result> through(Transport& t, Request request, bool streamed = false,
                              std::vector<std::uint8_t>* chunks = nullptr) {
  static InlineExecutor inline_executor;
  auto promise = std::make_shared<std::promise<Result>>();
  auto future = promise->get_future();
  RequestCallbacks cbs;
  if (streamed) {
    cbs.on_chunk = [chunks](const BodyChunk& c) { chunks->insert(chunks->end(), c.begin(), c.end()); };
  }
  cbs.on_complete = [promise](Result r) { promise->set_value(std::move(r)); };
  t.submit(std::move(request), inline_executor, std::move(cbs));
  if (future.wait_for(kWaitBound) != std::future_status::ready) return std::nullopt;
  return future.get();
}

Result through_ok(Transport& t, Request request) {
  auto r = through(t, std::move(request));
  REQUIRE(r);
  INFO((r->error ? r->error->describe() : std::string()));
  REQUIRE(r->ok());
  return std::move(*r);
}

struct Rig {
  explicit Rig(CacheOptions options = {}) : cache(http, clock, std::move(options)) {}
  ~Rig() { http.shutdown(); }  // the cache outlives every completion (caching_transport.h)
  Rig(const Rig&) = delete;
  Rig& operator=(const Rig&) = delete;
  TestServer server;
  HttpClient http;
  StepClock clock;
  CachingTransport cache;
};

}  // namespace

TEST_CASE("a fresh cached response is served again without a request, collected or streamed", "[net][cache][http]") {
  Rig rig;
  const std::string url = rig.server.url("/cacheable/30000?cc=max-age%3D60");
  auto first = through_ok(rig.cache, get(url));
  CHECK_FALSE(first.response.from_cache);
  CHECK(first.response.body.size() == 30000);

  auto second = through_ok(rig.cache, get(url));
  CHECK(second.response.from_cache);
  CHECK(second.response.status == 200);
  CHECK(second.response.body == first.response.body);
  CHECK(second.response.header("cache-control") == std::string_view("max-age=60"));

  std::vector<std::uint8_t> chunks;
  auto streamed = through(rig.cache, get(url), true, &chunks);
  REQUIRE(streamed);
  REQUIRE(streamed->ok());
  CHECK(streamed->response.body.empty());
  CHECK(chunks == first.response.body);
  CHECK(rig.server.hits("/cacheable/30000") == 1);

  const CacheStats s = rig.cache.stats();
  CHECK(s.hits == 2);
  CHECK(s.misses == 1);
  CHECK(s.bytes_served == 60000);
  CHECK(s.bytes_stored == 30000);

  // Past max-age, with no validator: fetched again.
  rig.clock.advance(std::chrono::seconds(60));
  auto third = through_ok(rig.cache, get(url));
  CHECK_FALSE(third.response.from_cache);
  CHECK(rig.server.hits("/cacheable/30000") == 2);
}

TEST_CASE("a streamed response is stored as it passes and served from the cache the next time", "[net][cache][http]") {
  Rig rig;
  const std::string url = rig.server.url("/cacheable/200000?cc=max-age%3D60");
  std::vector<std::uint8_t> a, b;
  auto first = through(rig.cache, get(url), true, &a);
  REQUIRE((first && first->ok()));
  auto second = through(rig.cache, get(url), true, &b);
  REQUIRE((second && second->ok()));
  CHECK(second->response.from_cache);
  CHECK(a.size() == 200000);
  CHECK(a == b);
  CHECK(matches_pattern(b, 0));
  CHECK(rig.server.hits("/cacheable/200000") == 1);
}

TEST_CASE("a stale entry with an ETag is revalidated with If-None-Match and a 304 serves the stored body",
          "[net][cache][http]") {
  Rig rig;
  const std::string url = rig.server.url("/cacheable/5000?cc=no-cache&etag=v7");
  auto first = through_ok(rig.cache, get(url));
  auto second = through_ok(rig.cache, get(url));
  CHECK(rig.server.hits("/cacheable/5000") == 2);
  CHECK(rig.server.hits("/cacheable/5000 304") == 1);
  CHECK(second.response.status == 200);
  CHECK(second.response.from_cache);
  CHECK(second.response.body == first.response.body);
  const CacheStats s = rig.cache.stats();
  CHECK(s.revalidations == 1);
  CHECK(s.hits == 0);
  CHECK(s.bytes_served == 5000);
}

TEST_CASE("a byte range is its own entry", "[net][cache][http]") {
  Rig rig;
  const std::string url = rig.server.url("/cacheable/10000?cc=max-age%3D60");
  Request r1 = get(url);
  r1.range = ByteRange{0, 999};
  Request r2 = get(url);
  r2.range = ByteRange{1000, 1999};
  auto a = through_ok(rig.cache, r1);
  auto b = through_ok(rig.cache, r2);
  auto a2 = through_ok(rig.cache, r1);
  CHECK(a.response.status == 206);
  CHECK(a2.response.status == 206);
  CHECK(a2.response.from_cache);
  CHECK(a2.response.body == a.response.body);
  CHECK(matches_pattern(b.response.body, 1000));
  CHECK(rig.server.hits("/cacheable/10000") == 2);
}

TEST_CASE("no-store responses, POSTs, errors and a disabled cache always go to the network", "[net][cache][http]") {
  Rig rig;
  const std::string no_store = rig.server.url("/cacheable/100?cc=no-store");
  (void)through_ok(rig.cache, get(no_store));
  (void)through_ok(rig.cache, get(no_store));
  CHECK(rig.server.hits("/cacheable/100") == 2);

  Request post = get(rig.server.url("/post"));
  post.post_body = "x";
  (void)through_ok(rig.cache, post);
  (void)through_ok(rig.cache, post);
  CHECK(rig.server.hits("/post") == 2);

  auto failed = through(rig.cache, get(rig.server.url("/status/404")));
  REQUIRE(failed);
  CHECK(failed->error);
  auto again = through(rig.cache, get(rig.server.url("/status/404")));
  CHECK(rig.server.hits("/status/404") == 2);

  const std::string url = rig.server.url("/cacheable/100?cc=max-age%3D60");
  rig.cache.set_enabled(false);
  (void)through_ok(rig.cache, get(url));
  (void)through_ok(rig.cache, get(url));
  CHECK(rig.server.hits("/cacheable/100") == 4);
  rig.cache.set_enabled(true);
  (void)through_ok(rig.cache, get(url));
  (void)through_ok(rig.cache, get(url));
  CHECK(rig.server.hits("/cacheable/100") == 5);
}

TEST_CASE("a cache hit cancelled before its task runs completes once, with network.cancelled", "[net][cache][http]") {
  Rig rig;
  const std::string url = rig.server.url("/cacheable/1000?cc=max-age%3D60");
  (void)through_ok(rig.cache, get(url));
  QueueExecutor queue;
  int completions = 0;
  std::optional<Result> got;
  const RequestId id = rig.cache.submit(get(url), queue, RequestCallbacks{{}, [&](Result r) {
                                                                            ++completions;
                                                                            got = std::move(r);
                                                                          }});
  rig.cache.cancel(id);
  rig.cache.cancel(id);
  while (queue.run_one(std::chrono::steady_clock::now())) {
  }
  CHECK(completions == 1);
  REQUIRE(got);
  REQUIRE(got->error);
  CHECK(got->error->code == NetErrorCode::kCancelled);
  rig.cache.cancel(id);  // finished: nothing happens
}

TEST_CASE("a transfer cancelled half-way is not stored", "[net][cache][http]") {
  Rig rig;
  const std::string url = rig.server.url("/stall/1000?cc=max-age%3D60");
  QueueExecutor queue;
  std::atomic<int> chunks{0};
  std::optional<Result> got;
  RequestCallbacks cbs;
  cbs.on_chunk = [&](const BodyChunk&) { ++chunks; };
  cbs.on_complete = [&](Result r) { got = std::move(r); };
  const RequestId id = rig.cache.submit(get(url), queue, std::move(cbs));
  const auto limit = std::chrono::steady_clock::now() + kWaitBound;
  while (chunks == 0 && std::chrono::steady_clock::now() < limit) queue.run_one(limit);
  rig.cache.cancel(id);
  while (!got && std::chrono::steady_clock::now() < limit) queue.run_one(limit);
  REQUIRE(got);
  CHECK(got->error);
  CHECK(rig.cache.stats().bytes_stored == 0);
}

TEST_CASE("a body over the entry limit is passed on but not stored, collected or streamed", "[net][cache][http]") {
  CacheOptions options;
  options.max_entry_bytes = 10'000;
  Rig rig(options);
  const std::string url = rig.server.url("/cacheable/50000?cc=max-age%3D60");
  std::vector<std::uint8_t> chunks;
  auto streamed = through(rig.cache, get(url), true, &chunks);
  REQUIRE((streamed && streamed->ok()));
  CHECK(chunks.size() == 50000);
  auto collected = through_ok(rig.cache, get(url));
  CHECK(collected.response.body.size() == 50000);
  CHECK_FALSE(collected.response.from_cache);
  CHECK(rig.server.hits("/cacheable/50000") == 2);
  CHECK(rig.cache.stats().bytes_stored == 0);
  // Within the limit, the same route is stored.
  (void)through_ok(rig.cache, get(rig.server.url("/cacheable/5000?cc=max-age%3D60")));
  CHECK(through_ok(rig.cache, get(rig.server.url("/cacheable/5000?cc=max-age%3D60"))).response.from_cache);
}

}  // namespace abrplay::net::test
