// The shipped default (abr::kDefaultAlgorithm, ScenarioMPC) stays sane on degenerate input: one
// rung, equal rungs, missing or zero segment sizes, samples of 0 bytes or 0 s, a clock that does not
// advance, a buffer over its capacity. Each answer is a valid index, and the same input twice gives
// the same answer.
#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "abrplay/abr/algorithm/registry.h"
#include "algorithm_support.h"

using abrplay::DataSize;
using abrplay::Seconds;
using abrplay::abr::AbrAlgorithm;
using abrplay::abr::ThroughputSample;
using abrplay::abr::test::InputBuilder;

namespace {
std::unique_ptr<AbrAlgorithm> the_default() {
  auto a = abrplay::abr::make_algorithm("default");
  REQUIRE(a);
  CHECK(a->name() == abrplay::abr::kDefaultAlgorithm);
  return a;
}
}  // namespace

TEST_CASE("default: a ladder of one rung always answers 0", "[algorithm][default][bad-input]") {
  auto algo = the_default();
  InputBuilder b({800});
  for (double kbps : {0.0, 100.0, 5000.0}) {
    b.add_sample(kbps == 0 ? 1 : kbps);
    b.input.last_index = 0;
    CHECK(algo->choose(b.at_buffer(3)).index == 0);
    CHECK(algo->choose(b.at_buffer(100)).index == 0);
  }
}

TEST_CASE("default: rungs with equal bitrates give a valid index and no flapping", "[algorithm][default][bad-input]") {
  auto algo = the_default();
  InputBuilder b({1000, 1000, 1000});
  for (int i = 0; i < 5; ++i) b.add_sample(5000);
  b.input.last_index = 1;
  const auto first = algo->choose(b.at_buffer(10)).index;
  CHECK(first < 3);
  CHECK(algo->choose(b.at_buffer(10)).index == first);
}

TEST_CASE("default: segment sizes missing or zero fall back or count as free, never crash",
          "[algorithm][default][bad-input]") {
  auto algo = the_default();
  std::vector<std::int64_t> zeros(48, 0), partial = {100'000};  // shorter than the video
  InputBuilder b({300, 1200});
  b.ladder[0].segment_bytes = zeros;
  b.ladder[1].segment_bytes = partial;
  for (int i = 0; i < 3; ++i) b.add_sample(2000);
  b.input.next_segment = 10;  // beyond `partial`: the declared bitrate is used
  const auto d = algo->choose(b.at_buffer(8));
  CHECK(d.index < 2);
}

TEST_CASE("default: samples of 0 bytes or 0 s are ignored, not divided by", "[algorithm][default][bad-input]") {
  auto algo = the_default();
  InputBuilder b;
  b.samples.push_back(ThroughputSample{Seconds{1}, DataSize::zero(), Seconds{1}, Seconds{0}});         // 0 bytes
  b.samples.push_back(ThroughputSample{Seconds{2}, DataSize::bytes(50'000), Seconds{0}, Seconds{0}});  // 0 s
  const auto only_bad = algo->choose(b.at_buffer(5));
  CHECK(only_bad.index == 0);  // nothing usable: the lowest
  b.add_sample(3000);
  const auto d = algo->choose(b.at_buffer(12));
  CHECK(d.index < b.ladder.size());
  CHECK(d.index > 0);  // the one real 3 Mbit/s sample counts
}

TEST_CASE("default: a clock that does not advance (the same samples again) keeps the same answer",
          "[algorithm][default][bad-input]") {
  auto algo = the_default();
  InputBuilder b;
  for (int i = 0; i < 4; ++i) b.add_sample(2500);
  b.input.last_index = 3;
  b.input.now = Seconds{20};
  const auto a = algo->choose(b.at_buffer(12)).index;
  for (int i = 0; i < 10; ++i) CHECK(algo->choose(b.at_buffer(12)).index == a);
}

TEST_CASE("default: a buffer over its capacity (or absurd) is handled like a full one",
          "[algorithm][default][bad-input]") {
  auto algo = the_default();
  InputBuilder b;
  for (int i = 0; i < 4; ++i) b.add_sample(2000);
  b.input.last_index = 2;
  b.input.buffer_capacity = Seconds{20};
  const auto over = algo->choose(b.at_buffer(45)).index;
  CHECK(over < b.ladder.size());
  const auto absurd = algo->choose(b.at_buffer(1e9)).index;
  CHECK(absurd < b.ladder.size());
  const auto negative = algo->choose(b.at_buffer(-5)).index;
  CHECK(negative < b.ladder.size());
}
