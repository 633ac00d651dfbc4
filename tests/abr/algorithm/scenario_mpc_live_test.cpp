// ScenarioMPC at the low-latency live edge (AbrInput::live_chunks): chunks play as they arrive, so a
// rung the link carries is safe at a 2-3 s buffer where the whole-segment model sees a stall; a rung
// it does not carry falls behind by the excess; the prior and scenarios above the prediction are off.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

#include "abrplay/abr/algorithm/scenario_mpc.h"
#include "algorithm_support.h"

namespace abrplay::abr {
namespace {

using test::InputBuilder;

// Five 4 s samples of `kbps` (50 ms to first byte), the previous choice `last`, a 4 s segment whose
// last 1 s chunk is encoded 3.2 s from now.
InputBuilder live_link(double kbps, std::size_t last) {
  InputBuilder b;
  for (int i = 0; i < 5; ++i) b.add_sample(kbps, 4, 0.05);
  b.input.segment_duration = Seconds{4};
  b.input.segment_count.reset();
  b.input.next_segment = 5;
  b.input.last_index = last;
  b.input.live_chunks = LiveChunks{Seconds{3.2}, Seconds{1}};
  return b;
}

// The live model on a steady link, without the prior's first hedge.
ScenarioMpcParams measured_only() {
  ScenarioMpcParams p;
  p.live_prior_until = 0;
  return p;
}

TEST_CASE("ScenarioMPC at the live edge takes the rung the link carries, where whole segments would stall",
          "[algorithm][default][ll]") {
  // 2.2 Mbit/s, 2.5 s buffered: a 1850 kbit/s segment takes 3.4 s to transfer, longer than the
  // buffer as a whole segment, but each 1 s chunk arrives in 0.84 s once encoded.
  InputBuilder live = live_link(2200, 2);
  const std::size_t chunked = ScenarioMpc(measured_only()).choose(live.at_buffer(2.5)).index;
  CHECK(chunked == 3);  // 1850: under the link, over nothing
  InputBuilder whole = live_link(2200, 2);
  whole.input.live_chunks.reset();
  CHECK(ScenarioMpc().choose(whole.at_buffer(2.5)).index < chunked);
}

TEST_CASE("ScenarioMPC at the live edge steps down when the link falls under the rung", "[algorithm][default][ll]") {
  // 900 kbit/s under a 1200 kbit/s rung: 4 s of media takes 5.3 s, and 1 s of buffer does not cover
  // the 1.3 s it falls behind.
  InputBuilder b = live_link(900, 2);
  CHECK(ScenarioMpc().choose(b.at_buffer(1.0)).index <= 1);
}

TEST_CASE("ScenarioMPC at the live edge does not borrow buffer for a rung above the link", "[algorithm][default][ll]") {
  // 1086 kbit/s, 3.5 s buffered: three 1205k segments (4.4 s each) then two 754k ones end with the
  // buffer back where it was and no stall in the one scenario the measured errors give, but they
  // spend 1.3 s of it on the way; a dip meanwhile would stall. The plan keeps the rung the link carries.
  InputBuilder b = live_link(1086, 1);
  b.input.live_chunks = LiveChunks{Seconds{3.17}, Seconds{1}};
  CHECK(ScenarioMpc(measured_only()).choose(b.at_buffer(3.48)).index == 1);
  ScenarioMpcParams borrow = measured_only();
  borrow.live_spent_buffer_weight = 0;  // the control: without the rule the plan borrows
  CHECK(ScenarioMpc(borrow).choose(b.get()).index == 2);
}

TEST_CASE("ScenarioMPC at the live edge: the prior until one error is measured, none above the prediction",
          "[algorithm][default][ll]") {
  InputBuilder b = live_link(2000, 2);
  ScenarioMpc def;
  (void)def.choose(b.at_buffer(2.5));
  // No measured error yet: the prior's five ratios, the one above 1 capped at the prediction.
  REQUIRE(def.last_scenarios_kbps().size() == 5);
  CHECK(def.last_scenarios_kbps().front() == Approx(1000));
  CHECK(def.last_scenarios_kbps().back() == Approx(2000));
  b.add_sample(3000, 4, 0.05);  // ratio 1.5: capped at the prediction
  (void)def.choose(b.get());
  REQUIRE(def.last_scenarios_kbps().size() == 1);  // the measured error alone from now on
  b.add_sample(1000, 4, 0.05);                     // ratio < 1: a slower scenario
  (void)def.choose(b.get());
  const auto& s = def.last_scenarios_kbps();
  REQUIRE(s.size() == 2);
  const double hm = 2 / (1 / 3000.0 + 1 / 1000.0);  // of the last 2 rates: 8 s of media
  CHECK(s.front() < hm);
  CHECK(s.back() == Approx(hm));
}

TEST_CASE("ScenarioMPC at the live edge predicts from the rates of the last 6 s of media", "[algorithm][default][ll]") {
  // A link that climbed from 1000 to 3000 kbit/s two segments ago. With 4 s segments the two
  // newest rates cover the window and the 1000 kbit/s of 8 s ago is out of it (3 segments, 12 s,
  // lagged such a link on the LL benchmark's ferry trace); with 2 s segments the newest three
  // cover it, one of them from before the climb.
  for (const double segment : {4.0, 2.0}) {
    CAPTURE(segment);
    InputBuilder b = live_link(1000, 1);
    b.samples.clear();
    for (const double kbps : {1000.0, 1000.0, 1000.0, 1000.0, 3000.0, 3000.0}) b.add_sample(kbps, segment, 0.05);
    b.input.segment_duration = Seconds{segment};
    ScenarioMpc mpc(measured_only());
    (void)mpc.choose(b.at_buffer(2.5));
    REQUIRE(mpc.last_scenarios_kbps().size() == 1);
    CHECK(mpc.last_scenarios_kbps().front() == Approx(segment == 4.0 ? 3000.0 : 3 / (1 / 1000.0 + 2 / 3000.0)));
  }
}

TEST_CASE("ScenarioMPC at the live edge: absurd chunk timings give a valid rung, not a crash",
          "[algorithm][default][ll][bad-input]") {
  const double inf = std::numeric_limits<double>::infinity();
  const double nan = std::numeric_limits<double>::quiet_NaN();
  struct Case {
    double encode_left, chunk, segment;
  };
  for (const Case c : {Case{0, 0, 4}, Case{-5, -1, 4}, Case{1e9, 1e9, 4}, Case{3, 1, 0}, Case{inf, inf, 4},
                       Case{3, 1, 1e-9}, Case{3, 1, inf}, Case{3, 1, nan}, Case{3, 1, -4}}) {
    CAPTURE(c.encode_left, c.chunk, c.segment);
    InputBuilder b = live_link(2000, 2);
    b.input.live_chunks = LiveChunks{Seconds{c.encode_left}, Seconds{c.chunk}};
    b.input.segment_duration = Seconds{c.segment};
    const Decision d = ScenarioMpc().choose(b.at_buffer(2));
    CHECK(d.index < b.ladder.size());
  }
}

}  // namespace
}  // namespace abrplay::abr
