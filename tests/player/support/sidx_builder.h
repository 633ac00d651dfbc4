// Test helper: writes ISO BMFF boxes (sidx, and any other box to skip) as bytes.
#pragma once

#include <cstdint>
#include <vector>

namespace abrplay::test {

struct SidxRef {
  uint32_t size = 0;
  uint32_t duration = 0;
  bool is_sidx = false;
};

inline void put(std::vector<uint8_t>& b, uint64_t v, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) b.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

// A complete sidx box; version 1 uses 64-bit earliest_presentation_time and first_offset.
inline std::vector<uint8_t> make_sidx(int version, uint32_t timescale, uint64_t earliest, uint64_t first_offset,
                                      const std::vector<SidxRef>& refs) {
  std::vector<uint8_t> body;
  put(body, static_cast<uint64_t>(version) << 24, 4);  // version + flags
  put(body, 1, 4);                                     // reference_ID
  put(body, timescale, 4);
  put(body, earliest, version ? 8 : 4);
  put(body, first_offset, version ? 8 : 4);
  put(body, 0, 2);
  put(body, refs.size(), 2);
  for (const SidxRef& r : refs) {
    put(body, (r.is_sidx ? 0x80000000u : 0u) | r.size, 4);
    put(body, r.duration, 4);
    put(body, 0x90000000u, 4);  // starts_with_SAP, SAP type 1
  }
  std::vector<uint8_t> box;
  put(box, body.size() + 8, 4);
  box.insert(box.end(), {'s', 'i', 'd', 'x'});
  box.insert(box.end(), body.begin(), body.end());
  return box;
}

inline std::vector<uint8_t> make_box(const char type[4], std::size_t payload) {
  std::vector<uint8_t> box;
  put(box, payload + 8, 4);
  box.insert(box.end(), type, type + 4);
  box.resize(box.size() + payload, 0);
  return box;
}

}  // namespace abrplay::test
