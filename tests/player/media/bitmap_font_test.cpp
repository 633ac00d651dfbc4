// The built-in subtitle font: layout is pure, so it is checked without SDL.
#include <catch2/catch.hpp>

#include "bitmap_font.h"

namespace abrplay::media {

TEST_CASE("Glyphs light the font pixels of their 3x5 pattern, scaled by the unit", "[media][font]") {
  std::vector<PixelRect> px;
  layout_text("1", 10, 20, 2, px);
  REQUIRE(px.size() == 8);  // 010 110 010 010 111
  CHECK(px[0].x == 12);     // the top row's middle column
  CHECK(px[0].y == 20);
  CHECK(px[0].w == 2);
  px.clear();
  layout_text("8", 0, 0, 1, px);
  CHECK(px.size() == 13);
}

TEST_CASE("Lower case is drawn as upper case, space lights nothing, unknown characters a square", "[media][font]") {
  std::vector<PixelRect> upper;
  std::vector<PixelRect> lower;
  layout_text("Subtitle", 0, 0, 1, upper);
  layout_text("SUBTITLE", 0, 0, 1, lower);
  CHECK(upper.size() == lower.size());
  std::vector<PixelRect> space;
  layout_text(" ", 0, 0, 3, space);
  CHECK(space.empty());
  std::vector<PixelRect> unknown;
  layout_text("#", 0, 0, 1, unknown);
  CHECK(unknown.size() == 8);
}

TEST_CASE("Text width is 4 units per character minus the last spacing column", "[media][font]") {
  CHECK(text_width("", 3) == 0);
  CHECK(text_width("A", 3) == 9);
  CHECK(text_width("Subtitle at 0 s", 2) == (15 * 4 - 1) * 2);
}

}  // namespace abrplay::media
