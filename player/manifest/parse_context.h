// Internal: attribute reading with element paths and a sticky first error, shared by the MPD,
// AdaptationSet and segment-information parsers. Owned by one parse_mpd call (one thread).
//
// Helpers never fail loudly: on a bad value they record the first Error (with its path, e.g.
// "MPD/Period[0]@duration: ...") and return a default, and the callers check failed() after each
// element. This keeps the element parsers readable while still stopping at the first problem.
//
// Liberal parsing: each typed helper is told whether playback needs the attribute (Need::kPlayback,
// the default) or not (Need::kOptional). A malformed optional attribute does not fail the parse: it
// becomes a warning with the same path and reason, and reads as absent. docs/manifest.md lists
// which attributes are which.
#pragma once

#include <pugixml.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "abrplay/player/error.h"
#include "abrplay/player/manifest/model.h"
#include "abrplay/player/manifest/parser.h"

namespace abrplay::manifest::detail {

// Whether playback needs an attribute: a malformed one refuses the manifest (kPlayback) or is
// ignored with a warning (kOptional). A missing required attribute is require()'s business.
enum class Need { kPlayback, kOptional };

// Warnings kept per parse; more are counted in one last line (bounded memory on hostile input).
inline constexpr std::size_t kMaxWarnings = 100;

// The element or attribute name without its namespace prefix ("dvb:priority" -> "priority").
std::string_view local_name(const char* name);

class ParseContext {
 public:
  explicit ParseContext(const ParseOptions& options) : options_(options) {}

  const ParseOptions& options() const { return options_; }
  bool failed() const { return error_.has_value(); }
  Error take_error() { return std::move(*error_); }
  void fail(ErrorCode code, const std::string& path, std::string message);
  // A problem that playback can live with: recorded as "path: message; ignored".
  void warn(const std::string& path, const std::string& message);
  std::vector<std::string> take_warnings();

  // Attribute lookup by local name. Absent -> nullopt / empty.
  static pugi::xml_attribute attr(pugi::xml_node node, std::string_view name);
  std::string str(pugi::xml_node node, std::string_view name) const;
  std::optional<std::string> opt_str(pugi::xml_node node, std::string_view name) const;
  std::optional<uint64_t> u64(pugi::xml_node node, std::string_view name, const std::string& path,
                              Need need = Need::kPlayback);
  std::optional<uint32_t> u32(pugi::xml_node node, std::string_view name, const std::string& path,
                              Need need = Need::kPlayback);
  std::optional<int64_t> i64(pugi::xml_node node, std::string_view name, const std::string& path,
                             Need need = Need::kPlayback);
  std::optional<double> real(pugi::xml_node node, std::string_view name, const std::string& path,
                             Need need = Need::kPlayback);
  std::optional<bool> boolean(pugi::xml_node node, std::string_view name, const std::string& path,
                              Need need = Need::kPlayback);
  std::optional<MediaTime> duration(pugi::xml_node node, std::string_view name, const std::string& path,
                                    Need need = Need::kPlayback);
  std::optional<WallTime> datetime(pugi::xml_node node, std::string_view name, const std::string& path,
                                   Need need = Need::kPlayback);
  std::optional<ByteRange> range(pugi::xml_node node, std::string_view name, const std::string& path,
                                 Need need = Need::kPlayback);
  std::optional<FrameRate> frame_rate(pugi::xml_node node, std::string_view name, const std::string& path,
                                      Need need = Need::kPlayback);
  // Strict integer text ("+5" and surrounding blanks allowed) for uint64_t/uint32_t/int64_t.
  template <typename T>
  static bool parse_integer(std::string_view text, T& out);

  // A required attribute: records kManifestMissingAttribute when absent.
  bool require(pugi::xml_node node, std::string_view name, const std::string& path);

  // Children with a given local name, in document order.
  static std::vector<pugi::xml_node> children(pugi::xml_node node, std::string_view name);
  static pugi::xml_node child(pugi::xml_node node, std::string_view name);

  Descriptor descriptor(pugi::xml_node node) const;
  std::vector<Descriptor> descriptors(pugi::xml_node node, std::string_view name) const;
  std::vector<BaseUrl> base_urls(pugi::xml_node node, const std::string& path);
  std::vector<ContentProtection> content_protection(pugi::xml_node node) const;
  std::vector<InbandEventStream> inband_event_streams(pugi::xml_node node) const;

 private:
  template <typename T>
  std::optional<T> integer(pugi::xml_node node, std::string_view name, const std::string& path, const char* what,
                           Need need);
  // A malformed value: fail() or warn(), by need.
  void bad(Need need, ErrorCode code, const std::string& path, const std::string& message);

  const ParseOptions& options_;
  std::optional<Error> error_;
  std::vector<std::string> warnings_;
  std::size_t warnings_dropped_ = 0;
};

// Parsers of the element kinds, each in its own file.
SegmentInfoSet parse_segment_info_set(ParseContext& ctx, pugi::xml_node parent, const std::string& path);
AdaptationSet parse_adaptation_set(ParseContext& ctx, pugi::xml_node node, const std::string& path);
// MPD/ServiceDescription into mpd.service_description (after timeShiftBufferDepth is read).
void parse_service_description(ParseContext& ctx, pugi::xml_node root, Mpd& mpd);
// Unknown EssentialProperty scheme among `props`, as an exclusion reason ("" when all are known).
std::string essential_exclusion(const std::vector<Descriptor>& props);

}  // namespace abrplay::manifest::detail
