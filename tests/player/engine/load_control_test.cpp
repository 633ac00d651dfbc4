#include "abrplay/player/engine/load_control.h"

#include <array>
#include <catch2/catch.hpp>
#include <string>

#include "abrplay/player/engine/rate_rules.h"

namespace abrplay::engine::test {

using std::chrono::milliseconds;
using std::chrono::seconds;
using namespace abrplay::literals;

TEST_CASE("loading rests between the marks: starts below min_buffer, stops at max_buffer", "[engine][load_control]") {
  const LoadControlParams p;  // 40 s / 50 s
  CHECK(should_load(p, {seconds(0), false}));
  CHECK(should_load(p, {milliseconds(39'999), false}));
  CHECK_FALSE(should_load(p, {seconds(40), false}));  // resting at the low mark exactly
  CHECK(should_load(p, {seconds(40), true}));         // inside a burst it continues
  CHECK(should_load(p, {milliseconds(49'999), true}));
  CHECK_FALSE(should_load(p, {seconds(50), true}));  // the high mark ends the burst
  CHECK_FALSE(should_load(p, {seconds(55), false}));
}

TEST_CASE("playback starts at the startup buffer and resumes after a stall only at the rebuffer mark",
          "[engine][load_control]") {
  const LoadControlParams p;  // 3.5 s / 4 s
  CHECK_FALSE(ready_to_play(p, {milliseconds(3'499), false, false}));
  CHECK(ready_to_play(p, {milliseconds(3'500), false, false}));
  CHECK_FALSE(ready_to_play(p, {seconds(3), true, false}));
  CHECK(ready_to_play(p, {seconds(4), true, false}));
  CHECK(ready_to_play(p, {milliseconds(500), true, true}));  // everything to the end is there
}

TEST_CASE("inconsistent load-control parameters are named", "[engine][load_control]") {
  LoadControlParams p;
  CHECK(std::string(validate(p)).empty());
  p.min_buffer = seconds(51);
  CHECK(std::string(validate(p)) == "min_buffer must not exceed max_buffer");
  p = {};
  p.startup_buffer = seconds(0);
  CHECK(std::string(validate(p)) == "startup_buffer must be positive");
}

TEST_CASE("fast start picks the highest rung under 90 % of the estimate, 1 Mbit/s before any sample",
          "[engine][rate_rules]") {
  const std::array ladder{300_kbps, 890_kbps, 1500_kbps, 4000_kbps};
  const RateRuleParams p;
  CHECK(fast_start_index(ladder, std::nullopt, p) == 1);  // 890 <= 1000 * 0.9
  CHECK(fast_start_index(ladder, 1700_kbps, p) == 2);     // 1500 <= 1530
  CHECK(fast_start_index(ladder, 1650_kbps, p) == 1);     // 1500 > 1485
  CHECK(fast_start_index(ladder, 10_kbps, p) == 0);       // nothing fits: the lowest
}

TEST_CASE("audio takes the highest rung within 10 % of the estimate, else the lowest", "[engine][rate_rules]") {
  const std::array ladder{64_kbps, 128_kbps, 256_kbps};
  const RateRuleParams p;
  CHECK(audio_index(ladder, 5000_kbps, p) == 2);
  CHECK(audio_index(ladder, 1280_kbps, p) == 1);
  CHECK(audio_index(ladder, 1279_kbps, p) == 0);
  CHECK(audio_index(ladder, 100_kbps, p) == 0);
}

}  // namespace abrplay::engine::test
