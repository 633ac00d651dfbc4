// abrplay/player/lab/manual_clock.h: virtual time for the ABR lab: a Clock that moves only when told.
//
// The lab's driver (lab_session.h) moves it from one EventLoop deadline to the next, so a minute
// of streaming takes as long as the work in it. Steady and wall time advance together; wall time
// starts at a fixed instant so that runs are reproducible. Thread-safe (atomics).
#pragma once

#include <atomic>
#include <chrono>

#include "abrplay/core/clock.h"

namespace abrplay::lab {

class ManualClock final : public Clock {
 public:
  // 2024-01-01T00:00:00Z: a fixed, readable instant.
  explicit ManualClock(WallTime wall_start = WallTime{std::chrono::seconds{1'704'067'200}}) : wall_start_(wall_start) {}

  SteadyTime steady() const override { return SteadyTime{} + std::chrono::hours(1) + elapsed(); }
  WallTime wall() const override { return wall_start_ + elapsed(); }

  // Moves time forward to `t` (never backwards: an earlier `t` is ignored).
  void advance_to(SteadyTime t) {
    const auto target = std::chrono::duration_cast<std::chrono::microseconds>(t -
                                                                              (SteadyTime{} + std::chrono::hours(1)));
    long long cur = us_.load();
    while (target.count() > cur && !us_.compare_exchange_weak(cur, target.count())) {
    }
  }
  void advance(std::chrono::microseconds d) { us_.fetch_add(d.count()); }
  std::chrono::microseconds elapsed() const { return std::chrono::microseconds{us_.load()}; }

 private:
  WallTime wall_start_;
  std::atomic<long long> us_{0};
};

}  // namespace abrplay::lab
