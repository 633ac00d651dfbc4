#include "line_reader.h"

#include <charconv>

namespace abrplay::abr::detail {

std::vector<TextLine> non_blank_lines(std::string_view text) {
  std::vector<TextLine> lines;
  std::size_t number = 0;
  while (!text.empty()) {
    ++number;
    const std::size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find_first_not_of(" \t") != std::string_view::npos) lines.push_back({number, line});
  }
  return lines;
}

std::vector<std::string_view> split_fields(std::string_view line) {
  std::vector<std::string_view> fields;
  std::size_t pos = 0;
  while (true) {
    pos = line.find_first_not_of(" \t", pos);
    if (pos == std::string_view::npos) break;
    const std::size_t end = line.find_first_of(" \t", pos);
    fields.push_back(line.substr(pos, end == std::string_view::npos ? end : end - pos));
    pos = end;
  }
  return fields;
}

std::optional<double> parse_finite(std::string_view field) {
  if (!field.empty() && field.front() == '+') field.remove_prefix(1);
  double value = 0;
  const char* first = field.data();
  const char* last = first + field.size();
  const auto [ptr, ec] = std::from_chars(first, last, value);
  if (field.empty() || ec != std::errc{} || ptr != last || !std::isfinite(value)) return std::nullopt;
  return value;
}

std::string located(const std::string& name, std::size_t line, std::string_view what) {
  std::string out = name;
  if (line != 0) out += ":" + std::to_string(line);
  out += ": ";
  out += what;
  return out;
}

}  // namespace abrplay::abr::detail
