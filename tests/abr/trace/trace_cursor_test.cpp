#include <catch2/catch.hpp>

#include "abrplay/abr/trace/trace_cursor.h"

using abrplay::abr::Trace;
using abrplay::abr::TraceCursor;
using std::chrono::microseconds;
using std::chrono::seconds;

namespace {
// 1 s at 8000 kbps (1 MB/s), 1 s silent, 2 s at 800 kbps (100 kB/s): 1.2 MB per 4 s loop.
Trace three_step() {
  Trace t;
  t.name = "steps";
  t.segments = {{seconds(1), 8000, microseconds(0)},
                {seconds(1), 0, microseconds(30'000)},
                {seconds(2), 800, microseconds(0)}};
  return t;
}
}  // namespace

TEST_CASE("TraceCursor: bytes between two times, across segments and loops", "[trace]") {
  const TraceCursor c(three_step());
  CHECK(c.loop_bytes() == Approx(1.2e6));
  CHECK(c.bytes_between(seconds(0), seconds(1)) == Approx(1e6));
  CHECK(c.bytes_between(seconds(1), seconds(2)) == Approx(0).margin(1e-6));
  CHECK(c.bytes_between_s(0.5, 2.5) == Approx(0.5e6 + 0.05e6));
  CHECK(c.bytes_between(seconds(3), seconds(5)) == Approx(0.1e6 + 1e6));  // wraps into loop 2
  CHECK(c.bytes_between(seconds(0), seconds(40)) == Approx(12e6));
  CHECK(c.bytes_between(seconds(2), seconds(1)) == 0);
}

TEST_CASE("TraceCursor: time to deliver inverts bytes_between", "[trace]") {
  const TraceCursor c(three_step());
  CHECK(c.time_to_deliver_s(0, 1.3) == 0);
  CHECK(c.time_to_deliver_s(0.5e6, 0) == Approx(0.5));
  // From 0.5 s: 0.5 MB by 1 s, nothing in the silent second, then 100 kB/s.
  CHECK(c.time_to_deliver_s(0.55e6, 0.5) == Approx(2.0));
  // Exactly one loop's bytes from 0 ends at the last byte, 4 s.
  CHECK(c.time_to_deliver_s(1.2e6, 0) == Approx(4.0));
  // Exactly 1 MB from 0 ends at 1 s, not after the silent second.
  CHECK(c.time_to_deliver_s(1e6, 0) == Approx(1.0));
  // Many loops.
  CHECK(c.time_to_deliver_s(12e6 + 0.5e6, 0) == Approx(40.5));
  for (double start : {0.0, 0.3, 1.5, 3.99, 17.2}) {
    for (double bytes : {1.0, 1e5, 7.7e5, 3e6}) {
      const double t = c.time_to_deliver_s(bytes, start);
      CHECK(c.bytes_between_s(start, start + t) == Approx(bytes).epsilon(1e-9));
    }
  }
  CHECK(c.time_to_deliver(1e6, microseconds(0)) == microseconds(1'000'000));
}

TEST_CASE("TraceCursor: bandwidth and latency at a time", "[trace]") {
  const TraceCursor c(three_step());
  CHECK(c.bandwidth_kbps_at(microseconds(500'000)) == Approx(8000));
  CHECK(c.bandwidth_kbps_at(seconds(1)) == Approx(0));
  CHECK(c.latency_at(microseconds(1'500'000)) == microseconds(30'000));
  CHECK(c.bandwidth_kbps_at(seconds(6)) == Approx(800));  // 6 s = 2 s into loop 2
}
