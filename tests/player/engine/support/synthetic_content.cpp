#include "support/synthetic_content.h"

#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>

#include "sidx_builder.h"

namespace abrplay::engine::test {

namespace {

std::string iso_seconds(int ms) {
  return "PT" + std::to_string(ms / 1000) + "." + std::to_string(ms % 1000 / 100) + "S";
}

std::string pattern(std::size_t n, char seed) {
  std::string s(n, '\0');
  for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>((i * 31 + static_cast<std::size_t>(seed)) & 0xff);
  return s;
}

std::string be32(std::uint64_t v) {
  return {static_cast<char>((v >> 24) & 0xff), static_cast<char>((v >> 16) & 0xff), static_cast<char>((v >> 8) & 0xff),
          static_cast<char>(v & 0xff)};
}

std::string box(const std::string& type, const std::string& payload) {
  return be32(8 + payload.size()) + type + payload;
}

// An init segment whose mdhd gives timescale 1000 (the pipeline is not involved: only the engine's
// chunk parser reads it).
std::string cmaf_init() {
  const std::string mdhd = box("mdhd", be32(0) + be32(0) + be32(0) + be32(1000) + be32(0) + be32(0));
  return box("ftyp", "iso6") + box("moov", box("trak", box("mdia", mdhd)));
}

// `chunks` moof+mdat pairs of one sample each, `duration_ms` in all, `bytes` in all (at least the boxes).
std::string cmaf_segment(int chunks, int duration_ms, std::uint64_t start_ms, std::uint64_t bytes, char seed) {
  std::string out;
  const std::uint64_t per = bytes / static_cast<std::uint64_t>(chunks);
  for (int i = 0; i < chunks; ++i) {
    const std::uint64_t d = static_cast<std::uint64_t>(duration_ms / chunks);
    const std::string moof = box("moof", box("traf", box("tfhd", be32(0) + be32(1)) +
                                                         box("tfdt", be32(0) + be32(start_ms + d * i)) +
                                                         box("trun", be32(0x100) + be32(1) + be32(d))));
    const std::uint64_t data = per > moof.size() + 8 ? per - moof.size() - 8 : 1;
    out += moof + box("mdat", pattern(data, static_cast<char>(seed + i)));
  }
  return out;
}

std::string rep_id(const RepSpec& r, int period, int periods) {
  return periods > 1 ? r.id + "-p" + std::to_string(period) : r.id;
}

}  // namespace

SyntheticContent::SyntheticContent(ContentSpec spec) : spec_(std::move(spec)) {
  std::string tmpl = (std::filesystem::temp_directory_path() / "abrplay-engine-test-XXXXXX").string();
  REQUIRE(mkdtemp(tmpl.data()) != nullptr);
  dir_ = tmpl;
  for (int p = 0; p < spec_.periods; ++p) {
    for (const auto* list : {&spec_.video, &spec_.audio, &spec_.audio_fr, &spec_.text_en, &spec_.text_fr}) {
      for (const auto& r : *list) {
        const std::string id = rep_id(r, p, spec_.periods);
        const std::string init = "init " + id + std::string(64, '.');
        const std::uint64_t seg = segment_bytes(r);
        if (spec_.segment_base) {
          // init (0..init-1), sidx, then the segments back to back.
          std::vector<abrplay::test::SidxRef> refs;
          for (int n = 0; n < spec_.segments; ++n) {
            refs.push_back({static_cast<std::uint32_t>(seg), static_cast<std::uint32_t>(spec_.segment_ms), false});
          }
          const auto sidx = abrplay::test::make_sidx(0, 1000, 0, 0, refs);
          std::string file = init + std::string(sidx.begin(), sidx.end());
          for (int n = 0; n < spec_.segments; ++n) file += pattern(seg, static_cast<char>(n));
          write(id + ".mp4", file);
        } else {
          write("init-" + id + ".m4s", spec_.cmaf_chunks > 0 ? cmaf_init() : init);
          for (int n = 1; n <= spec_.segments; ++n) {
            write("seg-" + id + "-" + std::to_string(n) + ".m4s",
                  spec_.cmaf_chunks > 0
                      ? cmaf_segment(spec_.cmaf_chunks, spec_.segment_ms,
                                     static_cast<std::uint64_t>((n - 1) * spec_.segment_ms), seg, static_cast<char>(n))
                      : pattern(seg, static_cast<char>(n)));
          }
        }
      }
    }
  }
  write("manifest.mpd", mpd());
}

SyntheticContent::~SyntheticContent() {
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

std::uint64_t SyntheticContent::segment_bytes(const RepSpec& rep) const {
  return rep.bandwidth_bps * static_cast<std::uint64_t>(spec_.segment_ms) / 8000;
}

void SyntheticContent::write(const std::string& name, const std::string& bytes) const {
  const auto path = dir_ / name;
  std::filesystem::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  REQUIRE(out.good());
}

std::string SyntheticContent::mpd() const {
  const int period_ms = spec_.segment_ms * spec_.segments;
  std::string x = R"(<?xml version="1.0" encoding="utf-8"?>
<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="static" minBufferTime="PT2S" profiles="urn:mpeg:dash:profile:isoff-live:2011" mediaPresentationDuration=")" +
                  iso_seconds(period_ms * spec_.periods) + "\">\n";
  for (int p = 0; p < spec_.periods; ++p) {
    x += "  <Period id=\"" + std::to_string(p) + "\" start=\"" + iso_seconds(p * period_ms) + "\">\n";
    auto set = [&](const char* type, const char* mime, const std::vector<RepSpec>& reps, const char* lang = "en") {
      if (reps.empty()) return;
      x += std::string("    <AdaptationSet contentType=\"") + type + "\" mimeType=\"" + mime + "\" lang=\"" + lang +
           "\">\n";
      if (spec_.timeline) {
        x +=
            "      <SegmentTemplate timescale=\"1000\" startNumber=\"1\" initialization=\"init-$RepresentationID$.m4s\" "
            "media=\"seg-$RepresentationID$-$Number$.m4s\"><SegmentTimeline><S t=\"0\" d=\"" +
            std::to_string(spec_.segment_ms) + "\" r=\"" + std::to_string(spec_.segments - 1) +
            "\"/></SegmentTimeline></SegmentTemplate>\n";
      } else if (!spec_.segment_base) {
        x += "      <SegmentTemplate timescale=\"1000\" duration=\"" + std::to_string(spec_.segment_ms) +
             "\" startNumber=\"1\" initialization=\"init-$RepresentationID$.m4s\" "
             "media=\"seg-$RepresentationID$-$Number$.m4s\"/>\n";
      }
      for (const auto& r : reps) {
        const std::string id = rep_id(r, p, spec_.periods);
        x += "      <Representation id=\"" + id + "\" codecs=\"" + r.codecs + "\" bandwidth=\"" +
             std::to_string(r.bandwidth_bps) + "\"" +
             (std::string(type) == "video" ? " width=\"640\" height=\"360\"" : "");
        if (spec_.segment_base) {
          const std::size_t init = 5 + id.size() + 64;
          const std::size_t sidx = 32 + 12 * static_cast<std::size_t>(spec_.segments);
          x += "><BaseURL>" + id + ".mp4</BaseURL><SegmentBase timescale=\"1000\" indexRange=\"" +
               std::to_string(init) + "-" + std::to_string(init + sidx - 1) + "\"><Initialization range=\"0-" +
               std::to_string(init - 1) + "\"/></SegmentBase></Representation>\n";
        } else {
          x += "/>\n";
        }
      }
      x += "    </AdaptationSet>\n";
    };
    set("video", "video/mp4", spec_.video);
    set("audio", "audio/mp4", spec_.audio);
    set("audio", "audio/mp4", spec_.audio_fr, "fr");
    set("text", "application/mp4", spec_.text_en, "en");
    set("text", "application/mp4", spec_.text_fr, "fr");
    x += "  </Period>\n";
  }
  return x + "</MPD>\n";
}

}  // namespace abrplay::engine::test
