// The live catch-up policy: the playback rate toward the target latency, its safeguards and bounds.
#include <catch2/catch.hpp>

#include <cmath>

#include "abrplay/player/engine/live_catchup.h"

namespace abrplay::engine::test {

namespace {
using std::chrono::milliseconds;
using std::chrono::seconds;
const MediaTime kAmple = seconds(3);  // buffer
}  // namespace

TEST_CASE("catch-up: 1.0 near the target, faster behind it, slower ahead, within the bounds", "[engine][catchup]") {
  CatchupParams p;  // target 3 s, max 6 s, rates 0.9 .. 1.1
  CHECK(decide_catchup(seconds(3), kAmple, p).rate == 1.0);
  CHECK(decide_catchup(milliseconds(3240), kAmple, p).rate == 1.0);  // inside the 250 ms dead band
  CHECK(decide_catchup(milliseconds(2760), kAmple, p).rate == 1.0);
  const double slightly = decide_catchup(milliseconds(3300), kAmple, p).rate;
  CHECK(slightly > 1.0);
  CHECK(slightly < 1.08);                                            // gentle near the target
  CHECK(decide_catchup(seconds(4), kAmple, p).rate == Approx(1.1));  // the bound a second away
  CHECK(decide_catchup(milliseconds(2700), kAmple, p).rate < 1.0);
  CHECK(decide_catchup(seconds(1), kAmple, p).rate == Approx(0.9));
  // Monotonic in the latency, and quantised to 0.01.
  double last = 0;
  for (int ms = 1000; ms <= 5900; ms += 100) {
    const double r = decide_catchup(milliseconds(ms), kAmple, p).rate;
    CHECK(r >= last);
    CHECK(std::abs(r * 100 - std::round(r * 100)) < 1e-9);
    last = r;
  }
  CHECK_FALSE(decide_catchup(seconds(5), kAmple, p).seek_to_edge);
}

TEST_CASE("catch-up: beyond the max latency, a seek to the edge, and a short buffer never speeds up",
          "[engine][catchup]") {
  CatchupParams p;
  const CatchupDecision far = decide_catchup(milliseconds(6001), kAmple, p);
  CHECK(far.seek_to_edge);
  CHECK(far.rate == 1.0);
  // Behind the target with little buffer: no faster than 1.0 (and no forced slowing down either).
  CHECK(decide_catchup(seconds(4), milliseconds(400), p).rate == 1.0);
  CHECK(decide_catchup(seconds(4), milliseconds(200), p).rate == 1.0);
  CHECK(decide_catchup(seconds(2), milliseconds(400), p).rate < 1.0);  // slowing down is always fine
  // Other bounds (the MPD's PlaybackRate) are kept.
  p.min_rate = 0.96;
  p.max_rate = 1.5;
  CHECK(decide_catchup(seconds(5), kAmple, p).rate == Approx(1.5));
  CHECK(decide_catchup(seconds(0), kAmple, p).rate == Approx(0.96));
}

}  // namespace abrplay::engine::test
