#include "cmaf_chunks.h"

namespace abrplay::engine::detail {

namespace {

using Bytes = std::span<const std::uint8_t>;

std::uint64_t be(Bytes b, std::size_t at, int n) {
  std::uint64_t v = 0;
  for (int i = 0; i < n; ++i) v = (v << 8) | b[at + static_cast<std::size_t>(i)];
  return v;
}

struct Box {
  std::string type;
  std::size_t start = 0, body = 0, end = 0;  // header start, payload start, one past the end
};

enum class Read { kBox, kIncomplete, kBad };

// The box at `at` within [at, limit): kIncomplete when its header or body is not all there yet.
Read read_box(Bytes b, std::size_t at, std::size_t limit, Box& box, std::string* error) {
  if (limit - at < 8) return Read::kIncomplete;
  std::uint64_t size = be(b, at, 4);
  box.type.assign(reinterpret_cast<const char*>(b.data() + at + 4), 4);
  box.start = at;
  box.body = at + 8;
  if (size == 1) {
    if (limit - at < 16) return Read::kIncomplete;
    size = be(b, at + 8, 8);
    box.body = at + 16;
  } else if (size == 0) {
    return Read::kIncomplete;  // "to the end of the file": its end is unknown until the transfer ends
  }
  if (size < box.body - at) {
    if (error)
      *error = "'" + box.type + "' box at byte " + std::to_string(at) + ": size " + std::to_string(size) +
               " is below its header";
    return Read::kBad;
  }
  if (size > limit - at) return Read::kIncomplete;
  box.end = at + static_cast<std::size_t>(size);
  return Read::kBox;
}

// The first child box `type` of [from, to), or nullopt.
std::optional<Box> child(Bytes b, std::size_t from, std::size_t to, const char* type) {
  Box box;
  for (std::size_t at = from; at < to; at = box.end) {
    if (read_box(b, at, to, box, nullptr) != Read::kBox) return std::nullopt;
    if (box.type == type) return box;
  }
  return std::nullopt;
}

// tfdt and the sample durations of the moof's first traf.
void fragment_timing(Bytes b, const Box& moof, std::uint32_t default_duration, CmafChunk& chunk) {
  const auto traf = child(b, moof.body, moof.end, "traf");
  if (!traf) return;
  if (const auto tfdt = child(b, traf->body, traf->end, "tfdt"); tfdt && tfdt->end - tfdt->body >= 8) {
    const bool v1 = b[tfdt->body] == 1;
    if (!v1 || tfdt->end - tfdt->body >= 12) chunk.decode_time = be(b, tfdt->body + 4, v1 ? 8 : 4);
  }
  std::uint64_t tfhd_default = default_duration;
  if (const auto tfhd = child(b, traf->body, traf->end, "tfhd"); tfhd && tfhd->end - tfhd->body >= 8) {
    const auto flags = be(b, tfhd->body + 1, 3);
    std::size_t at = tfhd->body + 8;  // version/flags, track_ID
    if (flags & 0x01) at += 8;        // base_data_offset
    if (flags & 0x02) at += 4;        // sample_description_index
    if ((flags & 0x08) && at + 4 <= tfhd->end) tfhd_default = be(b, at, 4);
  }
  std::uint64_t total = 0;
  bool any = false;
  Box trun;
  for (std::size_t at = traf->body; at < traf->end; at = trun.end) {
    if (read_box(b, at, traf->end, trun, nullptr) != Read::kBox) break;
    if (trun.type != "trun" || trun.end - trun.body < 8) continue;
    const auto flags = be(b, trun.body + 1, 3);
    const auto count = be(b, trun.body + 4, 4);
    std::size_t p = trun.body + 8;
    if (flags & 0x001) p += 4;  // data_offset
    if (flags & 0x004) p += 4;  // first_sample_flags
    const std::size_t per_sample = 4u * (((flags & 0x100) != 0) + ((flags & 0x200) != 0) + ((flags & 0x400) != 0) +
                                         ((flags & 0x800) != 0));
    if (!(flags & 0x100)) {
      if (tfhd_default == 0) return;  // no durations anywhere: the chunk's length is unknown
      total += count * tfhd_default;
    } else {
      if (per_sample == 0 || (trun.end - p) / per_sample < count) return;  // a trun cut short
      for (std::uint64_t i = 0; i < count; ++i, p += per_sample) total += be(b, p, 4);
    }
    any = true;
  }
  if (any) chunk.duration = total;
}

}  // namespace

Expected<std::vector<CmafChunk>, std::string> complete_chunks(Bytes bytes, std::size_t from,
                                                              std::uint32_t default_duration) {
  std::vector<CmafChunk> out;
  CmafChunk current;
  std::string error;
  Box box;
  for (std::size_t at = from; at < bytes.size(); at = box.end) {
    const Read r = read_box(bytes, at, bytes.size(), box, &error);
    if (r == Read::kBad) return Unexpected{error};
    if (r == Read::kIncomplete) break;
    if (box.type == "moof" && !current.decode_time && !current.duration) {
      fragment_timing(bytes, box, default_duration, current);
    }
    if (box.type == "mdat") {
      current.end = box.end;
      out.push_back(current);
      current = {};
    }
  }
  return out;
}

InitTiming init_timing(Bytes init) {
  InitTiming t;
  const auto moov = child(init, 0, init.size(), "moov");
  if (!moov) return t;
  if (const auto mvex = child(init, moov->body, moov->end, "mvex")) {
    if (const auto trex = child(init, mvex->body, mvex->end, "trex"); trex && trex->end - trex->body >= 16) {
      t.default_sample_duration = static_cast<std::uint32_t>(be(init, trex->body + 12, 4));
    }
  }
  const auto trak = child(init, moov->body, moov->end, "trak");
  if (!trak) return t;
  const auto mdia = child(init, trak->body, trak->end, "mdia");
  if (!mdia) return t;
  const auto mdhd = child(init, mdia->body, mdia->end, "mdhd");
  if (!mdhd || mdhd->end - mdhd->body < 4) return t;
  const bool v1 = init[mdhd->body] == 1;
  const std::size_t at = mdhd->body + 4 + (v1 ? 16 : 8);  // version/flags, creation and modification times
  if (at + 4 > mdhd->end) return t;
  const auto scale = static_cast<std::uint32_t>(be(init, at, 4));
  if (scale != 0) t.timescale = scale;
  return t;
}

}  // namespace abrplay::engine::detail
