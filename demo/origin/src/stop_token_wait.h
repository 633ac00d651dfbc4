// stop_token_wait.h: a wait that server shutdown can cut short.
//
// The origin simulates a network, so its handler threads really do wait: for the link to carry the
// next chunk, for an injected stall, for added latency. Those waits go through a StopSignal so that
// Origin::stop() wakes every one of them at once instead of waiting for the longest stall to end.
// Threading: any thread may wait or stop; the object must outlive every waiter.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>

namespace abrplay::origin {

class StopSignal {
 public:
  // Waits until `deadline` or until stop(). Returns true when the deadline was reached, false when
  // the server is stopping (the caller then abandons the response).
  bool wait_until(std::chrono::steady_clock::time_point deadline) {
    std::unique_lock lock(mutex_);
    return !cv_.wait_until(lock, deadline, [this] { return stopping_; });
  }
  bool wait_for(std::chrono::steady_clock::duration d) { return wait_until(std::chrono::steady_clock::now() + d); }
  void stop() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    cv_.notify_all();
  }
  bool stopping() const {
    std::lock_guard lock(mutex_);
    return stopping_;
  }

 private:
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  bool stopping_ = false;
};

}  // namespace abrplay::origin
