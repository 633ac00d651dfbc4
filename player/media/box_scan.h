// player/media/box_scan.h: a structural check of an ISO-BMFF (MP4) byte range before libavformat
// sees it, so truncated or garbled segments are rejected with the exact byte offset, whole, rather
// than half-decoded. Only top-level boxes are walked: their sizes must tile the range exactly.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>

namespace abrplay::media {

struct BoxScanResult {
  bool has_moov = false;
  bool has_moof = false;
  bool has_mdat = false;
};

// Returns the problem (with its byte offset) or what was found. `what` names the range in messages.
std::optional<std::string> scan_boxes(std::span<const std::uint8_t> bytes, BoxScanResult& found);

}  // namespace abrplay::media
