#include "abrplay/player/engine/event_loop.h"

#include <pthread.h>

#include <memory>

namespace abrplay::engine {

EventLoop::EventLoop(const Clock& clock, Mode mode, std::string thread_name) : clock_(clock), mode_(mode) {
  if (mode_ == Mode::kManual) {
    loop_thread_ = std::this_thread::get_id();
    return;
  }
  thread_ = std::thread([this, name = std::move(thread_name)] {
    // Linux limits thread names to 15 characters.
    pthread_setname_np(pthread_self(), name.substr(0, 15).c_str());
    thread_main();
  });
  loop_thread_ = thread_.get_id();
}

EventLoop::~EventLoop() {
  stop();
  // Destroy what is left outside the lock: a task's captures may post on destruction.
  std::deque<Task> tasks;
  std::map<std::pair<SteadyTime, TimerId>, Task> timers;
  {
    std::lock_guard lock(mu_);
    tasks.swap(tasks_);
    timers.swap(timers_);
  }
}

void EventLoop::post(Task task) {
  {
    std::lock_guard lock(mu_);
    if (stopping_) return;  // destroyed (outside the lock, at the end of this scope)
    tasks_.push_back(std::move(task));
  }
  cv_.notify_one();
}

EventLoop::TimerId EventLoop::post_at(SteadyTime when, Task task) {
  TimerId id = 0;
  {
    std::lock_guard lock(mu_);
    if (stopping_) return 0;
    id = next_timer_id_++;
    timers_.emplace(std::make_pair(when, id), std::move(task));
    timer_deadline_.emplace(id, when);
  }
  cv_.notify_one();
  return id;
}

EventLoop::TimerId EventLoop::post_after(std::chrono::microseconds delay, Task task) {
  return post_at(clock_.steady() + delay, std::move(task));
}

bool EventLoop::cancel(TimerId id) {
  Task doomed;
  std::lock_guard lock(mu_);
  auto it = timer_deadline_.find(id);
  if (it == timer_deadline_.end()) return false;
  auto t = timers_.find({it->second, id});
  if (t != timers_.end()) {
    doomed = std::move(t->second);
    timers_.erase(t);
  }
  timer_deadline_.erase(it);
  return true;
}

void EventLoop::wake() {
  // The count changes under mu_: a wake between the loop's look at the clock and its wait is seen
  // by the wait's predicate instead of being lost (the notify alone could fall in that gap).
  {
    std::lock_guard lock(mu_);
    ++wakes_;
  }
  cv_.notify_all();
}

void EventLoop::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable() && std::this_thread::get_id() != thread_.get_id()) thread_.join();
}

bool EventLoop::in_loop_thread() const { return std::this_thread::get_id() == loop_thread_; }

void EventLoop::run_sync(const Task& task) {
  if (mode_ == Mode::kManual || in_loop_thread()) {
    task();
    return;
  }
  // The posted closure owns a Done; its destruction (after running, or when a stopping loop drops
  // it unrun) releases the caller, so this never waits for a task that will not run.
  struct Done {
    std::mutex mu;
    std::condition_variable cv;
    bool done = false;
  };
  struct Release {
    std::shared_ptr<Done> d;
    ~Release() {
      std::lock_guard lock(d->mu);
      d->done = true;
      d->cv.notify_all();
    }
  };
  auto done = std::make_shared<Done>();
  {
    auto release = std::make_shared<Release>();
    release->d = done;
    post([&task, release] { task(); });
  }
  std::unique_lock lock(done->mu);
  done->cv.wait(lock, [&] { return done->done; });
}

std::optional<EventLoop::Task> EventLoop::pop_ready_locked(SteadyTime now) {
  if (!tasks_.empty()) {
    Task t = std::move(tasks_.front());
    tasks_.pop_front();
    return t;
  }
  if (!timers_.empty() && timers_.begin()->first.first <= now) {
    auto node = timers_.extract(timers_.begin());
    timer_deadline_.erase(node.key().second);
    return std::move(node.mapped());
  }
  return std::nullopt;
}

void EventLoop::thread_main() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    if (auto task = pop_ready_locked(clock_.steady())) {
      lock.unlock();
      (*task)();
      task.reset();  // destroy captures outside the lock
      lock.lock();
      continue;
    }
    // Anything that can make a task runnable changes state under mu_ before it notifies: a post
    // (tasks_), a new timer (timers_), stop() (stopping_) or wake() (wakes_, the clock moved).
    const auto seen_wakes = wakes_;
    const TimerId seen_first_timer = timers_.empty() ? TimerId{0} : timers_.begin()->first.second;  // 0: none
    auto changed = [&] {
      const TimerId first_timer = timers_.empty() ? TimerId{0} : timers_.begin()->first.second;
      return stopping_ || !tasks_.empty() || wakes_ != seen_wakes || first_timer != seen_first_timer;
    };
    if (timers_.empty()) {
      cv_.wait(lock, changed);
    } else {
      cv_.wait_for(lock, timers_.begin()->first.first - clock_.steady(), changed);
    }
  }
}

std::size_t EventLoop::run_until_idle() {
  std::size_t ran = 0;
  std::unique_lock lock(mu_);
  while (!stopping_ && ran < 1'000'000) {
    auto task = pop_ready_locked(clock_.steady());
    if (!task) break;
    lock.unlock();
    (*task)();
    task.reset();
    ++ran;
    lock.lock();
  }
  return ran;
}

bool EventLoop::run_until(const std::function<bool()>& done, std::chrono::milliseconds real_limit) {
  const auto give_up = std::chrono::steady_clock::now() + real_limit;
  while (true) {
    run_until_idle();
    if (done()) return true;
    std::unique_lock lock(mu_);
    if (stopping_) return done();
    if (!tasks_.empty()) continue;
    auto wake_at = give_up;
    if (!timers_.empty()) {
      const auto timer_in = timers_.begin()->first.first - clock_.steady();
      wake_at = std::min(wake_at, std::chrono::steady_clock::now() +
                                      std::chrono::duration_cast<std::chrono::steady_clock::duration>(timer_in));
    }
    if (std::chrono::steady_clock::now() >= give_up) return done();
    const auto seen_wakes = wakes_;
    cv_.wait_until(lock, wake_at, [&] { return !tasks_.empty() || stopping_ || wakes_ != seen_wakes; });
  }
}

std::optional<SteadyTime> EventLoop::next_deadline() const {
  std::lock_guard lock(mu_);
  if (timers_.empty()) return std::nullopt;
  return timers_.begin()->first.first;
}

}  // namespace abrplay::engine
