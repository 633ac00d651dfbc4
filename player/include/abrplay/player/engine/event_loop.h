// abrplay/player/engine/event_loop.h: the player thread: FIFO tasks and timers on an injected Clock.
//
// EventLoop is the executor every player component runs on. It implements net::Executor, so the net
// layer posts transfer completions straight onto it, and adds timers (post_at / post_after /
// cancel) measured on the injected Clock.
//
// Two modes:
//   kOwnThread  a thread named "abrplay-player" runs tasks and timers. It waits on a condition
//               variable until the next timer deadline (never polls, never sleeps). Deadlines are
//               converted to a real wait as (deadline - clock.steady()): exact for SystemClock; with
//               a FakeClock, call wake() after moving the clock so due timers run.
//   kManual     nothing runs by itself: the test thread is the loop thread and calls run_until_idle()
//               (ready tasks and due timers, repeatedly, until none is left) or run_until() (also
//               waits, in real time, for tasks other threads post). Tests on a FakeClock advance the
//               clock to next_deadline() step by step (tests/player/engine/support/loop_driver.h).
//
// Order: tasks run in the order they were posted; posted tasks run before due timers; timers run in
// deadline order, ties in the order they were set.
//
// Threads: post(), post_at(), post_after(), cancel(), wake() and stop() may be called from any thread.
// run_until_idle(), run_until() and next_deadline() belong to the test thread in kManual mode.
// After stop() (or destruction began), posted tasks and timers are destroyed without running.
#pragma once
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <utility>

#include "abrplay/core/clock.h"
#include "abrplay/net/executor.h"

namespace abrplay::engine {

class EventLoop final : public net::Executor {
 public:
  using Task = std::function<void()>;
  using TimerId = std::uint64_t;  // never 0: 0 means "no timer"
  enum class Mode { kOwnThread, kManual };

  EventLoop(const Clock& clock, Mode mode, std::string thread_name = "abrplay-player");
  ~EventLoop() override;  // stop()
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  void post(Task task) override;
  TimerId post_at(SteadyTime when, Task task);
  TimerId post_after(std::chrono::microseconds delay, Task task);
  // True when the timer had not run yet (it never will now). Unknown ids are ignored.
  bool cancel(TimerId id);
  // Re-reads the clock (kOwnThread with a clock that jumps, e.g. FakeClock).
  void wake();
  // kOwnThread: finishes the task in progress, drops the rest and joins. Idempotent. Not from the
  // loop thread itself (it would join itself): there it only marks the loop stopping.
  void stop();

  // kOwnThread: runs `task` on the loop thread and returns when it has run; on the loop thread it
  // runs at once. kManual: runs it at once. For setting up and tearing down loop-owned objects.
  void run_sync(const Task& task);

  const Clock& clock() const { return clock_; }
  bool in_loop_thread() const;

  // --- kManual only -----------------------------------------------------------------------
  // Runs ready tasks and due timers (including what they post) until none is left. Returns how
  // many ran. Stops after 1,000,000 (a task that reposts itself forever) rather than hang.
  std::size_t run_until_idle();
  // Runs tasks and timers as they become ready, waiting for other threads' posts (and for timer
  // deadlines, in real time: use with SystemClock), until done() or `real_limit` passed.
  bool run_until(const std::function<bool()>& done, std::chrono::milliseconds real_limit);
  std::optional<SteadyTime> next_deadline() const;

 private:
  // Pops one runnable task (a posted one first, else a due timer). Caller holds mu_.
  std::optional<Task> pop_ready_locked(SteadyTime now);
  void thread_main();

  const Clock& clock_;
  const Mode mode_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Task> tasks_;                                  // guarded by mu_
  std::map<std::pair<SteadyTime, TimerId>, Task> timers_;   // guarded by mu_
  std::unordered_map<TimerId, SteadyTime> timer_deadline_;  // guarded by mu_
  TimerId next_timer_id_ = 1;                               // guarded by mu_
  bool stopping_ = false;                                   // guarded by mu_
  std::uint64_t wakes_ = 0;                                 // guarded by mu_; wake() calls, so a wait cannot miss one
  std::thread::id loop_thread_;  // set before the thread starts (kOwnThread) or at construction
  std::thread thread_;           // last: starts after the fields above exist
};

}  // namespace abrplay::engine
