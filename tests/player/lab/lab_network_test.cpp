// LabNetwork: the trace-shaped link on virtual time (kManual loop, ManualClock): round trips,
// rates, one shared bottleneck, trace changes, faults, ranges and cancellation. No sockets.
#include <catch2/catch.hpp>

#include <optional>
#include <vector>

#include "abrplay/abr/trace/trace.h"
#include "abrplay/player/engine/event_loop.h"
#include "abrplay/player/lab/lab_network.h"
#include "abrplay/player/lab/manual_clock.h"

namespace abrplay::lab::test {

namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;

abr::Trace flat_trace(double kbps, std::chrono::seconds length = std::chrono::seconds(1000)) {
  return abr::Trace{"flat", {abr::TraceSegment{length, kbps, microseconds(0)}}};
}

struct Outcome {
  std::optional<net::Result> result;
  std::vector<std::size_t> chunk_sizes;
  std::vector<SteadyTime> chunk_at;
  std::vector<std::uint8_t> bytes;
  std::optional<SteadyTime> done_at;
};

// A lab network on one loop, driven to completion by moving the clock from deadline to deadline.
struct Bench {
  explicit Bench(LabLinkParams params, std::shared_ptr<LabContent> c = nullptr)
      : content(c ? c : std::make_shared<LabContent>()), net(loop, content, std::move(params)) {}

  Outcome& get(const std::string& path, std::optional<net::ByteRange> range = std::nullopt, bool stream = true,
               net::Timeouts timeouts = {}) {
    outcomes.push_back(std::make_unique<Outcome>());
    Outcome* o = outcomes.back().get();
    net::Request r;
    r.url = "http://lab.invalid" + path;
    r.range = range;
    r.timeouts = timeouts;
    net::RequestCallbacks cb;
    if (stream) {
      cb.on_chunk = [o, this](const net::BodyChunk& c) {
        o->chunk_sizes.push_back(c.size());
        o->chunk_at.push_back(clock.steady());
        o->bytes.insert(o->bytes.end(), c.begin(), c.end());
      };
    }
    cb.on_complete = [o, this](net::Result res) {
      o->done_at = clock.steady();
      if (res.ok() && !res.response.body.empty()) o->bytes = res.response.body;
      o->result = std::move(res);
    };
    ids.push_back(net.submit(std::move(r), loop, std::move(cb)));
    return *o;
  }
  // Runs until nothing is left to do, or until virtual time `limit`.
  void run(microseconds limit = std::chrono::seconds(600)) {
    const SteadyTime end = clock.steady() + limit;
    for (;;) {
      loop.run_until_idle();
      auto next = loop.next_deadline();
      if (!next || *next > end) return;
      clock.advance_to(*next);
    }
  }
  double seconds_since_start(const Outcome& o) const {
    return std::chrono::duration<double>(*o.done_at - start).count();
  }
  double first_chunk_s(const Outcome& o) const {
    return o.chunk_at.empty() ? -1 : std::chrono::duration<double>(o.chunk_at.front() - start).count();
  }

  ManualClock clock;
  engine::EventLoop loop{clock, engine::EventLoop::Mode::kManual};
  const SteadyTime start = clock.steady();
  std::shared_ptr<LabContent> content;
  LabNetwork net;
  std::vector<std::unique_ptr<Outcome>> outcomes;
  std::vector<net::RequestId> ids;
};

// One GET of a `size`-byte file "/x" over a link with `p`, run to the end.
std::unique_ptr<Bench> fetch_one(LabLinkParams p, std::uint64_t size) {
  auto content = std::make_shared<LabContent>();
  content->add_size_only("/x", size);
  auto b = std::make_unique<Bench>(std::move(p), content);
  b->get("/x");
  b->run();
  REQUIRE(b->outcomes.front()->result);
  return b;
}

std::vector<std::uint8_t> pattern(std::size_t n) {
  std::vector<std::uint8_t> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = static_cast<std::uint8_t>(i * 7 + 3);
  return v;
}

}  // namespace

