// The preload's store and transports (player/api/preload_store.h): keys (URL without CMCD, range),
// the byte budget, answers from memory once each, a cancel before delivery, and recording a real
// transfer from abrplay-origin over loopback.
#include <catch2/catch.hpp>

#include <chrono>
#include <string>
#include <vector>

#include "abrplay/core/clock.h"
#include "abrplay/net/http_client.h"
#include "abrplay/player/engine/event_loop.h"
#include "preload_store.h"
#include "test_origin.h"

namespace abrplay::test {
namespace {

net::Request get(std::string url, std::optional<net::ByteRange> range = std::nullopt) {
  net::Request r;
  r.url = std::move(url);
  r.range = range;
  return r;
}

net::Response body_of(std::size_t n) {
  net::Response r;
  r.status = 200;
  r.body.assign(n, 0x5a);
  r.bytes_received = n;
  return r;
}

}  // namespace

TEST_CASE("preload store: the key is the URL without its CMCD argument, plus the byte range", "[api][preload]") {
  using player_impl::preload_key;
  CHECK(preload_key(get("http://h/a.m4s")) == "http://h/a.m4s|");
  CHECK(preload_key(get("http://h/a.m4s?CMCD=br%3D300%2Csid%3D%22x%22")) == "http://h/a.m4s|");
  CHECK(preload_key(get("http://h/a.m4s?t=1&CMCD=ot%3Dv&u=2")) == "http://h/a.m4s?t=1&u=2|");
  CHECK(preload_key(get("http://h/a.m4s?t=1&CMCD=ot%3Dv")) == "http://h/a.m4s?t=1|");
  CHECK(preload_key(get("http://h/a.m4s?XCMCD=1")) == "http://h/a.m4s?XCMCD=1|");  // only the CMCD argument
  CHECK(preload_key(get("http://h/v.mp4", net::ByteRange{0, 999})) == "http://h/v.mp4|0-999");
  CHECK(preload_key(get("http://h/v.mp4", net::ByteRange{1000, std::nullopt})) == "http://h/v.mp4|1000-");
  net::Request post = get("http://h/telemetry");
  post.post_body = "{}";
  CHECK(preload_key(post).empty());
}

TEST_CASE("preload store: keeps within its budget exactly, answers each response once", "[api][preload]") {
  player_impl::PreloadStore store(1000);
  CHECK(store.put(get("http://h/manifest.mpd"), body_of(400)));
  CHECK(store.put(get("http://h/init.mp4"), body_of(600)));  // exactly the budget
  CHECK_FALSE(store.full());
  CHECK_FALSE(store.put(get("http://h/seg-1.m4s"), body_of(1)));  // one byte over: not kept
  CHECK(store.full());
  CHECK_FALSE(store.put(get("http://h/tiny"), body_of(0)));  // full: nothing more, however small
  CHECK(store.bytes() == 1000);
  CHECK(store.responses() == 2);
  auto m = store.take(get("http://h/manifest.mpd?CMCD=sid%3D%22s%22"));  // CMCD on the request
  REQUIRE(m);
  CHECK(m->body.size() == 400);
  CHECK_FALSE(store.take(get("http://h/manifest.mpd")));                      // once
  CHECK_FALSE(store.take(get("http://h/init.mp4", net::ByteRange{0, 599})));  // another range
  CHECK(store.responses() == 1);
  CHECK(store.bytes() == 1000);  // taken bytes were fetched: they still count
}

TEST_CASE("pooled transport: an answer from memory comes once, marked, and a cancel before delivery wins",
          "[api][preload]") {
  SystemClock clock;
  engine::EventLoop loop(clock, engine::EventLoop::Mode::kManual);
  net::HttpClient http;
  auto store = std::make_shared<player_impl::PreloadStore>(1u << 20);
  REQUIRE(store->put(get("http://127.0.0.1:1/a.m4s"), body_of(100)));
  REQUIRE(store->put(get("http://127.0.0.1:1/b.m4s"), body_of(50)));
  int served = 0;
  player_impl::PooledTransport pooled(http, store, [&] { ++served; });

  std::vector<std::size_t> chunks;
  std::vector<net::Result> done;
  net::RequestCallbacks streamed;
  streamed.on_chunk = [&](const net::BodyChunk& c) { chunks.push_back(c.size()); };
  streamed.on_complete = [&](net::Result r) { done.push_back(std::move(r)); };
  pooled.submit(get("http://127.0.0.1:1/a.m4s"), loop, streamed);
  net::RequestCallbacks cancelled;
  cancelled.on_complete = [&](net::Result r) { done.push_back(std::move(r)); };
  const net::RequestId b = pooled.submit(get("http://127.0.0.1:1/b.m4s"), loop, cancelled);
  pooled.cancel(b);
  CHECK(done.empty());  // nothing runs inside submit(): answers come through the executor
  loop.run_until_idle();
  REQUIRE(done.size() == 2);
  REQUIRE(done[0].ok());
  CHECK(done[0].response.from_memory);
  CHECK(done[0].response.body.empty());  // streamed: the body went to on_chunk
  CHECK(chunks == std::vector<std::size_t>{100});
  REQUIRE_FALSE(done[1].ok());
  CHECK(done[1].error->code == net::NetErrorCode::kCancelled);
  CHECK(served == 1);
  // Both were taken: a second request goes to the network (nothing listens on port 1).
  done.clear();
  pooled.submit(get("http://127.0.0.1:1/a.m4s"), loop, cancelled);
  REQUIRE(loop.run_until([&] { return !done.empty(); }, std::chrono::seconds(10)));
  REQUIRE_FALSE(done[0].ok());
  CHECK_FALSE(done[0].response.from_memory);
  http.shutdown();
}

TEST_CASE("recording transport: keeps a real transfer's body, streamed or not, and reports a full budget",
          "[api][preload]") {
  auto origin = start_origin(origin_serving());
  SystemClock clock;
  engine::EventLoop loop(clock, engine::EventLoop::Mode::kManual);
  net::HttpClient http;
  auto store = std::make_shared<player_impl::PreloadStore>(64u << 10);
  int full = 0;
  player_impl::RecordingTransport recording(http, store, [&] { ++full; });
  const std::string mpd = origin->url(0) + "number/manifest.mpd";
  std::vector<net::Result> done;
  net::RequestCallbacks whole;
  whole.on_complete = [&](net::Result r) { done.push_back(std::move(r)); };
  recording.submit(get(mpd), loop, whole);
  REQUIRE(loop.run_until([&] { return done.size() == 1; }, std::chrono::seconds(10)));
  REQUIRE(done[0].ok());
  const std::size_t mpd_size = done[0].response.body.size();
  CHECK(mpd_size > 0);
  CHECK(store->bytes() == mpd_size);
  // A streamed request: the caller gets the chunks, the store the whole body.
  std::size_t streamed_bytes = 0;
  net::RequestCallbacks streamed;
  streamed.on_chunk = [&](const net::BodyChunk& c) { streamed_bytes += c.size(); };
  streamed.on_complete = [&](net::Result r) { done.push_back(std::move(r)); };
  recording.submit(get(mpd, net::ByteRange{0, 99}), loop, streamed);
  REQUIRE(loop.run_until([&] { return done.size() == 2; }, std::chrono::seconds(10)));
  REQUIRE(done[1].ok());
  CHECK(streamed_bytes == 100);
  auto kept = store->take(get(mpd, net::ByteRange{0, 99}));
  REQUIRE(kept);
  CHECK(kept->body.size() == 100);
  // A 404 is never kept; a body past the budget is not kept and reported.
  recording.submit(get(origin->url(0) + "number/none.m4s"), loop, whole);
  REQUIRE(loop.run_until([&] { return done.size() == 3; }, std::chrono::seconds(10)));
  CHECK(full == 0);
  CHECK(store->responses() == 1);
  auto small_store = std::make_shared<player_impl::PreloadStore>(10);
  player_impl::RecordingTransport tight(http, small_store, [&] { ++full; });
  tight.submit(get(mpd), loop, whole);
  REQUIRE(loop.run_until([&] { return done.size() == 4; }, std::chrono::seconds(10)));
  CHECK(done[3].ok());  // the caller still gets its answer
  CHECK(full == 1);
  CHECK(small_store->responses() == 0);
  CHECK(small_store->full());
  http.shutdown();
}

}  // namespace abrplay::test
