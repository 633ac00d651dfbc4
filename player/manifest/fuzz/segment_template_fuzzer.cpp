// libFuzzer target: SegmentTemplate::compile and expand (segment_template.h).
//
// Input layout: 8 bytes Number, 8 bytes Time, 8 bytes Bandwidth (big-endian), 1 byte that splits
// the rest into a RepresentationID and the template text. Two oracles:
//  - any template that compiles expands to a bounded string: literals, the id once per
//    $RepresentationID$, and at most max(32, 22) characters per number (22 = octal digits of 2^64-1);
//  - a single "$Number%0<w><c>$" tag built from two input bytes compiles exactly when w <= 32 and c is
//    one of d i u x X o, and then expands to what snprintf prints for the same value (the format
//    passed to snprintf is built here from validated parts, never from input).
// Built only with -DABRPLAY_FUZZ=ON and clang; seeds are written by tests/fuzz/run-fuzzers from the
// templates in tests/data/mpd-corpus.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "abrplay/player/manifest/segment_template.h"

using namespace abrplay::manifest;

namespace {

uint64_t take_u64(const uint8_t*& data, std::size_t& size) {
  uint64_t v = 0;
  for (int k = 0; k < 8 && size > 0; ++k, ++data, --size) v = (v << 8) | *data;
  return v;
}

std::size_t count(std::string_view text, std::string_view what) {
  std::size_t n = 0;
  for (std::size_t p = text.find(what); p != std::string_view::npos; p = text.find(what, p + 1)) ++n;
  return n;
}

void check_single_tag(uint64_t value, uint8_t width_byte, uint8_t conv_byte) {
  const unsigned width = width_byte % 40;
  const char conv = static_cast<char>(conv_byte);
  const std::string text = "$Number%0" + std::to_string(width) + std::string(1, conv) + "$";
  auto t = SegmentTemplate::compile(text);
  const bool valid_conv = conv == 'd' || conv == 'i' || conv == 'u' || conv == 'x' || conv == 'X' || conv == 'o';
  if (static_cast<bool>(t) != (valid_conv && width <= 32)) std::abort();
  if (!t) return;
  // All conversions print the value as unsigned 64-bit (a Number is never negative).
  const int w = static_cast<int>(width);
  const auto v64 = static_cast<unsigned long long>(value);
  char expected[64];
  switch (conv) {
    case 'x': std::snprintf(expected, sizeof expected, "%0*llx", w, v64); break;
    case 'X': std::snprintf(expected, sizeof expected, "%0*llX", w, v64); break;
    case 'o': std::snprintf(expected, sizeof expected, "%0*llo", w, v64); break;
    default: std::snprintf(expected, sizeof expected, "%0*llu", w, v64); break;
  }
  SegmentTemplate::Values v;
  v.number = value;
  if (t->expand(v) != expected) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  SegmentTemplate::Values values;
  values.number = take_u64(data, size);
  values.time = take_u64(data, size);
  values.bandwidth = abrplay::DataRate::bits_per_second(static_cast<double>(take_u64(data, size)));
  std::size_t split = 0;
  if (size > 0) {
    split = *data % 16;
    ++data;
    --size;
  }
  split = split < size ? split : size;
  const std::string_view rest(reinterpret_cast<const char*>(data), size);
  values.representation_id = rest.substr(0, split);
  const std::string_view text = rest.substr(split);

  if (size >= 2) check_single_tag(values.number, data[0], data[1]);

  auto t = SegmentTemplate::compile(text);
  if (!t) return 0;
  const std::string out = t->expand(values);
  // Tags are at least "$Number$" long, so their count is bounded by the text.
  const std::size_t tags = count(text, "$") / 2;
  const std::size_t bound = text.size() + tags * (32 + values.representation_id.size());
  if (out.size() > bound) std::abort();
  return 0;
}
