#include "abrplay/player/engine/event_loop.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "abrplay/core/clock.h"
#include "fake_clock.h"
#include "support/loop_driver.h"

namespace abrplay::engine::test {

using std::chrono::milliseconds;
using Manual = EventLoop::Mode;

TEST_CASE("posted tasks run in FIFO order, before timers that are due", "[engine][event_loop]") {
  abrplay::test::FakeClock clock;
  EventLoop loop(clock, Manual::kManual);
  std::string order;
  loop.post_at(clock.steady(), [&] { order += "t"; });
  loop.post([&] { order += "1"; });
  loop.post([&] {
    order += "2";
    loop.post([&] { order += "4"; });
  });
  loop.post([&] { order += "3"; });
  CHECK(loop.run_until_idle() == 5);
  CHECK(order == "1234t");  // tasks posted by tasks also run before the due timer
}

TEST_CASE("a timer runs exactly at its deadline on the fake clock, not a microsecond before", "[engine][event_loop]") {
  abrplay::test::FakeClock clock;
  EventLoop loop(clock, Manual::kManual);
  int fired = 0;
  loop.post_after(milliseconds(500), [&] { ++fired; });
  clock.advance(std::chrono::microseconds(499'999));
  loop.run_until_idle();
  CHECK(fired == 0);
  clock.advance(std::chrono::microseconds(1));
  loop.run_until_idle();
  CHECK(fired == 1);
  CHECK_FALSE(loop.next_deadline().has_value());
}

TEST_CASE("timers fire in deadline order, ties in the order they were set", "[engine][event_loop]") {
  abrplay::test::FakeClock clock;
  EventLoop loop(clock, Manual::kManual);
  std::vector<int> fired;
  loop.post_after(milliseconds(30), [&] { fired.push_back(3); });
  loop.post_after(milliseconds(10), [&] { fired.push_back(1); });
  loop.post_after(milliseconds(10), [&] { fired.push_back(2); });
  advance(loop, clock, milliseconds(100));
  CHECK(fired == std::vector<int>{1, 2, 3});
}

TEST_CASE("a cancelled timer never runs and cancel reports whether it was pending", "[engine][event_loop]") {
  abrplay::test::FakeClock clock;
  EventLoop loop(clock, Manual::kManual);
  int fired = 0;
  const auto id = loop.post_after(milliseconds(10), [&] { ++fired; });
  CHECK(loop.cancel(id));
  CHECK_FALSE(loop.cancel(id));
  advance(loop, clock, milliseconds(20));
  CHECK(fired == 0);
  const auto id2 = loop.post_after(milliseconds(10), [&] { ++fired; });
  advance(loop, clock, milliseconds(20));
  CHECK(fired == 1);
  CHECK_FALSE(loop.cancel(id2));
}

TEST_CASE("the own-thread loop runs posts from other threads and real-time timers, then stops cleanly",
          "[engine][event_loop]") {
  SystemClock clock;
  EventLoop loop(clock, Manual::kOwnThread);
  std::atomic<int> ran{0};
  std::atomic<bool> on_loop{false};
  loop.post([&] {
    on_loop = loop.in_loop_thread();
    ++ran;
  });
  loop.post_after(milliseconds(20), [&] { ++ran; });
  loop.run_sync([] {});  // the first post ran before this one
  CHECK(on_loop.load());
  CHECK_FALSE(loop.in_loop_thread());
  // Wait for the timer through the loop itself: a task that reposts until the timer ran.
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  std::function<void()> check = [&] {
    if (ran.load() == 2) {
      std::lock_guard l(mu);
      done = true;
      cv.notify_all();
    } else {
      loop.post_after(milliseconds(5), check);
    }
  };
  loop.post(check);
  std::unique_lock l(mu);
  CHECK(cv.wait_for(l, std::chrono::seconds(5), [&] { return done; }));
  l.unlock();
  loop.stop();
  int after = 0;
  loop.post([&] { ++after; });
  CHECK(after == 0);
}

TEST_CASE("run_until returns as soon as the condition holds, with work posted from another thread",
          "[engine][event_loop]") {
  SystemClock clock;
  EventLoop loop(clock, Manual::kManual);
  bool got = false;
  std::thread t([&] { loop.post([&] { got = true; }); });
  CHECK(loop.run_until([&] { return got; }, std::chrono::milliseconds(5000)));
  t.join();
  CHECK_FALSE(loop.run_until([] { return false; }, std::chrono::milliseconds(20)));
}

}  // namespace abrplay::engine::test

namespace abrplay::engine::test {

TEST_CASE("an own-thread loop on a FakeClock runs a timer once the clock is moved and wake() is called",
          "[engine][event_loop]") {
  abrplay::test::FakeClock clock;
  EventLoop loop(clock, EventLoop::Mode::kOwnThread);
  std::mutex mu;
  std::condition_variable cv;
  bool fired = false;
  loop.post_after(std::chrono::seconds(30), [&] {
    std::lock_guard l(mu);
    fired = true;
    cv.notify_all();
  });
  loop.run_sync([] {});  // the loop has seen the timer and waits (30 s of real time, as far as it knows)
  {
    std::lock_guard l(mu);
    CHECK_FALSE(fired);
  }
  clock.advance(std::chrono::seconds(30));
  loop.wake();
  std::unique_lock l(mu);
  CHECK(cv.wait_for(l, std::chrono::seconds(5), [&] { return fired; }));
}

TEST_CASE("an own-thread loop on a FakeClock never loses a wake(): 500 timers, each run after advance + wake",
          "[engine][event_loop]") {
  // wake() used to notify without the loop's mutex, so a wake falling between the loop's look at the
  // clock and its wait was lost and the loop slept the old delay (30 s here) in real time. Every
  // round gives that race a chance; with the wake counted under the mutex none can be lost.
  abrplay::test::FakeClock clock;
  EventLoop loop(clock, EventLoop::Mode::kOwnThread);
  std::mutex mu;
  std::condition_variable cv;
  int fired = 0;
  for (int round = 1; round <= 500; ++round) {
    loop.post_after(std::chrono::seconds(30), [&] {
      std::lock_guard l(mu);
      ++fired;
      cv.notify_all();
    });
    clock.advance(std::chrono::seconds(30));
    loop.wake();
    std::unique_lock l(mu);
    REQUIRE(cv.wait_for(l, std::chrono::seconds(5), [&] { return fired == round; }));
  }
}

TEST_CASE("run_sync returns, without running the task, when the loop has stopped", "[engine][event_loop]") {
  SystemClock clock;
  EventLoop loop(clock, EventLoop::Mode::kOwnThread);
  loop.stop();
  bool ran = false;
  loop.run_sync([&] { ran = true; });
  CHECK_FALSE(ran);
}

}  // namespace abrplay::engine::test
