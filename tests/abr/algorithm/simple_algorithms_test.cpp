#include <catch2/catch.hpp>

#include "abrplay/abr/algorithm/bba.h"
#include "abrplay/abr/algorithm/dynamic.h"
#include "abrplay/abr/algorithm/fixed.h"
#include "abrplay/abr/algorithm/lowest.h"
#include "abrplay/abr/algorithm/registry.h"
#include "abrplay/abr/algorithm/throughput_rule.h"
#include "algorithm_support.h"

using namespace abrplay::abr;  // NOLINT: test file
using abrplay::DataRate;
using abrplay::abr::test::InputBuilder;

TEST_CASE("Fixed and lowest ignore the network: fixed clamps to the ladder", "[algorithm]") {
  InputBuilder b;
  b.input.throughput = DataRate::kilobits_per_second(1e6);
  CHECK(LowestAlgorithm().choose(b.get()).index == 0);
  CHECK(FixedAlgorithm(3).choose(b.get()).index == 3);
  CHECK(FixedAlgorithm(99).choose(b.get()).index == 5);
}

TEST_CASE("Throughput rule: highest bitrate at or under safety x estimate", "[algorithm]") {
  InputBuilder b;
  ThroughputRule rule({0.9});
  CHECK(rule.choose(b.get()).index == 0);                         // no estimate yet
  b.input.throughput = DataRate::kilobits_per_second(750 / 0.9);  // exactly 750 usable
  CHECK(rule.choose(b.get()).index == 1);
  b.input.throughput = DataRate::kilobits_per_second(750 / 0.9 - 0.01);
  CHECK(rule.choose(b.get()).index == 0);
  b.input.throughput = DataRate::kilobits_per_second(1e6);
  CHECK(rule.choose(b.get()).index == 5);
  b.input.throughput = DataRate::kilobits_per_second(2000);
  b.input.playback_rate = 2;  // 900 usable at 2x speed
  CHECK(rule.choose(b.get()).index == 1);
}

TEST_CASE("BB (Pensieve's map): reservoir and cushion edges", "[algorithm][bba]") {
  InputBuilder b;
  BbaAlgorithm bb({.pensieve_index_map = true});
  CHECK(bb.choose(b.at_buffer(0)).index == 0);
  CHECK(bb.choose(b.at_buffer(4.999)).index == 0);
  CHECK(bb.choose(b.at_buffer(5.0)).index == 0);
  CHECK(bb.choose(b.at_buffer(6.999)).index == 0);
  CHECK(bb.choose(b.at_buffer(7.0)).index == 1);  // 5 x 2 / 10 = 1
  CHECK(bb.choose(b.at_buffer(14.999)).index == 4);
  CHECK(bb.choose(b.at_buffer(15.0)).index == 5);  // reservoir + cushion
}

TEST_CASE("BBA-0: Rate+ / Rate- hysteresis inside the cushion", "[algorithm][bba]") {
  InputBuilder b;
  BbaAlgorithm bba(BbaParams{});
  // f(B) = 300 + 4000 x (B - 5) / 10.
  CHECK(bba.choose(b.at_buffer(4.99)).index == 0);
  CHECK(bba.choose(b.at_buffer(15)).index == 5);
  b.input.last_index = 2;                                                      // 1200 kbps; Rate+ = 1850, Rate- = 750
  CHECK(bba.choose(b.at_buffer(5 + (1850.0 - 300) / 400 - 0.01)).index == 2);  // f just under 1850: keep
  CHECK(bba.choose(b.at_buffer(5 + (1900.0 - 300) / 400)).index == 3);         // f = 1900: max rate < f
  CHECK(bba.choose(b.at_buffer(5 + (760.0 - 300) / 400)).index == 2);          // f above 750: keep
  CHECK(bba.choose(b.at_buffer(5 + (750.0 - 300) / 400)).index == 2);          // f = 750: min rate > f is 1200
  CHECK(bba.choose(b.at_buffer(5 + (749.0 - 300) / 400)).index == 1);          // f = 749: min rate > f is 750
  CHECK(bba.choose(b.at_buffer(5 + (310.0 - 300) / 400)).index == 1);          // f = 310: min rate > f = 750
}

