#include "origin_fixture.h"

#include <cstdlib>
#include <fstream>

#include <catch2/catch.hpp>

namespace abrplay::origin::test {

namespace {

std::string vod_mpd(const std::string& segment_addressing, const std::string& rep_extra = "") {
  return R"(<?xml version="1.0" encoding="utf-8"?>
<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="static" mediaPresentationDuration="PT10.0S"
     minBufferTime="PT2S" profiles="urn:mpeg:dash:profile:isoff-live:2011">
  <Period id="0" start="PT0S">
    <AdaptationSet id="0" contentType="video" mimeType="video/mp4">
      )" +
         segment_addressing + R"(
      <Representation id="v240" codecs="avc1.64001e" bandwidth="300000" width="426" height="240"/>
      <Representation id="v1080" codecs="hev1.1.6.L120.90" bandwidth="2850000" width="1920" height="1080"/>
    </AdaptationSet>
    <AdaptationSet id="1" contentType="audio" mimeType="audio/mp4" lang="en">
      )" +
         segment_addressing + R"(
      <Representation id="a" codecs="mp4a.40.2" bandwidth="96000"/>
    </AdaptationSet>
    <AdaptationSet id="2" contentType="text" mimeType="text/vtt" lang="en">
      <Representation id="sub" bandwidth="256"><BaseURL>subs.vtt</BaseURL></Representation>
    </AdaptationSet>
  </Period>
</MPD>
)" + rep_extra;
}

}  // namespace

ContentFixture::ContentFixture(std::size_t blob_bytes) : blob_bytes_(blob_bytes) {
  std::string tmpl = (std::filesystem::temp_directory_path() / "abrplay-origin-test-XXXXXX").string();
  REQUIRE(mkdtemp(tmpl.data()) != nullptr);
  dir_ = tmpl;
  write("blob.bin", blob());
  write("vod/manifest.mpd",
        vod_mpd(R"(<SegmentTemplate timescale="1000" duration="2000" startNumber="1" )"
                R"(initialization="init-$RepresentationID$.m4s" media="seg-$RepresentationID$-$Number$.m4s"/>)"));
  write("tl/manifest.mpd",
        vod_mpd(R"(<SegmentTemplate timescale="1000" initialization="init-$RepresentationID$.m4s" )"
                R"(media="seg-$RepresentationID$-$Time$.m4s"><SegmentTimeline><S t="0" d="2000" r="4"/>)"
                R"(</SegmentTimeline></SegmentTemplate>)"));
  write("sb/manifest.mpd", vod_mpd(R"(<SegmentBase indexRange="800-900"/>)"));
  for (const std::string rep : {"v240", "v1080", "a"}) {
    write("vod/init-" + rep + ".m4s", "init " + rep);
    write("tl/init-" + rep + ".m4s", "init " + rep);
    for (int n = 1; n <= 5; ++n) {
      write("vod/seg-" + rep + "-" + std::to_string(n) + ".m4s", "segment " + rep + " " + std::to_string(n));
      write("tl/seg-" + rep + "-" + std::to_string((n - 1) * 2000) + ".m4s", "segment " + rep);
    }
  }
  write("vod/subs.vtt", "WEBVTT\n");
}

ContentFixture::~ContentFixture() {
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

std::string ContentFixture::blob() const {
  std::string b(blob_bytes_, '\0');
  for (std::size_t i = 0; i < b.size(); ++i) b[i] = static_cast<char>((i * 31 + 7) & 0xff);
  return b;
}

void ContentFixture::write(const std::string& name, const std::string& bytes) const {
  const auto path = dir_ / name;
  std::filesystem::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  REQUIRE(out.good());
}

std::string data_file(const std::string& name) { return std::string(ABRPLAY_TEST_DATA_DIR) + "/origin/" + name; }

}  // namespace abrplay::origin::test
