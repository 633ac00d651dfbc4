// tests/support/fake_clock.h: a Clock that moves only when the test says so.
// It is the ABR lab's virtual clock (player/lab/manual_clock.h): steady and wall time advance
// together, wall time starts at 2024-01-01T00:00:00Z; thread-safe (atomics), so a component's own
// thread may read it while the test advances it.
#pragma once

#include "abrplay/player/lab/manual_clock.h"

namespace abrplay::test {

using FakeClock = lab::ManualClock;

}  // namespace abrplay::test
