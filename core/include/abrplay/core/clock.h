// abrplay/core/clock.h: the time source every player component is given, never reads itself.
//
// Components take a `const Clock&` in their constructor (with the executor they run on), so tests
// can drive them with FakeClock (tests/support/fake_clock.h) and no test sleeps to synchronise.
// steady(): monotonic, for timers, timeouts and throughput; wall(): UTC, for live DASH
// (availabilityStartTime, UTCTiming) and telemetry timestamps. Implementations are thread-safe.
#pragma once

#include "abrplay/core/time.h"

namespace abrplay {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual SteadyTime steady() const = 0;
  virtual WallTime wall() const = 0;
};

// The real clocks of this machine.
class SystemClock final : public Clock {
 public:
  SteadyTime steady() const override { return std::chrono::steady_clock::now(); }
  WallTime wall() const override {
    return std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::system_clock::now());
  }
};

}  // namespace abrplay
