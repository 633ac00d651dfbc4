// SegmentTemplate tokenising and expansion (see segment_template.h). Numbers are formatted here,
// digit by digit, so no manifest text is ever a printf format.
#include "abrplay/player/manifest/segment_template.h"

namespace abrplay::manifest {
namespace {

// Widest accepted %0<width>d. Real templates use 1..10; 32 bounds the output of a hostile one.
constexpr unsigned kMaxWidth = 32;

std::string format_number(uint64_t v, unsigned width, char conversion) {
  unsigned base = 10;
  const char* digits = "0123456789abcdef";
  if (conversion == 'x') base = 16;
  if (conversion == 'X') {
    base = 16;
    digits = "0123456789ABCDEF";
  }
  if (conversion == 'o') base = 8;
  char buf[72];
  std::size_t n = 0;
  do {
    buf[n++] = digits[v % base];
    v /= base;
  } while (v != 0);
  std::string out;
  if (width > n) out.assign(width - n, '0');
  while (n > 0) out.push_back(buf[--n]);
  return out;
}

}  // namespace

Expected<SegmentTemplate, std::string> SegmentTemplate::compile(std::string_view text) {
  SegmentTemplate t;
  std::string literal;
  std::size_t i = 0;
  while (i < text.size()) {
    char c = text[i];
    if (c != '$') {
      literal.push_back(c);
      ++i;
      continue;
    }
    std::size_t close = text.find('$', i + 1);
    if (close == std::string_view::npos)
      return Unexpected{"'$' at offset " + std::to_string(i) + " has no closing '$'"};
    std::string_view ident = text.substr(i + 1, close - i - 1);
    if (ident.empty()) {  // "$$"
      literal.push_back('$');
      i = close + 1;
      continue;
    }
    std::string_view name = ident;
    std::string_view format;
    if (std::size_t pct = ident.find('%'); pct != std::string_view::npos) {
      name = ident.substr(0, pct);
      format = ident.substr(pct);
    }
    Token tok;
    if (name == "RepresentationID") {
      tok.kind = Kind::kRepresentationId;
    } else if (name == "Number") {
      tok.kind = Kind::kNumber;
    } else if (name == "Time") {
      tok.kind = Kind::kTime;
    } else if (name == "Bandwidth") {
      tok.kind = Kind::kBandwidth;
    } else {
      return Unexpected{"unknown identifier '$" + std::string(ident.substr(0, 40)) + "$' at offset " +
                        std::to_string(i)};
    }
    if (!format.empty()) {
      // Only "%" ["0"] width conversion, conversion one of d i u x X o.
      auto bad = [&] {
        return Unexpected{"format tag '" + std::string(format.substr(0, 40)) + "' in $" + std::string(name) +
                          "$ at offset " + std::to_string(i) + " is not %0<width>d"};
      };
      if (tok.kind == Kind::kRepresentationId) return bad();
      std::size_t k = 1;
      if (k < format.size() && format[k] == '0') ++k;
      unsigned width = 0;
      std::size_t wstart = k;
      while (k < format.size() && format[k] >= '0' && format[k] <= '9') {
        width = width * 10 + static_cast<unsigned>(format[k] - '0');
        if (width > kMaxWidth) return bad();
        ++k;
      }
      if (k - wstart == 0 && format.size() > 1 && format[1] == '0') {
        // "%0d": a zero flag without width is harmless, width 0
      }
      if (k + 1 != format.size()) return bad();
      char conv = format[k];
      if (conv != 'd' && conv != 'i' && conv != 'u' && conv != 'x' && conv != 'X' && conv != 'o') return bad();
      tok.width = width;
      tok.conversion = conv;
    }
    if (!literal.empty()) {
      Token lit;
      lit.literal = std::move(literal);
      t.tokens_.push_back(std::move(lit));
      literal.clear();
    }
    t.uses_number_ |= tok.kind == Kind::kNumber;
    t.uses_time_ |= tok.kind == Kind::kTime;
    t.uses_id_ |= tok.kind == Kind::kRepresentationId;
    t.uses_bandwidth_ |= tok.kind == Kind::kBandwidth;
    t.tokens_.push_back(std::move(tok));
    i = close + 1;
  }
  if (!literal.empty()) {
    Token lit;
    lit.literal = std::move(literal);
    t.tokens_.push_back(std::move(lit));
  }
  return t;
}

std::string SegmentTemplate::expand(const Values& values) const {
  std::string out;
  for (const Token& tok : tokens_) {
    switch (tok.kind) {
      case Kind::kLiteral: out += tok.literal; break;
      case Kind::kRepresentationId: out += values.representation_id; break;
      case Kind::kNumber: out += format_number(values.number, tok.width, tok.conversion); break;
      case Kind::kTime: out += format_number(values.time, tok.width, tok.conversion); break;
      case Kind::kBandwidth: out += format_number(values.bandwidth.whole_bps(), tok.width, tok.conversion); break;
    }
  }
  return out;
}

}  // namespace abrplay::manifest
