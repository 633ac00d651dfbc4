// The structural MP4 check that rejects truncated or garbled segments before libavformat.
#include <catch2/catch.hpp>

#include "box_scan.h"

namespace abrplay::media {
namespace {

std::vector<std::uint8_t> box(const char* type, std::uint32_t payload) {
  const std::uint32_t size = payload + 8;
  std::vector<std::uint8_t> b{static_cast<std::uint8_t>(size >> 24), static_cast<std::uint8_t>(size >> 16),
                              static_cast<std::uint8_t>(size >> 8), static_cast<std::uint8_t>(size)};
  b.insert(b.end(), type, type + 4);
  b.resize(size, 0);
  return b;
}

std::vector<std::uint8_t> cat(std::vector<std::uint8_t> a, const std::vector<std::uint8_t>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

}  // namespace

TEST_CASE("Boxes that tile the range exactly are accepted and reported", "[media][box]") {
  const auto bytes = cat(cat(box("styp", 8), box("moof", 100)), box("mdat", 1000));
  BoxScanResult r;
  CHECK_FALSE(scan_boxes(bytes, r));
  CHECK(r.has_moof);
  CHECK(r.has_mdat);
  CHECK_FALSE(r.has_moov);
}

TEST_CASE("A box cut short is reported as truncated with its byte offset", "[media][box]") {
  auto bytes = cat(box("moof", 100), box("mdat", 1000));
  bytes.resize(bytes.size() - 1);
  BoxScanResult r;
  const auto e = scan_boxes(bytes, r);
  REQUIRE(e);
  CHECK(e->find("byte offset 108") != std::string::npos);
  CHECK(e->find("'mdat'") != std::string::npos);
  CHECK(e->find("truncated") != std::string::npos);
}

TEST_CASE("Bytes that are not a box header are rejected", "[media][box]") {
  std::vector<std::uint8_t> bytes(64, 0x01);
  BoxScanResult r;
  REQUIRE(scan_boxes(bytes, r));
}

TEST_CASE("A box declaring less than its own header is rejected", "[media][box]") {
  std::vector<std::uint8_t> bytes{0, 0, 0, 4, 'm', 'd', 'a', 't'};
  BoxScanResult r;
  REQUIRE(scan_boxes(bytes, r));
}

TEST_CASE("Fewer than 8 trailing bytes are a truncated header", "[media][box]") {
  auto bytes = box("moof", 8);
  bytes.push_back(0);
  BoxScanResult r;
  const auto e = scan_boxes(bytes, r);
  REQUIRE(e);
  CHECK(e->find("byte offset 16") != std::string::npos);
}

}  // namespace abrplay::media
