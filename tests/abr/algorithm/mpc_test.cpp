#include <catch2/catch.hpp>

#include "abrplay/abr/algorithm/mpc.h"
#include "abrplay/abr/algorithm/scenario_mpc.h"
#include "algorithm_support.h"

using namespace abrplay::abr;  // NOLINT: test file
using abrplay::abr::test::InputBuilder;

TEST_CASE("MPC with no sample and no estimate picks the lowest", "[algorithm][mpc]") {
  InputBuilder b;
  MpcAlgorithm mpc;
  CHECK(mpc.choose(b.get()).index == 0);
}

TEST_CASE("MPC's horizon shrinks at the end of the video", "[algorithm][mpc]") {
  InputBuilder b;
  for (int i = 0; i < 5; ++i) b.add_sample(2000);
  b.input.last_index = 5;
  b.input.buffer_level = Seconds{10};
  MpcAlgorithm mpc;
  b.input.next_segment = 48;  // nothing left
  const Decision end = mpc.choose(b.get());
  CHECK(end.index == 5);
  CHECK(end.reason == "end of video: nothing to plan");
  // One segment left with 10 s of buffer at 2000 kbps: the top (4 s x 4300 kbps = 8.6 s) cannot
  // stall, so MPC stays at the top.
  b.input.next_segment = 47;
  CHECK(mpc.choose(b.get()).index == 5);
  // With the full 5-segment horizon the same state is too risky for the top.
  b.input.next_segment = 10;
  CHECK(mpc.choose(b.get()).index < 5);
}

TEST_CASE("RobustMPC divides the harmonic mean by 1 + the largest of the last 5 errors", "[algorithm][mpc]") {
  InputBuilder b;
  b.input.next_segment = 1;
  MpcAlgorithm robust({.robust = true});
  b.add_sample(1000);
  (void)robust.choose(b.get());  // first prediction 1000, error 0
  CHECK(robust.last_future_kbps() == Approx(1000));
  b.add_sample(500);  // error |1000 - 500| / 500 = 1
  (void)robust.choose(b.get());
  const double hm = 2 / (1 / 1000.0 + 1 / 500.0);
  CHECK(robust.last_future_kbps() == Approx(hm / 2));
  // Calling again without a new sample records no new error.
  (void)robust.choose(b.get());
  CHECK(robust.last_future_kbps() == Approx(hm / 2));
  // Enough accurate samples later every large error has left the window.
  for (int i = 0; i < 12; ++i) {
    b.add_sample(500);
    (void)robust.choose(b.get());
  }
  CHECK(robust.last_future_kbps() == Approx(500).epsilon(0.01));
}

TEST_CASE("ScenarioMPC plans against prior scenarios, then its own forecast errors", "[algorithm][default]") {
  InputBuilder b;
  ScenarioMpc def;
  b.add_sample(1000, 4, 0.08);
  b.input.next_segment = 1;
  b.input.last_index = 1;
  (void)def.choose(b.get());
  // The transfer rate excludes the 80 ms of latency: 1000 kbps exactly; prior ratios scale it.
  REQUIRE(def.last_scenarios_kbps().size() == 5);
  CHECK(def.last_scenarios_kbps().front() == Approx(500));
  CHECK(def.last_scenarios_kbps().back() == Approx(1250));
  b.add_sample(2000, 4, 0.08);  // ratio 2000 / 1000 = 2
  (void)def.choose(b.get());
  CHECK(def.last_scenarios_kbps().size() == 6);
  const double hm = 2 / (1 / 1000.0 + 1 / 2000.0);
  CHECK(def.last_scenarios_kbps().back() == Approx(2 * hm));
  def.reset();
  b.samples.clear();
  CHECK(def.choose(b.get()).index == 0);
}

TEST_CASE("ScenarioMPC: plenty of bandwidth and buffer gives the top: none gives the lowest", "[algorithm][default]") {
  InputBuilder b;
  ScenarioMpc def;
  for (int i = 0; i < 5; ++i) b.add_sample(50000, 1, 0.08);
  b.input.last_index = 5;
  b.input.next_segment = 5;
  CHECK(def.choose(b.at_buffer(30)).index == 5);
  def.reset();
  InputBuilder slow;
  for (int i = 0; i < 5; ++i) slow.add_sample(100, 4, 0.08);
  slow.input.last_index = 0;
  slow.input.next_segment = 5;
  CHECK(def.choose(slow.at_buffer(2)).index == 0);
}

TEST_CASE("ScenarioMPC weighs bitrate per second of media: 2 s segments get the 4 s choice, not a riskier one",
          "[algorithm][default]") {
  // Same link (5 samples of `kbps`, 40 ms latency), same buffer in seconds, same previous rung; only
  // the segment duration differs. Counting each 2 s segment's bitrate as a whole 4 s chunk (a
  // reference of 2 s) doubles bitrate's weight against a stall second, and picks a higher rung.
  struct Case {
    double kbps, buffer_s;
    std::size_t last;
  };
  for (const Case c : {Case{800, 8, 2}, Case{2000, 10, 0}, Case{2500, 8, 4}, Case{3000, 4, 2}}) {
    CAPTURE(c.kbps, c.buffer_s, c.last);
    auto choice = [&](double segment_s, double reference_s) {
      InputBuilder b;
      for (int i = 0; i < 5; ++i) b.add_sample(c.kbps, segment_s, 0.04);
      b.input.segment_duration = Seconds{segment_s};
      b.input.last_index = c.last;
      b.input.next_segment = 5;
      ScenarioMpcParams p;
      p.bitrate_reference_s = reference_s;
      return ScenarioMpc(p).choose(b.at_buffer(c.buffer_s)).index;
    };
    const std::size_t four = choice(4, 4);
    CHECK(choice(2, 4) == four);
    CHECK(choice(2, 2) > four);
  }
}
