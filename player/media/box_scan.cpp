#include "box_scan.h"

#include <cctype>

namespace abrplay::media {
namespace {

std::uint64_t read_be(std::span<const std::uint8_t> b, std::size_t at, int n) {
  std::uint64_t v = 0;
  for (int i = 0; i < n; ++i) v = (v << 8) | b[at + static_cast<std::size_t>(i)];
  return v;
}

}  // namespace

std::optional<std::string> scan_boxes(std::span<const std::uint8_t> bytes, BoxScanResult& found) {
  std::size_t at = 0;
  while (at < bytes.size()) {
    const std::size_t left = bytes.size() - at;
    if (left < 8) {
      return "byte offset " + std::to_string(at) + ": " + std::to_string(left) +
             " trailing bytes, too few for a box header (truncated)";
    }
    std::uint64_t size = read_be(bytes, at, 4);
    std::string type(reinterpret_cast<const char*>(&bytes[at + 4]), 4);
    for (char c : type) {
      if (std::isprint(static_cast<unsigned char>(c)) == 0) {
        return "byte offset " + std::to_string(at) + ": not a box header (type bytes are not printable)";
      }
    }
    std::size_t header = 8;
    if (size == 1) {
      if (left < 16) return "byte offset " + std::to_string(at) + ": box '" + type + "' truncated in its header";
      size = read_be(bytes, at + 8, 8);
      header = 16;
    } else if (size == 0) {
      size = left;  // extends to the end
    }
    if (size < header) {
      return "byte offset " + std::to_string(at) + ": box '" + type + "' declares " + std::to_string(size) +
             " bytes, less than its header";
    }
    if (size > left) {
      return "byte offset " + std::to_string(at) + ": box '" + type + "' declares " + std::to_string(size) +
             " bytes, only " + std::to_string(left) + " present (truncated)";
    }
    if (type == "moov") found.has_moov = true;
    if (type == "moof") found.has_moof = true;
    if (type == "mdat") found.has_mdat = true;
    at += static_cast<std::size_t>(size);
  }
  return std::nullopt;
}

}  // namespace abrplay::media
