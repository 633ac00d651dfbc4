// synthetic_content.h: a small DASH presentation written to a temporary folder, for exact control
// in engine tests: every media segment of a representation is bandwidth x duration / 8 bytes, so
// bitrates are what the MPD says. Files: manifest.mpd, init-<rep>.m4s, seg-<rep>-<n>.m4s ($Number$
// from 1), or with segment_base one file <rep>.mp4 = init + sidx + segments. Multi-period content
// suffixes the representation ids with "-p<period>". Removed with the object. Test thread only.
#pragma once
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace abrplay::engine::test {

struct RepSpec {
  std::string id;
  std::uint64_t bandwidth_bps = 0;
  std::string codecs = "avc1.64001f";
};

struct ContentSpec {
  std::vector<RepSpec> video{{"v1", 200'000}, {"v2", 800'000}};
  std::vector<RepSpec> audio{{"a1", 64'000, "mp4a.40.2"}};
  // Track switches: a second audio set (lang="fr") and subtitle sets (fMP4 WebVTT, lang en / fr);
  // the first audio set and the video are lang="en". Empty: absent.
  std::vector<RepSpec> audio_fr;
  std::vector<RepSpec> text_en;
  std::vector<RepSpec> text_fr;
  int segment_ms = 1000;
  int segments = 8;  // per period
  int periods = 1;
  bool segment_base = false;
  bool timeline = false;  // SegmentTemplate with a SegmentTimeline instead of @duration
  // > 0: each media segment is that many CMAF chunks (moof with tfdt and a one-sample trun, then
  // mdat), and the init a moov whose mdhd says timescale 1000: what low-latency live needs to
  // buffer chunk by chunk. The bytes still add up to bandwidth x duration.
  int cmaf_chunks = 0;
};

class SyntheticContent {
 public:
  explicit SyntheticContent(ContentSpec spec);
  ~SyntheticContent();
  SyntheticContent(const SyntheticContent&) = delete;
  SyntheticContent& operator=(const SyntheticContent&) = delete;

  const std::filesystem::path& dir() const { return dir_; }
  const ContentSpec& spec() const { return spec_; }
  std::uint64_t segment_bytes(const RepSpec& rep) const;
  void write(const std::string& name, const std::string& bytes) const;

 private:
  std::string mpd() const;
  ContentSpec spec_;
  std::filesystem::path dir_;
};

}  // namespace abrplay::engine::test
