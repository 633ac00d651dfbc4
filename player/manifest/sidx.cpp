// ISO BMFF 'sidx' box parsing (see sidx.h). Every read goes through Reader, which checks bounds.
#include "abrplay/player/manifest/sidx.h"

#include <limits>
#include <string>

namespace abrplay::manifest {
namespace {

class Reader {
 public:
  Reader(std::span<const uint8_t> bytes, std::size_t pos, std::size_t end) : bytes_(bytes), pos_(pos), end_(end) {}
  bool u8(uint8_t& v) { return read(1, v); }
  bool u16(uint16_t& v) { return read(2, v); }
  bool u24(uint32_t& v) { return read(3, v); }
  bool u32(uint32_t& v) { return read(4, v); }
  bool u64(uint64_t& v) { return read(8, v); }
  std::size_t pos() const { return pos_; }
  std::size_t remaining() const { return end_ - pos_; }

 private:
  template <typename T>
  bool read(std::size_t n, T& v) {
    if (end_ - pos_ < n) return false;
    uint64_t acc = 0;
    for (std::size_t k = 0; k < n; ++k) acc = (acc << 8) | bytes_[pos_ + k];
    v = static_cast<T>(acc);
    pos_ += n;
    return true;
  }
  std::span<const uint8_t> bytes_;
  std::size_t pos_;
  std::size_t end_;
};

Error bad(uint64_t abs_offset, const std::string& what) {
  return Error{ErrorCode::kManifestBadIndex, "sidx at byte " + std::to_string(abs_offset) + ": " + what};
}

bool add_overflows(uint64_t a, uint64_t b) { return a > std::numeric_limits<uint64_t>::max() - b; }

}  // namespace

std::optional<BoxHeader> read_box_header(std::span<const uint8_t> bytes) {
  Reader r(bytes, 0, bytes.size());
  uint32_t size32 = 0;
  BoxHeader h;
  if (!r.u32(size32) || !r.u32(h.type)) return std::nullopt;
  h.size = size32;
  if (size32 == 1 && !r.u64(h.size)) return std::nullopt;
  h.header_size = r.pos();
  return h;
}

std::string box_type_name(uint32_t type) {
  std::string s;
  for (int shift = 24; shift >= 0; shift -= 8) {
    const auto c = static_cast<char>((type >> shift) & 0xff);
    s += c >= 0x20 && c < 0x7f ? c : '?';
  }
  return s;
}

Expected<SegmentIndexBox, Error> parse_sidx(std::span<const uint8_t> bytes, uint64_t bytes_offset) {
  std::size_t pos = 0;
  // Walk top-level boxes until 'sidx'.
  while (true) {
    Reader header(bytes, pos, bytes.size());
    uint32_t size32 = 0;
    uint32_t type = 0;
    if (!header.u32(size32) || !header.u32(type))
      return Unexpected{bad(bytes_offset + pos, "no sidx box in " + std::to_string(bytes.size()) + " index bytes")};
    uint64_t box_size = size32;
    if (size32 == 1) {
      if (!header.u64(box_size)) return Unexpected{bad(bytes_offset + pos, "truncated box header")};
    } else if (size32 == 0) {
      box_size = bytes.size() - pos;
    }
    std::size_t header_len = header.pos() - pos;
    if (box_size < header_len)
      return Unexpected{
          bad(bytes_offset + pos, "box size " + std::to_string(box_size) + " is smaller than its header")};
    if (type != 0x73696478u) {  // not 'sidx': skip it
      if (box_size > bytes.size() - pos)
        return Unexpected{bad(bytes_offset + pos, "no sidx box before the end of the index bytes")};
      pos += static_cast<std::size_t>(box_size);
      continue;
    }
    if (box_size > bytes.size() - pos)
      return Unexpected{bad(bytes_offset + pos, "box of " + std::to_string(box_size) + " bytes but only " +
                                                    std::to_string(bytes.size() - pos) + " available")};
    const std::size_t box_end = pos + static_cast<std::size_t>(box_size);
    Reader r(bytes, header.pos(), box_end);
    uint8_t version = 0;
    uint32_t flags = 0;
    uint32_t reference_id = 0;
    SegmentIndexBox box;
    box.box_offset = bytes_offset + pos;
    box.box_size = box_size;
    uint64_t earliest = 0;
    uint64_t first_offset = 0;
    if (!r.u8(version) || !r.u24(flags) || !r.u32(reference_id) || !r.u32(box.timescale))
      return Unexpected{bad(bytes_offset + pos, "truncated header")};
    if (version > 1) return Unexpected{bad(bytes_offset + pos, "unknown version " + std::to_string(version))};
    if (box.timescale == 0) return Unexpected{bad(bytes_offset + pos, "timescale is 0")};
    if (version == 0) {
      uint32_t e = 0, f = 0;
      if (!r.u32(e) || !r.u32(f)) return Unexpected{bad(bytes_offset + pos, "truncated header")};
      earliest = e;
      first_offset = f;
    } else if (!r.u64(earliest) || !r.u64(first_offset)) {
      return Unexpected{bad(bytes_offset + pos, "truncated header")};
    }
    uint16_t reserved = 0;
    uint16_t count = 0;
    if (!r.u16(reserved) || !r.u16(count)) return Unexpected{bad(bytes_offset + pos, "truncated header")};
    if (r.remaining() / 12 < count)
      return Unexpected{bad(bytes_offset + pos, std::to_string(count) + " references need " +
                                                    std::to_string(count * 12u) + " bytes, box has " +
                                                    std::to_string(r.remaining()))};
    // The first subsegment starts first_offset bytes after the end of this box (anchor point).
    uint64_t offset = bytes_offset + box_end;
    if (add_overflows(offset, first_offset)) return Unexpected{bad(bytes_offset + pos, "first_offset overflows")};
    offset += first_offset;
    uint64_t time = earliest;
    box.entries.reserve(count);
    for (uint16_t k = 0; k < count; ++k) {
      uint32_t type_size = 0, duration = 0, sap = 0;
      r.u32(type_size);
      r.u32(duration);
      r.u32(sap);
      const bool is_index = (type_size & 0x80000000u) != 0;
      uint64_t size = type_size & 0x7fffffffu;
      if (size == 0) return Unexpected{bad(bytes_offset + pos, "reference " + std::to_string(k) + " has size 0")};
      if (duration == 0)
        return Unexpected{bad(bytes_offset + pos, "reference " + std::to_string(k) + " has duration 0")};
      if (add_overflows(offset, size) || add_overflows(time, duration))
        return Unexpected{bad(bytes_offset + pos, "reference " + std::to_string(k) + " overflows 64 bits")};
      box.entries.push_back(SidxEntry{offset, size, time, duration, is_index});
      offset += size;
      time += duration;
    }
    if (box.entries.empty()) return Unexpected{bad(bytes_offset + pos, "no references")};
    return box;
  }
}

}  // namespace abrplay::manifest
