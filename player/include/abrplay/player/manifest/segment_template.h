// abrplay/player/manifest/segment_template.h: SegmentTemplate @media/@initialization expansion.
//
// Identifiers (ISO/IEC 23009-1 5.3.9.4.4): $RepresentationID$, $Number$, $Time$, $Bandwidth$, and $$
// for a literal '$'. Number, Time and Bandwidth take an optional width format "%0<width>d" (also the
// d/i/u/x/X/o conversions dash.js accepts). The manifest text is tokenised here and numbers are
// formatted by our own code: manifest text never reaches printf. Unknown identifiers, other
// conversions, flags, precision, '*', widths above 32 and a '$' without its closing '$' are
// kManifestBadTemplate. Pure; any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "abrplay/core/expected.h"
#include "abrplay/core/units.h"

namespace abrplay::manifest {

class SegmentTemplate {
 public:
  struct Values {
    std::string_view representation_id;
    uint64_t number = 0;
    uint64_t time = 0;
    DataRate bandwidth{};
  };

  // Error: a message naming the offending identifier and its offset in the template.
  static Expected<SegmentTemplate, std::string> compile(std::string_view text);

  std::string expand(const Values& values) const;
  bool uses_number() const { return uses_number_; }
  bool uses_time() const { return uses_time_; }
  bool uses_representation_id() const { return uses_id_; }
  bool uses_bandwidth() const { return uses_bandwidth_; }

 private:
  enum class Kind { kLiteral, kRepresentationId, kNumber, kTime, kBandwidth };
  struct Token {
    Kind kind = Kind::kLiteral;
    std::string literal;
    unsigned width = 0;
    char conversion = 'd';
  };
  std::vector<Token> tokens_;
  bool uses_number_ = false;
  bool uses_time_ = false;
  bool uses_id_ = false;
  bool uses_bandwidth_ = false;
};

}  // namespace abrplay::manifest
