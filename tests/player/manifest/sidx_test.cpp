#include <catch2/catch.hpp>

#include "abrplay/player/manifest/sidx.h"
#include "sidx_builder.h"

using namespace abrplay;
using namespace abrplay::manifest;
using abrplay::test::make_box;
using abrplay::test::make_sidx;

TEST_CASE("sidx version 0 gives absolute offsets after the box plus first_offset", "[manifest][sidx]") {
  auto box = make_sidx(0, 90000, 1000, 16, {{5000, 180000}, {6000, 180000}, {7000, 90000}});
  auto r = parse_sidx(box, 800);  // index range starts at byte 800
  REQUIRE(r);
  CHECK(r->timescale == 90000);
  REQUIRE(r->entries.size() == 3);
  uint64_t first = 800 + box.size() + 16;
  CHECK(r->entries[0].offset == first);
  CHECK(r->entries[0].size == 5000);
  CHECK(r->entries[0].time == 1000);
  CHECK(r->entries[1].offset == first + 5000);
  CHECK(r->entries[1].time == 181000);
  CHECK(r->entries[2].offset == first + 11000);
  CHECK(r->entries[2].duration == 90000);
}

TEST_CASE("sidx version 1 reads 64-bit fields: leading boxes are skipped", "[manifest][sidx]") {
  auto bytes = make_box("styp", 12);
  auto box = make_sidx(1, 1000, 0x100000000ULL, 0, {{100, 2000}});
  bytes.insert(bytes.end(), box.begin(), box.end());
  auto r = parse_sidx(bytes, 0);
  REQUIRE(r);
  CHECK(r->entries[0].time == 0x100000000ULL);
  CHECK(r->entries[0].offset == bytes.size());
}

TEST_CASE("sidx: a reference of reference_type 1 is an index entry with the box's own place", "[manifest][sidx]") {
  auto box = make_sidx(0, 1000, 0, 0, {{100, 2000}, {300, 4000, true}});
  auto r = parse_sidx(box, 500);
  REQUIRE(r);
  CHECK(r->box_offset == 500);
  CHECK(r->box_size == box.size());
  REQUIRE(r->entries.size() == 2);
  CHECK_FALSE(r->entries[0].is_index);
  CHECK(r->entries[1].is_index);
  CHECK(r->entries[1].offset == 500 + box.size() + 100);
  CHECK(r->entries[1].size == 300);
}

TEST_CASE("sidx: every truncation is an error, never a crash", "[manifest][sidx]") {
  auto box = make_sidx(1, 1000, 0, 0, {{100, 2000}, {200, 2000}});
  for (std::size_t n = 0; n < box.size(); ++n) {
    auto r = parse_sidx(std::span<const uint8_t>(box.data(), n), 0);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::kManifestBadIndex);
  }
}

TEST_CASE("sidx: inconsistent boxes are rejected with the byte offset", "[manifest][sidx]") {
  SECTION("reference count larger than the box") {
    auto box = make_sidx(0, 1000, 0, 0, {{100, 2000}});
    box[box.size() - 13] = 9;  // reference_count low byte: 9 references announced, 1 present
    auto r = parse_sidx(box, 500);
    REQUIRE_FALSE(r);
    CHECK(r.error().message.find("sidx at byte 500") != std::string::npos);
  }
  SECTION("timescale 0") {
    auto r = parse_sidx(make_sidx(0, 0, 0, 0, {{100, 2000}}), 0);
    REQUIRE_FALSE(r);
    CHECK(r.error().message.find("timescale is 0") != std::string::npos);
  }
  SECTION("64-bit offsets that overflow") {
    auto r = parse_sidx(make_sidx(1, 1000, 0, UINT64_MAX - 10, {{100, 2000}}), 0);
    REQUIRE_FALSE(r);
    CHECK(r.error().message.find("overflow") != std::string::npos);
  }
  SECTION("times that overflow") {
    auto r = parse_sidx(make_sidx(1, 1000, UINT64_MAX - 10, 0, {{100, 2000}}), 0);
    REQUIRE_FALSE(r);
  }
  SECTION("no sidx at all") {
    auto r = parse_sidx(make_box("moof", 40), 0);
    REQUIRE_FALSE(r);
  }
}
