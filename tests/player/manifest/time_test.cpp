#include <catch2/catch.hpp>

#include "abrplay/player/manifest/time.h"

using namespace abrplay::manifest;
using abrplay::WallTime;
using std::chrono::microseconds;

TEST_CASE("ISO 8601 durations parse to microseconds", "[manifest][time]") {
  CHECK(*parse_iso8601_duration("PT0S") == microseconds(0));
  CHECK(*parse_iso8601_duration("PT1.5S") == microseconds(1'500'000));
  CHECK(*parse_iso8601_duration("PT1H2M3.25S") == microseconds(3'723'250'000));
  CHECK(*parse_iso8601_duration("P1DT1S") == microseconds(86'401'000'000));
  CHECK(*parse_iso8601_duration("P1Y") == std::chrono::hours(24 * 365));
  CHECK(*parse_iso8601_duration(" PT2S ") == microseconds(2'000'000));
  CHECK(*parse_iso8601_duration("PT0.000001S") == microseconds(1));
}

TEST_CASE("bad ISO 8601 durations are rejected with a reason", "[manifest][time]") {
  CHECK(parse_iso8601_duration("-PT5S").error().find("negative") != std::string::npos);
  CHECK(parse_iso8601_duration("P1000000Y").error().find("absurd") != std::string::npos);
  CHECK(parse_iso8601_duration("PT99999999999999999999S").error().find("malformed") != std::string::npos);
  for (const char* bad : {"", "P", "PT", "5S", "PT5", "PTS", "PT1S2M", "P1H", "PT1.S", "PT1X", "PT1ST"})
    CHECK_FALSE(parse_iso8601_duration(bad));
}

TEST_CASE("xs:dateTime parses with and without zones and fractions", "[manifest][time]") {
  auto t = parse_xs_datetime("2024-01-02T03:04:05Z");
  REQUIRE(t);
  CHECK(format_datetime(*t) == "2024-01-02T03:04:05Z");
  CHECK(format_datetime(*parse_xs_datetime("2024-01-02T03:04:05.25+01:00")) == "2024-01-02T02:04:05.250000Z");
  CHECK(*parse_xs_datetime("2024-01-02T03:04:05") == *t);  // no zone: UTC
  CHECK(*parse_xs_datetime("1970-01-01T00:00:00Z") == WallTime(microseconds(0)));
  for (const char* bad : {"2024-13-01T00:00:00Z", "2024-02-30T00:00:00Z", "1969-12-31T23:59:59Z",
                          "2024-01-02 03:04:05Z", "2024-01-02T03:04:05+0100", "garbage", ""})
    CHECK_FALSE(parse_xs_datetime(bad));
}

TEST_CASE("tick conversions are exact and do not overflow", "[manifest][time]") {
  CHECK(ticks_to_duration(90000, 90000) == microseconds(1'000'000));
  CHECK(ticks_to_duration(1001, 30000) == microseconds(33'366));
  CHECK(ticks_to_duration(UINT64_MAX, 4'294'967'295u) > microseconds(0));
  CHECK(duration_to_ticks(microseconds(2'000'000), 48000) == 96000);
  CHECK(duration_to_ticks(microseconds(-5), 48000) == 0);
  CHECK(format_seconds(microseconds(62'500'000)) == "62.5s");
  CHECK(format_seconds(microseconds(0)) == "0s");
}
