// decode_image: the test content's thumbnail grids through FFmpeg's JPEG decoder, and every refusal
// (empty, unknown format, over the byte limit, a header declaring too many pixels, a broken JPEG).
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "abrplay/player/media/image_decoder.h"
#include "media_test_support.h"

namespace abrplay::media::test {
namespace {

std::vector<std::uint8_t> bytes_of(const std::string& s) { return {s.begin(), s.end()}; }

// A JPEG start, then a baseline SOF0 declaring `w` x `h`, then nothing.
std::vector<std::uint8_t> jpeg_header(std::uint16_t w, std::uint16_t h) {
  return {0xFF,
          0xD8,
          0xFF,
          0xE0,
          0x00,
          0x04,
          0x00,
          0x00,  // SOI, an APP0 of 2 bytes
          0xFF,
          0xC0,
          0x00,
          0x11,
          0x08,
          static_cast<std::uint8_t>(h >> 8),
          static_cast<std::uint8_t>(h & 0xFF),
          static_cast<std::uint8_t>(w >> 8),
          static_cast<std::uint8_t>(w & 0xFF),
          0x03};
}

// The frame code (docs/test-bench.md) of tile `k` of a 2x2 grid image.
int tile_code(const VideoFrame& f, int k) {
  const int tw = f.width / 2, th = f.height / 2, x0 = (k % 2) * tw, y0 = (k / 2) * th;
  int value = 0;
  for (int bit = 0; bit < 20; ++bit) {
    if (f.luma(x0 + (2 * bit + 1) * tw / 64, y0 + th * 35 / 36) > 128) value |= 1 << bit;
  }
  return value;
}

}  // namespace

TEST_CASE("decode_image: a thumbnail grid of the test content decodes to 640x360 I420 with readable tiles",
          "[media][image]") {
  const Bytes jpeg = read_bytes(content_dir() + "thumb_2.jpg");
  auto img = decode_image(*jpeg);
  REQUIRE(img);
  CHECK(img->width == 640);
  CHECK(img->height == 360);
  CHECK(img->strides[0] >= 640);
  // Grid 2 holds seconds 4..7: frames 100, 125, 150, 175.
  for (int k = 0; k < 4; ++k) CHECK(tile_code(*img, k) == 100 + 25 * k);
}

TEST_CASE("decode_image: refusals say why, before allocating pixels", "[media][image]") {
  auto fails = [](const std::vector<std::uint8_t>& b, const ImageLimits& limits = {}) {
    auto r = decode_image(b, limits);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::kMediaDecode);
    return r.error().message;
  };
  CHECK(fails({}) == "image: empty body");
  CHECK(fails(bytes_of("GIF89a......")) == "image: neither JPEG nor PNG (unknown first bytes)");
  CHECK(fails(std::vector<std::uint8_t>(100, 0xFF), ImageLimits{50, 100}) ==
        "image: 100 bytes, more than the limit of 50");
  CHECK(fails(jpeg_header(65000, 65000)) == "image: JPEG of 65000x65000 px, more than the limit of 16777216 pixels");
  const Bytes jpeg = read_bytes(content_dir() + "thumb_1.jpg");
  CHECK(fails(*jpeg, ImageLimits{1u << 20, 640 * 359}) ==
        "image: JPEG of 640x360 px, more than the limit of 229760 pixels");
  CHECK(fails({0xFF, 0xD8, 0xFF, 0xD9}).rfind("image: JPEG decode", 0) == 0);
  std::vector<std::uint8_t> png = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
  png.resize(64, 0);
  CHECK(fails(png).rfind("image: PNG decode", 0) == 0);
}

}  // namespace abrplay::media::test
