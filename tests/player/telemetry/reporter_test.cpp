// Reporter against real HTTP on 127.0.0.1: abrplay-origin's collector for delivery, and a small
// programmable collector for the failure modes (down, 500, slow).
#include <catch2/catch.hpp>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "abrplay/net/http_client.h"
#include "abrplay/player/telemetry/reporter.h"
#include "fake_clock.h"
#include "origin.h"
#include "test_collector.h"
#include "test_origin.h"

namespace tel = abrplay::telemetry;
namespace net = abrplay::net;
using Json = nlohmann::json;
using namespace std::chrono_literals;

namespace {
using abrplay::test::Collector;

// The player thread, run by the test: tasks posted from the net thread wait until the test runs
// them, so Reporter methods and completions share one thread as in the player.
class TestLoop final : public net::Executor {
 public:
  void post(std::function<void()> task) override { queue_.post(std::move(task)); }
  // Runs tasks until `done` holds; false after `limit` of real time (a hang, reported as failure).
  bool run_until(const std::function<bool()>& done, std::chrono::milliseconds limit = 10s) {
    const auto end = std::chrono::steady_clock::now() + limit;
    while (!done()) {
      if (!queue_.run_one(end)) return false;
    }
    return true;
  }

 private:
  net::QueueExecutor queue_;
};

tel::ReporterConfig config(std::string url) {
  tel::ReporterConfig c;
  c.url = std::move(url);
  return c;
}

std::string payload(int seq) { return Json{{"session_id", "s"}, {"seq", seq}}.dump(); }

// The seq values a POST body carries, in order (one object or a batch).
std::vector<int> seqs(const std::string& body) {
  Json j = Json::parse(body);
  if (j.is_object()) j = Json::array({j});
  std::vector<int> out;
  for (const auto& p : j) out.push_back(p["seq"].get<int>());
  return out;
}

}  // namespace

TEST_CASE("heartbeats reach abrplay-origin's collector, one POST each, in order", "[telemetry][reporter]") {
  auto origin = abrplay::test::start_origin(abrplay::test::origin_serving({ABRPLAY_TEST_DATA_DIR}));
  net::HttpClient http;
  TestLoop loop;
  abrplay::test::FakeClock clock;
  tel::Reporter reporter(http, loop, clock, config(origin->url(0) + "telemetry"));
  for (int i = 0; i < 3; ++i) {
    reporter.enqueue(payload(i));
    reporter.poll();
    REQUIRE(loop.run_until([&] { return !reporter.stats().in_flight; }));
  }
  CHECK(reporter.stats().sent_payloads == 3);
  CHECK(reporter.stats().sent_requests == 3);
  const Json sessions = origin->telemetry().sessions();
  REQUIRE(sessions.size() == 1);
  CHECK(sessions[0]["heartbeats"] == 3);
  CHECK(sessions[0]["last"]["seq"] == 2);
}

TEST_CASE("a collector answering 500 loses nothing within the bound: backoff, then one batch in order",
          "[telemetry][reporter]") {
  Collector collector;
  collector.set_status(500);
  net::HttpClient http;
  TestLoop loop;
  abrplay::test::FakeClock clock;
  tel::ReporterConfig c = config(collector.url());
  c.headers = {{"X-Api-Key", "k"}};
  c.initial_backoff = 1000ms;
  tel::Reporter reporter(http, loop, clock, c);
  reporter.enqueue(payload(0));
  reporter.poll();
  REQUIRE(loop.run_until([&] { return !reporter.stats().in_flight; }));
  CHECK(reporter.stats().failed_requests == 1);
  reporter.enqueue(payload(1));
  reporter.poll();  // inside the 1 s backoff: nothing is sent
  CHECK(reporter.stats().sent_requests == 1);
  clock.advance(1000ms);
  reporter.poll();
  REQUIRE(loop.run_until([&] { return !reporter.stats().in_flight; }));
  CHECK(reporter.stats().failed_requests == 2);
  clock.advance(1999ms);  // the second backoff is 2 s
  reporter.poll();
  CHECK(reporter.stats().sent_requests == 2);

  collector.set_status(204);
  reporter.enqueue(payload(2));
  clock.advance(1ms);
  reporter.poll();
  REQUIRE(loop.run_until([&] { return !reporter.stats().in_flight; }));
  CHECK(reporter.stats().sent_payloads == 3);
  CHECK(reporter.stats().dropped_payloads == 0);
  const auto bodies = collector.bodies();
  REQUIRE(bodies.size() == 3);
  CHECK(seqs(bodies[2]) == std::vector<int>{0, 1, 2});  // the batch
  CHECK(collector.api_keys()[2] == "k");
  CHECK(bodies[2].find("X-Api-Key") == std::string::npos);
}

