#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

#include "abrplay/abr/trace/trace.h"

using abrplay::abr::parse_mahimahi_trace;
using abrplay::abr::parse_pensieve_trace;
using abrplay::abr::SabreEntry;
using abrplay::abr::trace_from_sabre;
using std::chrono::microseconds;
using std::chrono::milliseconds;

TEST_CASE("Pensieve trace: line i's bandwidth covers the interval ending at line i", "[trace]") {
  const auto trace = parse_pensieve_trace("0.0\t9.0\n1.0\t2.0\n3.5 4.0\r\n\n", "t");
  REQUIRE(trace);
  REQUIRE(trace->segments.size() == 2);
  CHECK(trace->segments[0].duration == microseconds(1'000'000));
  CHECK(trace->segments[0].bandwidth_kbps == 2000.0);
  CHECK(trace->segments[1].duration == microseconds(2'500'000));
  CHECK(trace->segments[1].bandwidth_kbps == 4000.0);
  CHECK(trace->total_duration() == microseconds(3'500'000));
  CHECK(trace->mean_kbps() == Approx((2000.0 * 1 + 4000.0 * 2.5) / 3.5));
}

TEST_CASE("Pensieve trace: malformed lines are errors naming the trace and line", "[trace]") {
  struct Case {
    const char* text;
    const char* expect;
  };
  const Case cases[] = {
      {"", "t: a Pensieve trace needs at least 2"},
      {"0 1\n", "at least 2"},
      {"0 1\n1 abc\n", "t:2: bandwidth is not a finite number"},
      {"0 1\n1 nan\n", "t:2: bandwidth is not a finite number"},
      {"0 1\nx 1\n", "t:2: time is not a finite number"},
      {"0 1\n1 -2\n", "t:2: bandwidth out of range"},
      {"0 1\n1 1e12\n", "t:2: bandwidth out of range"},
      {"0 1\n2 1\n\n2 1\n", "t:4: time does not increase"},
      {"0 1\n2 1\n1 1\n", "t:3: time does not increase"},
      {"0 1\n1 1 7\n", "t:2: expected 2 columns"},
      {"0 1\n-1 1\n", "t:2: time out of range"},
      {"0 0\n1 0\n", "zero bandwidth throughout"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.text);
    const auto trace = parse_pensieve_trace(c.text, "t");
    REQUIRE_FALSE(trace);
    CHECK_THAT(trace.error().message, Catch::Contains(c.expect));
  }
}

TEST_CASE("Mahimahi trace: opportunities are binned into bandwidth", "[trace]") {
  // 3 packets in [0,100) ms, 1 in [100,200), period 250 ms (last stamp), last bin 50 ms with 1 packet.
  const auto trace = parse_mahimahi_trace("0\n5\n5\n150\n250\n", "m", milliseconds(100));
  REQUIRE(trace);
  REQUIRE(trace->segments.size() == 3);
  CHECK(trace->segments[0].bandwidth_kbps == Approx(3 * 12000.0 / 100));  // 360 kbps
  CHECK(trace->segments[1].bandwidth_kbps == Approx(120.0));
  CHECK(trace->segments[2].duration == microseconds(50'000));
  CHECK(trace->segments[2].bandwidth_kbps == Approx(12000.0 / 50));
  CHECK(trace->total_duration() == microseconds(250'000));
}

TEST_CASE("Mahimahi trace: a run of empty bins is one zero segment, so a far timestamp costs no memory", "[trace]") {
  // 2 packets in [0,100), nothing in [100,300), 1 packet in the last bin [300,350).
  const auto gap = parse_mahimahi_trace("0\n5\n350\n", "m", milliseconds(100));
  REQUIRE(gap);
  REQUIRE(gap->segments.size() == 3);
  CHECK(gap->segments[0].bandwidth_kbps == Approx(2 * 12000.0 / 100));
  CHECK(gap->segments[1].duration == microseconds(200'000));
  CHECK(gap->segments[1].bandwidth_kbps == 0.0);
  CHECK(gap->segments[2].duration == microseconds(50'000));
  CHECK(gap->segments[2].bandwidth_kbps == Approx(12000.0 / 50));
  // Found by abrplay_trace_fuzzer: this 12-byte file used to allocate 10^8 bins (3.2 GB).
  const auto far = parse_mahimahi_trace("10000000000\n", "m", milliseconds(100));
  REQUIRE(far);
  REQUIRE(far->segments.size() == 2);
  CHECK(far->segments[0].bandwidth_kbps == 0.0);
  CHECK(far->segments[1].bandwidth_kbps == Approx(120.0));
  CHECK(far->total_duration() == milliseconds(10'000'000'000));
}

TEST_CASE("Mahimahi trace: bad lines are errors with the line number", "[trace]") {
  CHECK_THAT(parse_mahimahi_trace("", "m").error().message, Catch::Contains("empty"));
  CHECK_THAT(parse_mahimahi_trace("1\n2.5\n", "m").error().message, Catch::Contains("m:2: expected one integer"));
  CHECK_THAT(parse_mahimahi_trace("1\n2 3\n", "m").error().message, Catch::Contains("m:2:"));
  CHECK_THAT(parse_mahimahi_trace("5\n3\n", "m").error().message, Catch::Contains("m:2: timestamp goes backwards"));
  CHECK_THAT(parse_mahimahi_trace("-5\n", "m").error().message, Catch::Contains("m:1: timestamp out of range"));
  CHECK_THAT(parse_mahimahi_trace("1\n", "m", milliseconds(0)).error().message, Catch::Contains("bin"));
}

TEST_CASE("Sabre entries: validated per entry", "[trace]") {
  const SabreEntry good[] = {{5000, 320, 20}, {2500, 0, 0}};
  const auto trace = trace_from_sabre(good, "s");
  REQUIRE(trace);
  CHECK(trace->segments[0].latency == microseconds(20'000));
  CHECK(trace->mean_kbps() == Approx(320.0 * 5 / 7.5));
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const SabreEntry bad_nan[] = {{5000, 320, 20}, {1000, nan, 0}};
  CHECK_THAT(trace_from_sabre(bad_nan, "s").error().message, Catch::Contains("s: entry 1: bandwidth_kbps"));
  const SabreEntry bad_duration[] = {{0, 320, 20}};
  CHECK_THAT(trace_from_sabre(bad_duration, "s").error().message, Catch::Contains("entry 0: duration_ms"));
  const SabreEntry bad_latency[] = {{10, 320, -1}};
  CHECK_THAT(trace_from_sabre(bad_latency, "s").error().message, Catch::Contains("latency_ms"));
  const SabreEntry silent[] = {{10, 0, 0}};
  CHECK_THAT(trace_from_sabre(silent, "s").error().message, Catch::Contains("zero bandwidth"));
  CHECK_FALSE(trace_from_sabre({}, "s"));
}
