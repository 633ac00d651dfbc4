#include "bitmap_font.h"

#include <array>
#include <cstdint>

namespace abrplay::media {
namespace {

struct Glyph {
  char c;
  std::array<std::uint8_t, 5> rows;  // top to bottom; bit 2 is the left column
};

// clang-format off
constexpr std::array kGlyphs{
  Glyph{'0', {0b111, 0b101, 0b101, 0b101, 0b111}}, Glyph{'1', {0b010, 0b110, 0b010, 0b010, 0b111}},
  Glyph{'2', {0b111, 0b001, 0b111, 0b100, 0b111}}, Glyph{'3', {0b111, 0b001, 0b111, 0b001, 0b111}},
  Glyph{'4', {0b101, 0b101, 0b111, 0b001, 0b001}}, Glyph{'5', {0b111, 0b100, 0b111, 0b001, 0b111}},
  Glyph{'6', {0b111, 0b100, 0b111, 0b101, 0b111}}, Glyph{'7', {0b111, 0b001, 0b001, 0b001, 0b001}},
  Glyph{'8', {0b111, 0b101, 0b111, 0b101, 0b111}}, Glyph{'9', {0b111, 0b101, 0b111, 0b001, 0b111}},
  Glyph{'A', {0b010, 0b101, 0b111, 0b101, 0b101}}, Glyph{'B', {0b110, 0b101, 0b110, 0b101, 0b110}},
  Glyph{'C', {0b011, 0b100, 0b100, 0b100, 0b011}}, Glyph{'D', {0b110, 0b101, 0b101, 0b101, 0b110}},
  Glyph{'E', {0b111, 0b100, 0b110, 0b100, 0b111}}, Glyph{'F', {0b111, 0b100, 0b110, 0b100, 0b100}},
  Glyph{'G', {0b011, 0b100, 0b101, 0b101, 0b011}}, Glyph{'H', {0b101, 0b101, 0b111, 0b101, 0b101}},
  Glyph{'I', {0b111, 0b010, 0b010, 0b010, 0b111}}, Glyph{'J', {0b001, 0b001, 0b001, 0b101, 0b010}},
  Glyph{'K', {0b101, 0b101, 0b110, 0b101, 0b101}}, Glyph{'L', {0b100, 0b100, 0b100, 0b100, 0b111}},
  Glyph{'M', {0b101, 0b111, 0b111, 0b101, 0b101}}, Glyph{'N', {0b110, 0b101, 0b101, 0b101, 0b101}},
  Glyph{'O', {0b010, 0b101, 0b101, 0b101, 0b010}}, Glyph{'P', {0b110, 0b101, 0b110, 0b100, 0b100}},
  Glyph{'Q', {0b010, 0b101, 0b101, 0b110, 0b011}}, Glyph{'R', {0b110, 0b101, 0b110, 0b101, 0b101}},
  Glyph{'S', {0b011, 0b100, 0b010, 0b001, 0b110}}, Glyph{'T', {0b111, 0b010, 0b010, 0b010, 0b010}},
  Glyph{'U', {0b101, 0b101, 0b101, 0b101, 0b111}}, Glyph{'V', {0b101, 0b101, 0b101, 0b101, 0b010}},
  Glyph{'W', {0b101, 0b101, 0b111, 0b111, 0b101}}, Glyph{'X', {0b101, 0b101, 0b010, 0b101, 0b101}},
  Glyph{'Y', {0b101, 0b101, 0b010, 0b010, 0b010}}, Glyph{'Z', {0b111, 0b001, 0b010, 0b100, 0b111}},
  Glyph{' ', {0, 0, 0, 0, 0}},                     Glyph{'.', {0, 0, 0, 0, 0b010}},
  Glyph{',', {0, 0, 0, 0b010, 0b100}},             Glyph{'!', {0b010, 0b010, 0b010, 0, 0b010}},
  Glyph{'?', {0b110, 0b001, 0b010, 0, 0b010}},     Glyph{':', {0, 0b010, 0, 0b010, 0}},
  Glyph{'-', {0, 0, 0b111, 0, 0}},                 Glyph{'\'', {0b010, 0b010, 0, 0, 0}},
  Glyph{'"', {0b101, 0b101, 0, 0, 0}},             Glyph{'(', {0b001, 0b010, 0b010, 0b010, 0b001}},
  Glyph{')', {0b100, 0b010, 0b010, 0b010, 0b100}}, Glyph{'/', {0b001, 0b001, 0b010, 0b100, 0b100}},
};
// clang-format on
constexpr Glyph kUnknown{'\0', {0, 0b111, 0b101, 0b111, 0}};

const Glyph& glyph(char c) {
  if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  for (const Glyph& g : kGlyphs) {
    if (g.c == c) return g;
  }
  return kUnknown;
}

}  // namespace

int text_width(std::string_view line, int unit) {
  return line.empty() ? 0 : (static_cast<int>(line.size()) * kGlyphCellWidth - 1) * unit;
}

void layout_text(std::string_view line, int x, int y, int unit, std::vector<PixelRect>& out) {
  for (char c : line) {
    const Glyph& g = glyph(c);
    for (int row = 0; row < 5; ++row) {
      for (int col = 0; col < 3; ++col) {
        if ((g.rows[static_cast<std::size_t>(row)] >> (2 - col) & 1) != 0) {
          out.push_back(PixelRect{x + col * unit, y + row * unit, unit, unit});
        }
      }
    }
    x += kGlyphCellWidth * unit;
  }
}

}  // namespace abrplay::media
