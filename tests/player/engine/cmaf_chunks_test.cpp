// CMAF chunks found in a segment that is still arriving, with their times (low-latency live).
#include <catch2/catch.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "cmaf_chunks.h"

namespace abrplay::engine::test {

namespace {

using detail::CmafChunk;

std::vector<std::uint8_t> u32(std::uint64_t v) {
  return {static_cast<std::uint8_t>(v >> 24), static_cast<std::uint8_t>(v >> 16), static_cast<std::uint8_t>(v >> 8),
          static_cast<std::uint8_t>(v)};
}

std::vector<std::uint8_t> cat(std::initializer_list<std::vector<std::uint8_t>> parts) {
  std::vector<std::uint8_t> out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

std::vector<std::uint8_t> mp4_box(const std::string& type, const std::vector<std::uint8_t>& payload) {
  return cat({u32(8 + payload.size()), std::vector<std::uint8_t>(type.begin(), type.end()), payload});
}

// A moof whose traf says: tfdt = decode_time; `samples` samples of `duration` ticks each, written
// per sample in the trun (per_sample) or as the tfhd's default.
std::vector<std::uint8_t> moof(std::uint64_t decode_time, int samples, std::uint32_t duration, bool per_sample) {
  const auto tfhd = mp4_box("tfhd", per_sample ? cat({u32(0), u32(1)}) : cat({u32(0x08), u32(1), u32(duration)}));
  const auto tfdt = mp4_box("tfdt", cat({u32(0x01000000), u32(decode_time >> 32), u32(decode_time & 0xffffffff)}));
  std::vector<std::uint8_t> trun_body = cat({u32(per_sample ? 0x301 : 0x201), u32(samples), u32(0)});
  for (int i = 0; i < samples; ++i) {
    if (per_sample) trun_body = cat({trun_body, u32(duration)});
    trun_body = cat({trun_body, u32(100)});  // sample size
  }
  return mp4_box("moof", cat({mp4_box("mfhd", cat({u32(0), u32(1)})),
                              mp4_box("traf", cat({tfhd, tfdt, mp4_box("trun", trun_body)}))}));
}

std::vector<std::uint8_t> chunk(std::uint64_t decode_time, int samples, std::uint32_t duration,
                                bool per_sample = true) {
  return cat({moof(decode_time, samples, duration, per_sample),
              mp4_box("mdat", std::vector<std::uint8_t>(static_cast<std::size_t>(samples) * 100, 0xab))});
}

}  // namespace

TEST_CASE("complete CMAF chunks are found as bytes arrive, with tfdt and the samples' duration", "[engine][cmaf]") {
  // styp, then four 1 s chunks of 25 frames at timescale 12800 (512 ticks a frame).
  const auto styp = mp4_box("styp", cat({u32(0x6d736468), u32(0)}));
  std::vector<std::uint8_t> seg = styp;
  std::vector<std::size_t> ends;
  for (int i = 0; i < 4; ++i) {
    seg = cat({seg, chunk(1'000'000 + 12'800ull * i, 25, 512, i % 2 == 0)});
    ends.push_back(seg.size());
  }
  const auto all = detail::complete_chunks(seg, 0);
  REQUIRE(all);
  REQUIRE(all->size() == 4);
  for (int i = 0; i < 4; ++i) {
    CAPTURE(i);
    CHECK((*all)[i].end == ends[i]);
    CHECK((*all)[i].decode_time == 1'000'000 + 12'800ull * i);
    CHECK((*all)[i].duration == 12'800u);  // per sample (even chunks) or the tfhd default (odd)
  }
  // Half of the third chunk has arrived: two are complete; the scan resumes at a chunk boundary.
  const std::vector<std::uint8_t> part(seg.begin(), seg.begin() + static_cast<std::ptrdiff_t>(ends[1] + 300));
  const auto some = detail::complete_chunks(part, 0);
  REQUIRE(some);
  CHECK(some->size() == 2);
  const auto rest = detail::complete_chunks(seg, ends[1]);
  REQUIRE(rest);
  REQUIRE(rest->size() == 2);
  CHECK(rest->front().end == ends[2]);
  // Nothing complete yet: no chunk, no error.
  const auto none = detail::complete_chunks(std::vector<std::uint8_t>(seg.begin(), seg.begin() + 20), 0);
  REQUIRE(none);
  CHECK(none->empty());
}

TEST_CASE("CMAF chunks: durations from trex when the fragment gives none, an error for a box below its header",
          "[engine][cmaf]") {
  // A trun without durations and a tfhd without a default: the init's trex default counts.
  auto bare = cat(
      {mp4_box("moof", mp4_box("traf", cat({mp4_box("tfhd", cat({u32(0), u32(1)})),
                                            mp4_box("trun", cat({u32(0x200), u32(10), u32(1), u32(1), u32(1), u32(1),
                                                                 u32(1), u32(1), u32(1), u32(1), u32(1), u32(1)}))}))),
       mp4_box("mdat", {1, 2, 3})});
  const auto with_trex = detail::complete_chunks(bare, 0, 1024);
  REQUIRE(with_trex);
  REQUIRE(with_trex->size() == 1);
  CHECK(with_trex->front().duration == 10'240u);
  CHECK_FALSE(with_trex->front().decode_time);  // no tfdt
  const auto without = detail::complete_chunks(bare, 0, 0);
  REQUIRE(without);
  CHECK_FALSE(without->front().duration);  // unknown: the loader waits for the whole segment

  const auto bad = detail::complete_chunks(cat({u32(4), {'m', 'o', 'o', 'f'}}), 0);
  REQUIRE_FALSE(bad);
  CHECK(bad.error() == "'moof' box at byte 0: size 4 is below its header");
}

TEST_CASE("the init segment's timescale (mdhd, versions 0 and 1) and trex default duration", "[engine][cmaf]") {
  auto init = [](bool v1) {
    const auto mdhd =
        v1 ? mp4_box("mdhd", cat({u32(0x01000000), u32(0), u32(0), u32(0), u32(0), u32(48000), u32(0), u32(0), u32(0)}))
           : mp4_box("mdhd", cat({u32(0), u32(0), u32(0), u32(12800), u32(0), u32(0)}));
    const auto trex = mp4_box("trex", cat({u32(0), u32(1), u32(1), u32(1024), u32(0), u32(0)}));
    return cat({mp4_box("ftyp", {'i', 's', 'o', '6'}),
                mp4_box("moov", cat({mp4_box("mvhd", std::vector<std::uint8_t>(100, 0)),
                                     mp4_box("trak", mp4_box("mdia", mdhd)), mp4_box("mvex", trex)}))});
  };
  const auto v0 = detail::init_timing(init(false));
  CHECK(v0.timescale == 12800u);
  CHECK(v0.default_sample_duration == 1024u);
  CHECK(detail::init_timing(init(true)).timescale == 48000u);
  CHECK_FALSE(detail::init_timing(mp4_box("ftyp", {'i', 's', 'o', '6'})).timescale);
}

}  // namespace abrplay::engine::test
