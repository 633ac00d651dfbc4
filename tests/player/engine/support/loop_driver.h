// loop_driver.h: drives a kManual EventLoop on a FakeClock: moves the clock from timer deadline to
// timer deadline, running what becomes due at each step, so timers see the exact time they asked for.
#pragma once
#include <chrono>

#include "abrplay/player/engine/event_loop.h"
#include "fake_clock.h"

namespace abrplay::engine::test {

inline void advance(EventLoop& loop, abrplay::test::FakeClock& clock, std::chrono::microseconds d) {
  const SteadyTime target = clock.steady() + d;
  loop.run_until_idle();
  while (auto next = loop.next_deadline()) {
    if (*next > target) break;
    if (*next > clock.steady())
      clock.advance(std::chrono::duration_cast<std::chrono::microseconds>(*next - clock.steady()));
    loop.run_until_idle();
  }
  if (target > clock.steady())
    clock.advance(std::chrono::duration_cast<std::chrono::microseconds>(target - clock.steady()));
  loop.run_until_idle();
}

}  // namespace abrplay::engine::test
