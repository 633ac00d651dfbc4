// tests/support/fake_clock.h: a Clock that moves only when the test says so.
// Both steady and wall time advance together. Thread-safe (atomics), so a component's own thread
// may read it while the test advances it.
#pragma once

#include <atomic>
#include <chrono>

#include "abrplay/player/clock.h"

namespace abrplay::test {

class FakeClock final : public Clock {
 public:
  // Wall time starts at 2024-01-01T00:00:00Z, a fixed and readable instant.
  explicit FakeClock(WallClockTime wall_start = WallClockTime{std::chrono::seconds{1'704'067'200}})
      : wall_start_(wall_start) {}

  SteadyTime steady() const override { return SteadyTime{} + std::chrono::hours(1) + elapsed(); }
  WallClockTime wall() const override { return wall_start_ + elapsed(); }

  void advance(std::chrono::microseconds d) { us_.fetch_add(d.count()); }
  std::chrono::microseconds elapsed() const { return std::chrono::microseconds{us_.load()}; }

 private:
  WallClockTime wall_start_;
  std::atomic<long long> us_{0};
};

}  // namespace abrplay::test
