#include "abrplay/net/executor.h"

#include <utility>

#if defined(__linux__)
#include <pthread.h>
#endif

namespace abrplay::net {

void QueueExecutor::post(std::function<void()> task) {
  // Notified under the lock: the owner cannot take (and run) the task, and then destroy this
  // executor, while the posting thread is still inside notify_all().
  std::lock_guard lock(mu_);
  tasks_.push_back(std::move(task));
  cv_.notify_all();
}

bool QueueExecutor::run_one(std::chrono::steady_clock::time_point until) {
  std::unique_lock lock(mu_);
  if (!cv_.wait_until(lock, until, [&] { return !tasks_.empty(); })) return false;
  auto task = std::move(tasks_.front());
  tasks_.pop_front();
  lock.unlock();
  task();
  return true;
}

ThreadExecutor::ThreadExecutor(std::string name)
    : worker_([this, n = std::move(name)] {
#if defined(__linux__)
        // Linux limits thread names to 15 characters plus the terminator.
        pthread_setname_np(pthread_self(), n.substr(0, 15).c_str());
#endif
        run();
      }) {
}

ThreadExecutor::~ThreadExecutor() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_one();
  worker_.join();
}

void ThreadExecutor::post(std::function<void()> task) {
  // Notify under the lock: once the task has run, its owner may destroy this executor, and a
  // notify after unlocking could then touch a destroyed condition variable.
  std::lock_guard<std::mutex> lock(mu_);
  if (stopping_ && std::this_thread::get_id() != worker_.get_id()) return;
  tasks_.push_back(std::move(task));
  cv_.notify_one();
}

void ThreadExecutor::run() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    cv_.wait(lock, [this] { return stopping_ || !tasks_.empty(); });
    if (tasks_.empty()) return;  // stopping and drained
    std::function<void()> task = std::move(tasks_.front());
    tasks_.pop_front();
    lock.unlock();
    task();
    lock.lock();
  }
}

}  // namespace abrplay::net
