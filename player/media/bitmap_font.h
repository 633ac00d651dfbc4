// player/media/bitmap_font.h: a tiny built-in 3x5 pixel font, so the SDL sink can draw subtitle
// text without SDL2_ttf. Upper case, digits and common punctuation; lower case is drawn as upper
// case, anything else as a small hollow square. Pure layout (no SDL): returns the rectangles to fill.
#pragma once

#include <string_view>
#include <vector>

namespace abrplay::media {

struct PixelRect {
  int x = 0;
  int y = 0;
  int w = 0;
  int h = 0;
};

// A glyph is 3x5 font pixels in a 4x7 cell (one column and two rows of spacing).
inline constexpr int kGlyphCellWidth = 4;
inline constexpr int kGlyphCellHeight = 7;

// Width in screen pixels of `line` drawn with font pixels of `unit` screen pixels.
int text_width(std::string_view line, int unit);

// Appends one rectangle per lit font pixel of `line`, its top-left cell at (x, y).
void layout_text(std::string_view line, int x, int y, int unit, std::vector<PixelRect>& out);

}  // namespace abrplay::media
