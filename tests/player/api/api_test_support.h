// api_test_support.h: shared by the Player API tests: an event recorder that waits on a condition
// variable (no sleeps), a state trail for failure messages, and an in-process abrplay-origin.
#pragma once

#include <catch2/catch.hpp>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "abrplay/player.h"
#include "origin.h"

namespace abrplay::test {

inline constexpr std::chrono::seconds kWaitLimit{30};  // a hang, reported as a failure

// Records events; waits on a condition variable.
class Recorder final : public abrplay::PlayerListener {
 public:
  void on_event(const abrplay::PlayerEvent& e) override {
    std::lock_guard lock(mu_);
    events_.push_back(e);
    cv_.notify_all();
  }
  bool wait(const std::function<bool(const std::vector<abrplay::PlayerEvent>&)>& pred, std::chrono::seconds limit = kWaitLimit) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, limit, [&] { return pred(events_); });
  }
  bool wait_state(abrplay::PlayerState s, std::chrono::seconds limit = kWaitLimit) {
    return wait([s](const auto& ev) { return reached(ev, s); }, limit);
  }
  bool wait_error(std::chrono::seconds limit = kWaitLimit) {
    return wait([](const auto& ev) { return first_error(ev) != nullptr; }, limit);
  }
  static bool reached(const std::vector<abrplay::PlayerEvent>& ev, abrplay::PlayerState s) {
    for (const auto& e : ev) {
      if (e.kind == abrplay::PlayerEvent::Kind::kStateChanged && e.state == s) return true;
    }
    return false;
  }
  static const abrplay::PlayerEvent* first_error(const std::vector<abrplay::PlayerEvent>& ev) {
    for (const auto& e : ev) {
      if (e.kind == abrplay::PlayerEvent::Kind::kError) return &e;
    }
    return nullptr;
  }
  std::vector<abrplay::PlayerEvent> events() {
    std::lock_guard lock(mu_);
    return events_;
  }
  void clear() {
    std::lock_guard lock(mu_);
    events_.clear();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<abrplay::PlayerEvent> events_;
};

// "loading>buffering>playing>..." for failure messages.
inline std::string states(const std::vector<abrplay::PlayerEvent>& ev) {
  std::string out;
  for (const auto& e : ev) {
    if (e.kind == abrplay::PlayerEvent::Kind::kStateChanged) out += std::string(abrplay::to_string(e.state)) + "@" + std::to_string(e.position.count() / 1000) + " ";
    if (e.kind == abrplay::PlayerEvent::Kind::kWarning || e.kind == abrplay::PlayerEvent::Kind::kError) out += "[" + e.error.describe() + "] ";
  }
  return out;
}

inline std::unique_ptr<abrplay::origin::Origin> serve(std::vector<std::string> roots = {ABRPLAY_TEST_CONTENT_DIR}) {
  abrplay::origin::OriginConfig oc;
  oc.roots = std::move(roots);
  auto o = abrplay::origin::Origin::start(std::move(oc));
  if (!o) FAIL("Origin::start: " << o.error());
  return std::move(*o);
}

// Headless sinks that present as fast as decoding goes.
inline abrplay::PlayerConfig max_speed() {
  abrplay::PlayerConfig c;
  c.sinks.kind = abrplay::SinkKind::kNullMaxSpeed;
  return c;
}

}  // namespace abrplay::test
