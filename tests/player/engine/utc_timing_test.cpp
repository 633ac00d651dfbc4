#include "abrplay/player/engine/utc_timing.h"

#include <catch2/catch.hpp>

namespace abrplay::engine::test {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST_CASE("UTCTiming schemes are recognised in their 2012 and 2014 spellings: ntp is unsupported", "[engine][utc]") {
  CHECK(utc_scheme("urn:mpeg:dash:utc:http-iso:2014") == UtcScheme::kHttpIso);
  CHECK(utc_scheme("urn:mpeg:dash:utc:http-xsdate:2012") == UtcScheme::kHttpXsDate);
  CHECK(utc_scheme("urn:mpeg:dash:utc:direct:2014") == UtcScheme::kDirect);
  CHECK(utc_scheme("urn:mpeg:dash:utc:http-head:2014") == UtcScheme::kHttpHead);
  CHECK(utc_scheme("urn:mpeg:dash:utc:ntp:2014") == UtcScheme::kUnsupported);
}

TEST_CASE("a time response body is an xs:dateTime, whitespace around it ignored: garbage is named", "[engine][utc]") {
  auto t = parse_utc_body(" 2024-01-01T00:00:01.5Z\r\n");
  REQUIRE(t);
  CHECK(t->time_since_epoch() == seconds(1'704'067'201) + milliseconds(500));
  auto bad = parse_utc_body("yesterday");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().find("'yesterday'") == 0);
  CHECK_FALSE(parse_utc_body("   "));
}

TEST_CASE("an HTTP Date header is read as IMF-fixdate", "[engine][utc]") {
  auto t = parse_http_date("Mon, 01 Jan 2024 00:00:07 GMT");
  REQUIRE(t);
  CHECK(t->time_since_epoch() == seconds(1'704'067'207));
  CHECK_FALSE(parse_http_date("Mon, 01 Foo 2024 00:00:07 GMT"));
  CHECK_FALSE(parse_http_date("Mon, 31 Feb 2024 00:00:07 GMT"));
  CHECK_FALSE(parse_http_date("Mon, 01 Jan 2024 00:00:07 CET"));
}

TEST_CASE("the clock offset assumes the server stamped its time half-way through the round trip", "[engine][utc]") {
  const WallTime sent{seconds(100)};
  const WallTime received = sent + milliseconds(200);
  CHECK(clock_offset(sent, received, WallTime{seconds(3700)}) == seconds(3600) - milliseconds(100));
  CHECK(clock_offset(sent, sent, sent) == milliseconds(0));
}

}  // namespace abrplay::engine::test