TEST_CASE("Dynamic: throughput rule below 12 s, BOLA from 12 s until under 6 s", "[algorithm]") {
  InputBuilder b;
  b.input.throughput = DataRate::kilobits_per_second(800);  // throughput rule: 720 usable -> index 0
  b.input.last_index = 0;
  DynamicAlgorithm d;
  const Decision low = d.choose(b.at_buffer(11.9));
  CHECK(low.index == 0);
  CHECK(low.reason == "dynamic: buffer low, throughput rule");
  CHECK(d.choose(b.at_buffer(12)).reason == "dynamic: buffer high, BOLA");
  CHECK(d.choose(b.at_buffer(6)).reason == "dynamic: buffer high, BOLA");  // hysteresis
  CHECK(d.choose(b.at_buffer(5.9)).reason == "dynamic: buffer low, throughput rule");
}

TEST_CASE("Registry knows every name it lists and nothing else", "[algorithm]") {
  for (std::string_view name : algorithm_names()) CHECK(make_algorithm(name) != nullptr);
  CHECK(make_algorithm("pensieve") == nullptr);
}

TEST_CASE("Abandon hook: dash.js rule, grace period and projected duration", "[algorithm]") {
  InputBuilder b;
  b.input.segment_duration = Seconds{4};
  LowestAlgorithm any;
  AbrInput& ctx = b.get();
  const double top_bytes = ctx.segment_bytes(5, 0);  // 2.15 MB
  AbandonInput in{&ctx, 5, top_bytes, top_bytes * 0.01, Seconds{0.4}, Seconds{0.05}};
  CHECK_FALSE(any.should_abandon(in).abandon);  // inside the 500 ms grace
  in.elapsed = Seconds{1.0};                    // 1% in 1 s: ~100 s projected
  const AbandonDecision slow = any.should_abandon(in);
  CHECK(slow.abandon);
  CHECK(slow.switch_to < 5);
  in.bytes_loaded = top_bytes * 0.5;  // half in 1 s: 2 s projected
  CHECK_FALSE(any.should_abandon(in).abandon);
  in.index = 0;
  in.bytes_loaded = 1;
  CHECK_FALSE(any.should_abandon(in).abandon);  // never abandons the lowest
}

TEST_CASE("Abandon hook: a slow download is kept when it ends before the buffer runs low, or when less of it is left "
          "than the lower rung's whole segment",
          "[algorithm]") {
  InputBuilder b;
  b.input.segment_duration = Seconds{4};
  LowestAlgorithm any;
  AbrInput& ctx = b.at_buffer(0);
  const double top_bytes = ctx.segment_bytes(5, 0);  // 2.15 MB
  // 10 % in 2 s: 100 kB/s, 18 s left (projected 20 s > 7.2 s).
  AbandonInput in{&ctx, 5, top_bytes, top_bytes * 0.1, Seconds{2.0}, Seconds{0.0}};
  CHECK(any.should_abandon(in).abandon);  // nothing buffered: abandon
  ctx.buffer_level = Seconds{21.0};       // 18 s left + one 4 s segment > 21 s: still abandon
  CHECK(any.should_abandon(in).abandon);
  ctx.buffer_level = Seconds{23.0};  // it completes with 5 s still buffered: kept
  const AbandonDecision kept = any.should_abandon(in);
  CHECK_FALSE(kept.abandon);
  CHECK(kept.reason == "keep: slow, but done before the buffer runs low");
  // Nothing buffered, 90 % loaded in 9 s: 215 kB left, but the rung it would switch to (the
  // highest whose segment 100 kB/s delivers in 4 s: 750k, 375 kB) is larger: finishing is quicker.
  ctx.buffer_level = Seconds{0};
  in.bytes_loaded = top_bytes * 0.9;
  in.elapsed = Seconds{19.35};
  const AbandonDecision finish = any.should_abandon(in);
  CHECK_FALSE(finish.abandon);
  CHECK(finish.reason == "keep: less is left of it than a lower rung's whole segment");
}
