#include <catch2/catch.hpp>

#include "abrplay/abr/algorithm/bola.h"
#include "algorithm_support.h"

using namespace abrplay::abr;  // NOLINT: test file
using abrplay::DataRate;
using abrplay::abr::test::InputBuilder;

TEST_CASE("BOLA parameters follow dash.js's derivation", "[algorithm][bola]") {
  InputBuilder b;
  BolaAlgorithm bola;
  const auto d = bola.derive(b.get());
  // Target buffer max(12, 10 + 2 x 6) = 22 s; gp = (u_max - 1) / (22 / 10 - 1); V = 10 / gp.
  const double gp = std::log(4300.0 / 300) / 1.2;
  CHECK(d.gp == Approx(gp));
  CHECK(d.v == Approx(10 / gp));
  CHECK(d.utilities.front() == Approx(1));
}

TEST_CASE("BOLA switches exactly at its thresholds", "[algorithm][bola]") {
  InputBuilder b;
  BolaAlgorithm bola;
  const auto d = bola.derive(b.get());
  double previous = -1;
  for (std::size_t m = 0; m + 1 < b.ladder.size(); ++m) {
    CAPTURE(m);
    const double threshold = BolaAlgorithm::switch_threshold(d, b.get(), m);
    CHECK(threshold > previous);  // thresholds increase with the level
    previous = threshold;
    CHECK(bola.choose(b.at_buffer(threshold - 1e-6)).index == m);
    CHECK(bola.choose(b.at_buffer(threshold + 1e-6)).index == m + 1);
  }
  CHECK(bola.choose(b.at_buffer(0)).index == 0);
  CHECK(bola.choose(b.at_buffer(10)).index == 0);    // the lowest up to B_min
  CHECK(bola.choose(b.at_buffer(22.5)).index == 5);  // the highest from the target
}

TEST_CASE("BOLA-E: throughput choice at start-up via the placeholder, BOLA-O caps up-switches", "[algorithm][bola]") {
  InputBuilder b;
  BolaAlgorithm bola({.enhanced = true});
  b.input.throughput = DataRate::kilobits_per_second(2200);  // safe: 1980 -> index 3
  const Decision start = bola.choose(b.at_buffer(0));
  CHECK(start.index == 3);
  // Next segment with 4 s of real buffer: the placeholder keeps BOLA at index 3, not back to 0.
  b.input.last_index = 3;
  CHECK(bola.choose(b.at_buffer(4)).index >= 3);
  // BOLA-O: a big buffer says "top", but the throughput-safe choice (1) and last (3) cap it at 3.
  b.input.throughput = DataRate::kilobits_per_second(900);
  CHECK(bola.choose(b.at_buffer(40)).index == 3);
  // A stall restarts: throughput choice again.
  b.input.rebuffering = true;
  CHECK(bola.choose(b.at_buffer(0)).index == 1);
}
