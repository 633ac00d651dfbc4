// demo/inspect/source.h: reads an MPD, or a byte range of a resource, from a file or an HTTP URL.
// Thread: the caller's (blocking I/O).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "abrplay/core/expected.h"
#include "abrplay/player/manifest/model.h"

namespace abrplay::inspect {

struct MpdSource {
  std::string text;
  std::string document_url;  // http(s):// after redirects, or file:// for a local path
};

// The limit matches ParseLimits::max_bytes, so an over-long file is refused before reading it all.
Expected<MpdSource, std::string> load_mpd(const std::string& file_or_url, std::size_t max_bytes);

// Bytes `range` of `url` (http, https or file). Error: why they are unavailable.
Expected<std::vector<uint8_t>, std::string> read_range(const std::string& url,
                                                       const std::optional<manifest::ByteRange>& range);

}  // namespace abrplay::inspect
