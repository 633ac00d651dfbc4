#include <catch2/catch.hpp>

#include <memory>
#include <string>

#include "abrplay/core/expected.h"
#include "abrplay/core/track_type.h"

using abrplay::Expected;
using abrplay::Unexpected;

namespace {
Expected<int, std::string> parse_digit(char c) {
  if (c < '0' || c > '9') return Unexpected{std::string("not a digit: ") + c};
  return c - '0';
}
}  // namespace

TEST_CASE("Expected holds a value or an error, never both", "[core][expected]") {
  const auto ok = parse_digit('7');
  REQUIRE(ok);
  CHECK(*ok == 7);
  const auto bad = parse_digit('x');
  REQUIRE_FALSE(bad);
  CHECK(bad.error() == "not a digit: x");
}

TEST_CASE("Expected with the same type for value and error stays unambiguous", "[core][expected]") {
  const Expected<std::string, std::string> value = std::string("v");
  const Expected<std::string, std::string> error = Unexpected{std::string("e")};
  CHECK(value.has_value());
  CHECK(*value == "v");
  CHECK_FALSE(error.has_value());
  CHECK(error.error() == "e");
}

TEST_CASE("Expected moves a move-only value out", "[core][expected]") {
  Expected<std::unique_ptr<int>, std::string> e = std::make_unique<int>(5);
  std::unique_ptr<int> p = std::move(e).value();
  REQUIRE(p);
  CHECK(*p == 5);
}

TEST_CASE("TrackType names", "[core]") {
  CHECK(to_string(abrplay::TrackType::kVideo) == "video");
  CHECK(to_string(abrplay::TrackType::kAudio) == "audio");
  CHECK(to_string(abrplay::TrackType::kText) == "text");
}
