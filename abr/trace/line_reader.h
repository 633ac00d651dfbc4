// Line splitting and strict number parsing shared by the text trace parsers (private to abr/).
#pragma once

#include <cmath>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace abrplay::abr::detail {

struct TextLine {
  std::size_t number = 0;  // 1-based line number in the text
  std::string_view text;   // without the line break
};

// Non-blank lines of `text`, "\n" or "\r\n" separated.
std::vector<TextLine> non_blank_lines(std::string_view text);

// Whitespace-separated fields of a line (spaces or tabs).
std::vector<std::string_view> split_fields(std::string_view line);

// The whole field as a finite double, or nullopt ("1.5x", "nan", "inf" and "" are rejected).
std::optional<double> parse_finite(std::string_view field);

// "<name>:<line>: <what>".
std::string located(const std::string& name, std::size_t line, std::string_view what);

}  // namespace abrplay::abr::detail