TEST_CASE("a collector that is down: the queue keeps the newest max_queue payloads and counts the rest",
          "[telemetry][reporter]") {
  // Port 1 (tcpmux) is reserved and never served here: connections are refused at once.
  const std::string dead_url = "http://127.0.0.1:1/telemetry";
  net::HttpClient http;
  TestLoop loop;
  abrplay::test::FakeClock clock;
  tel::Reporter reporter(http, loop, clock, [&] {
    auto c = config(dead_url);
    c.max_queue = 4;
    return c;
  }());
  for (int i = 0; i < 10; ++i) {
    reporter.enqueue(payload(i));
    clock.advance(60s);  // past any backoff
    reporter.poll();
    REQUIRE(loop.run_until([&] { return !reporter.stats().in_flight; }));
  }
  CHECK(reporter.stats().queued == 4);
  CHECK(reporter.stats().dropped_payloads == 6);
  CHECK(reporter.stats().failed_requests == 10);
}

TEST_CASE("a slow collector never blocks the player thread: new heartbeats queue behind the one in flight",
          "[telemetry][reporter]") {
  Collector collector;
  collector.hold(true);
  net::HttpClient http;
  TestLoop loop;
  abrplay::test::FakeClock clock;
  tel::Reporter reporter(http, loop, clock, config(collector.url()));
  reporter.enqueue(payload(0));
  reporter.poll();
  // The POST hangs at the collector; the player thread goes on queueing.
  for (int i = 1; i < 5; ++i) {
    reporter.enqueue(payload(i));
    reporter.poll();
  }
  CHECK(reporter.stats().in_flight);
  CHECK(reporter.stats().queued == 4);
  collector.hold(false);
  REQUIRE(loop.run_until([&] { return !reporter.stats().in_flight; }));
  reporter.poll();
  REQUIRE(loop.run_until([&] { return !reporter.stats().in_flight; }));
  CHECK(reporter.stats().sent_payloads == 5);
  const auto bodies = collector.bodies();
  REQUIRE(bodies.size() == 2);
  CHECK(seqs(bodies[1]) == std::vector<int>{1, 2, 3, 4});
}

TEST_CASE("flush delivers the queue and the final report at shutdown, within its deadline", "[telemetry][reporter]") {
  Collector collector;
  collector.set_status(503);
  net::HttpClient http;
  TestLoop loop;
  abrplay::test::FakeClock clock;
  tel::Reporter reporter(http, loop, clock, config(collector.url()));
  reporter.enqueue(payload(0));
  reporter.poll();
  REQUIRE(loop.run_until([&] { return !reporter.stats().in_flight; }));
  collector.set_status(204);
  reporter.enqueue(payload(1));
  CHECK(reporter.flush(payload(2), 2000ms));
  CHECK(seqs(collector.bodies().back()) == std::vector<int>{0, 1, 2});
  CHECK(reporter.stats().sent_payloads == 3);
}