TEST_CASE(
    "a 1 MB body on an 8 Mbit/s trace with 40 ms rtt takes 40 ms + 1 s: chunks 10 ms after the first byte, then every 20 ms",
    "[lab][network]") {
  LabLinkParams p;
  p.trace = flat_trace(8000);
  p.rtt = milliseconds(40);
  auto content = std::make_shared<LabContent>();
  content->add("/a.m4s", pattern(1'000'000));
  Bench b(p, content);
  Outcome& o = b.get("/a.m4s");
  b.run();
  REQUIRE(o.result);
  REQUIRE(o.result->ok());
  CHECK(o.result->response.status == 200);
  CHECK(b.seconds_since_start(o) == Approx(1.040).margin(0.001));
  CHECK(o.bytes == pattern(1'000'000));
  REQUIRE(o.chunk_sizes.size() >= 50);
  CHECK(o.chunk_sizes.size() <= 51);
  CHECK(o.chunk_sizes.front() == 10'000);  // 10 ms at 1 MB/s
  CHECK(o.chunk_sizes[1] == 20'000);
  CHECK(o.result->response.timing.ttfb == milliseconds(40));
  CHECK(b.net.stats().body_bytes == 1'000'000);
}

TEST_CASE(
    "the first chunk is the origin's: 10 ms of the rate, at least one packet, delivered when the link has carried it",
    "[lab][network]") {
  SECTION("400 kbit/s: 10 ms would be 500 bytes, so one 1500-byte packet, 30 ms after the headers") {
    LabLinkParams p;
    p.trace = flat_trace(400);
    p.rtt = milliseconds(40);
    const auto b = fetch_one(p, 100'000);
    const Outcome& o = *b->outcomes.front();
    REQUIRE_FALSE(o.chunk_sizes.empty());
    CHECK(o.chunk_sizes.front() == Approx(1500).margin(2));
    CHECK(b->first_chunk_s(o) == Approx(0.070).margin(0.0005));
  }
  SECTION("a dead stretch of the trace: the first chunk waits for the link to come back") {
    LabLinkParams p;
    p.trace = abr::Trace{"gap",
                         {abr::TraceSegment{milliseconds(100), 8000, microseconds(0)},
                          abr::TraceSegment{milliseconds(200), 0, microseconds(0)},
                          abr::TraceSegment{milliseconds(10'000), 8000, microseconds(0)}}};
    p.rtt = milliseconds(100);  // the headers at 100 ms, as the link dies
    const auto b = fetch_one(p, 100'000);
    const Outcome& o = *b->outcomes.front();
    CHECK(o.chunk_sizes.front() == Approx(1500).margin(2));       // what the link carried by that microsecond
    CHECK(b->first_chunk_s(o) == Approx(0.3015).margin(0.0005));  // 1500 bytes at 1 MB/s after 300 ms
  }
}

TEST_CASE("two concurrent transfers share one bottleneck: each at half the rate, the rest at full rate",
          "[lab][network]") {
  LabLinkParams p;
  p.trace = flat_trace(8000);  // 1 MB/s
  auto content = std::make_shared<LabContent>();
  content->add_size_only("/big.m4s", 1'000'000);
  content->add_size_only("/small.m4s", 250'000);
  Bench b(p, content);
  Outcome& big = b.get("/big.m4s");
  Outcome& small = b.get("/small.m4s");
  b.run();
  REQUIRE(big.result);
  REQUIRE(small.result);
  // Both at 0.5 MB/s until small has 250 KB (0.5 s); big then has 750 KB left at 1 MB/s.
  CHECK(b.seconds_since_start(small) == Approx(0.5).margin(0.001));
  CHECK(b.seconds_since_start(big) == Approx(1.25).margin(0.001));
  CHECK(big.bytes.size() == 1'000'000);
  CHECK(std::all_of(big.bytes.begin(), big.bytes.end(), [](std::uint8_t x) { return x == 0; }));
}

TEST_CASE("the trace clock starts at the first request and a bandwidth step applies mid-transfer", "[lab][network]") {
  LabLinkParams p;
  p.trace = abr::Trace{"step",
                       {abr::TraceSegment{std::chrono::seconds(1), 8000, microseconds(0)},
                        abr::TraceSegment{std::chrono::seconds(100), 800, microseconds(0)}}};
  auto content = std::make_shared<LabContent>();
  content->add_size_only("/x", 1'100'000);
  Bench b(p, content);
  b.clock.advance(std::chrono::seconds(5));  // time before the first request does not count
  Outcome& o = b.get("/x");
  b.run();
  REQUIRE(o.result);
  // 1 MB in the first second at 1 MB/s, then 100 KB at 100 KB/s.
  CHECK(std::chrono::duration<double>(*o.done_at - b.start).count() == Approx(5 + 2.0).margin(0.001));
}

TEST_CASE("a trace's own latency adds to the rtt before the first byte", "[lab][network]") {
  LabLinkParams p;
  p.trace = abr::Trace{"lat", {abr::TraceSegment{std::chrono::seconds(100), 8000, milliseconds(30)}}};
  p.rtt = milliseconds(20);
  const auto b = fetch_one(p, 100'000);
  CHECK(b->seconds_since_start(*b->outcomes.front()) == Approx(0.050 + 0.1).margin(0.001));
}

TEST_CASE("the per-request overhead adds to the rtt before every first byte, not to the transfer", "[lab][network]") {
  LabLinkParams p;
  p.trace = flat_trace(8000);  // 1 MB/s
  p.rtt = milliseconds(40);
  p.request_overhead = milliseconds(3);
  auto content = std::make_shared<LabContent>();
  content->add_size_only("/x", 100'000);
  content->add_size_only("/y", 100'000);
  Bench b(p, content);
  Outcome& x = b.get("/x");
  b.run();
  REQUIRE(x.result);
  CHECK(x.result->response.timing.ttfb == milliseconds(43));
  CHECK(b.seconds_since_start(x) == Approx(0.043 + 0.1).margin(0.001));
  Outcome& y = b.get("/y");  // a second request pays it again
  b.run();
  REQUIRE(y.result);
  CHECK(y.result->response.timing.ttfb == milliseconds(43));
}

TEST_CASE("a missing path is a 404 after the round trip: a URL that is not http(s) is kBadUrl at once",
          "[lab][network]") {
  LabLinkParams p;
  p.rtt = milliseconds(40);
  Bench b(p);
  Outcome& missing = b.get("/nope.m4s");
  b.outcomes.push_back(std::make_unique<Outcome>());
  Outcome* bad = b.outcomes.back().get();
  net::Request r;
  r.url = "ftp://lab.invalid/x";
  b.net.submit(std::move(r), b.loop,
               {.on_chunk = {}, .on_complete = [bad](net::Result res) { bad->result = std::move(res); }});
  b.run();
  REQUIRE(missing.result);
  REQUIRE(missing.result->error);
  CHECK(missing.result->error->code == net::NetErrorCode::kHttpStatus);
  CHECK(missing.result->error->http_status == 404);
  CHECK(missing.result->error->message.find("/nope.m4s") != std::string::npos);
  CHECK(b.seconds_since_start(missing) == Approx(0.040).margin(0.001));
  REQUIRE(bad->result);
  CHECK(bad->result->error->code == net::NetErrorCode::kBadUrl);
}

TEST_CASE("a byte range returns exactly those bytes with 206: a range past the end is a 416", "[lab][network]") {
  auto content = std::make_shared<LabContent>();
  content->add("/f.mp4", pattern(1000));
  Bench b(LabLinkParams{}, content);
  Outcome& part = b.get("/f.mp4", net::ByteRange{100, 199}, false);
  Outcome& tail = b.get("/f.mp4", net::ByteRange{900, std::nullopt});
  Outcome& past = b.get("/f.mp4", net::ByteRange{1000, 1100});
  b.run();
  REQUIRE(part.result);
  CHECK(part.result->response.status == 206);
  const auto all = pattern(1000);
  CHECK(part.bytes == std::vector<std::uint8_t>(all.begin() + 100, all.begin() + 200));
  CHECK(tail.bytes == std::vector<std::uint8_t>(all.begin() + 900, all.end()));
  REQUIRE(past.result->error);
  CHECK(past.result->error->http_status == 416);
}

TEST_CASE("faults: a status answer, a reset after N bytes, a stall until the stall timeout: each only `times` times",
          "[lab][network]") {
  LabLinkParams p;
  p.trace = flat_trace(8000);
  p.faults = {LabFault{LabFault::Kind::kStatus, "/s.m4s", 1, 503, 0},
              LabFault{LabFault::Kind::kReset, "/r.m4s", 1, 0, 300'000},
              LabFault{LabFault::Kind::kStall, "/t.m4s", 1, 0, 200'000}};
  auto content = std::make_shared<LabContent>();
  for (const char* f : {"/s.m4s", "/r.m4s", "/t.m4s"}) content->add_size_only(f, 500'000);
  Bench b(p, content);
  net::Timeouts t;
  t.stall = milliseconds(2000);
  Outcome& s = b.get("/s.m4s");
  Outcome& r = b.get("/r.m4s");
  Outcome& st = b.get("/t.m4s", std::nullopt, true, t);
  b.run();
  REQUIRE(s.result->error);
  CHECK(s.result->error->http_status == 503);
  REQUIRE(r.result->error);
  CHECK(r.result->error->code == net::NetErrorCode::kIo);
  CHECK(r.bytes.size() == 300'000);
  REQUIRE(st.result->error);
  CHECK(st.result->error->code == net::NetErrorCode::kTimeout);
  CHECK(st.bytes.size() == 200'000);
  // The stalled one got its 200 KB by about 0.6 s (3 then 2 sharing 1 MB/s), then 2 s of silence.
  CHECK(b.seconds_since_start(st) > 2.0);
  CHECK(b.seconds_since_start(st) < 3.0);
  // Second time round, no fault.
  Outcome& again = b.get("/r.m4s");
  b.run();
  REQUIRE(again.result);
  CHECK(again.result->ok());
  CHECK(again.bytes.size() == 500'000);
}

TEST_CASE("cancel completes the request once with kCancelled and gives its share back", "[lab][network]") {
  LabLinkParams p;
  p.trace = flat_trace(8000);
  auto content = std::make_shared<LabContent>();
  content->add_size_only("/a", 1'000'000);
  content->add_size_only("/b", 1'000'000);
  Bench b(p, content);
  Outcome& a = b.get("/a");
  Outcome& c = b.get("/b");
  b.run(milliseconds(500));  // each has about 250 KB
  const double cancelled_at = std::chrono::duration<double>(b.clock.steady() - b.start).count();
  REQUIRE(cancelled_at > 0.3);
  b.net.cancel(b.ids[0]);
  b.net.cancel(b.ids[0]);  // twice: still one completion
  b.run();
  REQUIRE(a.result);
  CHECK(a.result->error->code == net::NetErrorCode::kCancelled);
  REQUIRE(c.result);
  CHECK(c.result->ok());
  // b: half the link until the cancel, then the rest alone at 1 MB/s.
  CHECK(b.seconds_since_start(c) == Approx(1.0 + 0.5 * cancelled_at).margin(0.001));
}

}  // namespace abrplay::lab::test
