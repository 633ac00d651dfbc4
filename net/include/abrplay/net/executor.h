// abrplay/net/executor.h: where callbacks run.
//
// The net layer never calls user code on its own thread: every chunk, sample and completion is
// posted to an Executor the caller chooses. The player supplies its event loop; tools and tests use
// InlineExecutor or ThreadExecutor below.
//
// Contract for implementations: post() may be called from any thread, must not block for long and
// must run tasks in the order they were posted (the net layer relies on FIFO order so that a
// request's body chunks arrive before its completion). An executor must outlive every request
// submitted with it.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace abrplay::net {

class Executor {
 public:
  virtual ~Executor() = default;
  virtual void post(std::function<void()> task) = 0;
};

// Runs the task at once, on the posting thread (for HttpClient that is the net thread: callbacks
// must then be quick and must not block).
class InlineExecutor final : public Executor {
 public:
  void post(std::function<void()> task) override { task(); }
};

// Tasks wait in FIFO order until the owner thread runs them with run_one(): the owner's own loop,
// for a tool or test that drives net callbacks on one thread of its own (as the player thread
// does with its event loop).
class QueueExecutor final : public Executor {
 public:
  void post(std::function<void()> task) override;
  // Waits until a task is there or `until` passes; runs one task (true) or none (false).
  bool run_one(std::chrono::steady_clock::time_point until);

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> tasks_;  // guarded by mu_
};

// One worker thread, named in the constructor (for debuggers), running tasks in FIFO order.
// The destructor runs every task already posted, then joins. Tasks posted after destruction began
// are dropped.
class ThreadExecutor final : public Executor {
 public:
  explicit ThreadExecutor(std::string name = "abrplay-exec");
  ~ThreadExecutor() override;
  ThreadExecutor(const ThreadExecutor&) = delete;
  ThreadExecutor& operator=(const ThreadExecutor&) = delete;

  void post(std::function<void()> task) override;

 private:
  void run();

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> tasks_;  // guarded by mu_
  bool stopping_ = false;                    // guarded by mu_
  std::thread worker_;                       // last: starts after the fields above exist
};

}  // namespace abrplay::net