TEST_CASE("flush to a collector that never answers gives up at the deadline", "[telemetry][reporter]") {
  Collector collector;
  collector.hold(true);
  net::HttpClient http;
  TestLoop loop;
  abrplay::test::FakeClock clock;
  tel::Reporter reporter(http, loop, clock, config(collector.url()));
  reporter.enqueue(payload(0));
  reporter.poll();  // in flight, held: flush takes it over
  const auto start = std::chrono::steady_clock::now();
  CHECK_FALSE(reporter.flush(payload(1), 300ms));
  const auto took = std::chrono::steady_clock::now() - start;
  CHECK(took >= 300ms);
  CHECK(took < 5s);  // bounded: no hang (generous for a loaded machine)
  CHECK(reporter.stats().dropped_payloads == 2);
  collector.hold(false);
}

TEST_CASE("a 409 batch is done: its stored part counts as sent, the rest as rejected, nothing is resent",
          "[telemetry][reporter]") {
  Collector collector;
  collector.script({{409, "", R"({"error":"a payload after the session's final report","stored":2,"duplicates":0})"}});
  net::HttpClient http;
  TestLoop loop;
  abrplay::test::FakeClock clock;
  tel::Reporter reporter(http, loop, clock, config(collector.url()));
  for (int i = 0; i < 3; ++i) reporter.enqueue(payload(i));
  reporter.poll();
  REQUIRE(loop.run_until([&] { return !reporter.stats().in_flight; }));
  tel::ReporterStats st = reporter.stats();
  CHECK(st.sent_payloads == 2);
  CHECK(st.rejected_payloads == 1);
  CHECK(st.rejected_requests == 1);
  CHECK(st.failed_requests == 0);
  CHECK(st.dropped_payloads == 0);
  CHECK(st.queued == 0);
  CHECK_THAT(st.last_problem, Catch::Contains("HTTP 409") && Catch::Contains("after the session's final report"));
  // No backoff: the collector answered. The next payload goes at once, alone.
  reporter.enqueue(payload(3));
  reporter.poll();
  REQUIRE(loop.run_until([&] { return !reporter.stats().in_flight; }));
  const auto bodies = collector.bodies();
  REQUIRE(bodies.size() == 2);
  CHECK(seqs(bodies[1]) == std::vector<int>{3});
  CHECK(reporter.stats().sent_payloads == 3);
}

TEST_CASE("400 and 413 are refused for good: dropped and counted as rejected, never retried", "[telemetry][reporter]") {
  Collector collector;
  collector.script({{400, "", R"({"error":"not a telemetry payload: /seq: required"})"}, {413, "", ""}});
  net::HttpClient http;
  TestLoop loop;
  abrplay::test::FakeClock clock;
  tel::Reporter reporter(http, loop, clock, config(collector.url()));
  for (int i = 0; i < 2; ++i) {
    reporter.enqueue(payload(i));
    reporter.poll();
    REQUIRE(loop.run_until([&] { return !reporter.stats().in_flight; }));
  }
  clock.advance(120s);
  reporter.poll();  // nothing left to resend
  const tel::ReporterStats st = reporter.stats();
  CHECK(st.rejected_payloads == 2);
  CHECK(st.rejected_requests == 2);
  CHECK(st.sent_payloads == 0);
  CHECK(st.dropped_payloads == 0);
  CHECK(st.sent_requests == 2);
  CHECK(collector.statuses() == std::vector<int>{400, 413});
}

TEST_CASE("429 and 503 back off for the server's Retry-After when it is longer than the backoff, at most "
          "max_backoff",
          "[telemetry][reporter]") {
  Collector collector;
  collector.script({{429, "7", ""}, {503, "Mon, 01 Jan 2024 00:10:00 GMT", ""}, {503, "1", ""}});
  net::HttpClient http;
  TestLoop loop;
  abrplay::test::FakeClock clock;  // wall time 2024-01-01T00:00:00Z at the start
  tel::ReporterConfig c = config(collector.url());
  c.initial_backoff = 1000ms;
  c.max_backoff = 60'000ms;
  tel::Reporter reporter(http, loop, clock, c);
  reporter.enqueue(payload(0));
  reporter.poll();
  REQUIRE(loop.run_until([&] { return !reporter.stats().in_flight; }));
  REQUIRE(reporter.stats().retry_at);
  CHECK(*reporter.stats().retry_at - clock.steady() == 7s);  // Retry-After beats the 1 s backoff
  clock.advance(6999ms);
  reporter.poll();
  CHECK(reporter.stats().sent_requests == 1);
  clock.advance(1ms);
  reporter.poll();
  REQUIRE(loop.run_until([&] { return !reporter.stats().in_flight; }));
  // An HTTP date 10 minutes ahead (minus the 7 s gone): capped at max_backoff.
  CHECK(*reporter.stats().retry_at - clock.steady() == 60s);
  clock.advance(60s);
  reporter.poll();
  REQUIRE(loop.run_until([&] { return !reporter.stats().in_flight; }));
  // Retry-After 1 s, shorter than the third failure's 4 s backoff: the backoff wins.
  CHECK(*reporter.stats().retry_at - clock.steady() == 4s);
  clock.advance(4s);
  reporter.poll();
  REQUIRE(loop.run_until([&] { return !reporter.stats().in_flight; }));
  const tel::ReporterStats st = reporter.stats();
  CHECK(st.sent_payloads == 1);
  CHECK(st.failed_requests == 3);
  CHECK(st.rejected_payloads == 0);
  CHECK(collector.statuses() == std::vector<int>{429, 503, 503, 204});
}

TEST_CASE("real time: a collector answering 503 with Retry-After: 2, then 200, gets the payloads after 2 s",
          "[telemetry][reporter]") {
  Collector collector;
  collector.script({{503, "2", R"({"error":"overloaded: the store's queue is full; retry later"})"},
                    {200, "", R"({"stored":2,"duplicates":0})"}});
  net::HttpClient http;
  TestLoop loop;
  abrplay::SystemClock clock;
  tel::ReporterConfig c = config(collector.url());
  c.initial_backoff = 100ms;  // shorter than the server's wish: Retry-After decides
  tel::Reporter reporter(http, loop, clock, c);
  reporter.enqueue(payload(0));
  reporter.enqueue(payload(1));
  reporter.poll();
  REQUIRE(loop.run_until([&] { return !reporter.stats().in_flight; }));
  REQUIRE(reporter.stats().retry_at);
  reporter.poll();  // inside the server's 2 s: nothing goes
  CHECK(reporter.stats().sent_requests == 1);
  const abrplay::SteadyTime retry_at = *reporter.stats().retry_at;
  CHECK(retry_at - clock.steady() > 1900ms);
  std::this_thread::sleep_until(retry_at);  // the player's next heartbeat tick, not a synchronisation
  reporter.poll();
  REQUIRE(loop.run_until([&] { return !reporter.stats().in_flight; }));
  const auto received = collector.received();
  REQUIRE(received.size() == 2);
  CHECK(received[1] - received[0] >= 2s);
  CHECK(received[1] - received[0] < 4s);
  CHECK(seqs(collector.bodies()[1]) == std::vector<int>{0, 1});
  CHECK(reporter.stats().failed_requests == 1);
  CHECK(reporter.stats().sent_payloads == 2);
}

TEST_CASE("flush retries a 503 within its deadline after the server's Retry-After", "[telemetry][reporter]") {
  Collector collector;
  collector.script({{503, "1", ""}});
  net::HttpClient http;
  TestLoop loop;
  abrplay::test::FakeClock clock;
  tel::Reporter reporter(http, loop, clock, config(collector.url()));
  reporter.enqueue(payload(0));
  const auto start = std::chrono::steady_clock::now();
  CHECK(reporter.flush(payload(1), 3000ms));
  CHECK(std::chrono::steady_clock::now() - start >= 1s);
  CHECK(collector.statuses() == std::vector<int>{503, 204});
  CHECK(reporter.stats().sent_payloads == 2);
  CHECK(reporter.stats().dropped_payloads == 0);
}
