#include <catch2/catch.hpp>

#include "abrplay/player/manifest/segment_template.h"

using namespace abrplay::manifest;

namespace {
std::string expand(const char* text, uint64_t number = 7, uint64_t time = 90000) {
  auto t = SegmentTemplate::compile(text);
  REQUIRE(t);
  return t->expand({"video_1", number, time, abrplay::DataRate::bits_per_second(2'500'000)});
}
}  // namespace

TEST_CASE("template identifiers expand, with widths and $$", "[manifest][template]") {
  CHECK(expand("$RepresentationID$/seg-$Number$.m4s") == "video_1/seg-7.m4s");
  CHECK(expand("seg-$Number%05d$.m4s") == "seg-00007.m4s");
  CHECK(expand("t$Time$-b$Bandwidth$") == "t90000-b2500000");
  CHECK(expand("$Time%012d$") == "000000090000");
  CHECK(expand("price$$5-$Number$") == "price$5-7");
  CHECK(expand("$Number%3d$") == "007");  // the spec defines only zero padding
  CHECK(expand("$Number%x$", 255) == "ff");
  CHECK(expand("$Number%05d$", 1234567) == "1234567");  // wider than the width: not truncated
  CHECK(expand("plain.m4s") == "plain.m4s");
  CHECK(expand("$Number$", UINT64_MAX) == "18446744073709551615");
}

TEST_CASE("unknown identifiers and printf tricks are rejected", "[manifest][template]") {
  for (const char* bad :
       {"$Foo$", "$Number%s$", "$Number%n$", "$Number%*d$", "$Number%.5d$", "$Number%-5d$", "$Number%05ld$",
        "$Number%0100d$", "$RepresentationID%05d$", "seg-$Number", "$Number%%d$", "$SubNumber$", "$number$"}) {
    INFO(bad);
    auto t = SegmentTemplate::compile(bad);
    CHECK_FALSE(t);
  }
  CHECK(SegmentTemplate::compile("$Foo$").error().find("unknown identifier '$Foo$' at offset 0") != std::string::npos);
}
