#include "abrplay/player/engine/track_selection.h"

#include <catch2/catch.hpp>
#include <set>
#include <string>

#include "abrplay/player/manifest/parser.h"

namespace abrplay::engine::test {

namespace {

// Decodes exactly the codec families it is given.
class FamilySupport final : public CodecSupport {
 public:
  explicit FamilySupport(std::set<std::string> families) : families_(std::move(families)) {}
  bool can_decode(std::string_view codec) const override {
    return families_.count(std::string(codec.substr(0, codec.find('.')))) > 0;
  }

 private:
  std::set<std::string> families_;
};

manifest::Mpd parse(const std::string& xml) {
  manifest::ParseOptions options;
  options.document_url = "http://h/m.mpd";
  auto mpd = manifest::parse_mpd(xml, options);
  if (!mpd) FAIL(mpd.error().describe());
  return std::move(*mpd);
}

const char* kMpd = R"(<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="static" mediaPresentationDuration="PT10S">
 <Period>
  <AdaptationSet contentType="video" mimeType="video/mp4">
   <SegmentTemplate timescale="1" duration="2" media="v$Number$.m4s"/>
   <Representation id="hevc1080" codecs="hvc1.1.6.L120.90" bandwidth="3000000" width="1920" height="1080"/>
   <Representation id="avc720" codecs="avc1.64001f" bandwidth="2000000" width="1280" height="720"/>
   <Representation id="avc1080" codecs="avc1.640028" bandwidth="4000000" width="1920" height="1080"/>
   <Representation id="avc240" codecs="avc1.64000d" bandwidth="300000" width="426" height="240"/>
  </AdaptationSet>
  <AdaptationSet contentType="audio" mimeType="audio/mp4" lang="fr">
   <SegmentTemplate timescale="1" duration="2" media="a$Number$.m4s"/>
   <Representation id="fr" codecs="mp4a.40.2" bandwidth="128000"/>
  </AdaptationSet>
  <AdaptationSet contentType="audio" mimeType="audio/mp4" lang="en-US">
   <Role schemeIdUri="urn:mpeg:dash:role:2011" value="commentary"/>
   <SegmentTemplate timescale="1" duration="2" media="c$Number$.m4s"/>
   <Representation id="en-commentary" codecs="mp4a.40.2" bandwidth="128000"/>
  </AdaptationSet>
  <AdaptationSet contentType="audio" mimeType="audio/mp4" lang="en">
   <Role schemeIdUri="urn:mpeg:dash:role:2011" value="main"/>
   <SegmentTemplate timescale="1" duration="2" media="e$Number$.m4s"/>
   <Representation id="en-ec3" codecs="ec-3" bandwidth="384000"/>
   <Representation id="en-aac" codecs="mp4a.40.2" bandwidth="96000"/>
  </AdaptationSet>
  <AdaptationSet contentType="text" mimeType="text/vtt" lang="de">
   <Representation id="sub-de" bandwidth="256"><BaseURL>de.vtt</BaseURL></Representation>
  </AdaptationSet>
 </Period>
</MPD>)";

}  // namespace

TEST_CASE("undecodable representations are removed before ABR and the ladder is ascending", "[engine][tracks]") {
  const auto mpd = parse(kMpd);
  const FamilySupport avc_aac({"avc1", "mp4a", "wvtt"});
  auto sel = select_tracks(mpd.periods[0], {}, avc_aac);
  REQUIRE(sel);
  const SelectedTrack* video = sel->find(TrackType::kVideo);
  REQUIRE(video != nullptr);
  CHECK(video->representations == std::vector<std::size_t>{3, 1, 2});  // 240p, 720p, 1080p avc
  const auto& dropped = sel->dropped;
  REQUIRE_FALSE(dropped.empty());
  CHECK(dropped.front() ==
        "MPD/Period[0]/AdaptationSet[0]/Representation[0]: codec 'hvc1.1.6.L120.90' has no decoder on this device");
  CHECK(sel->find(TrackType::kText) == nullptr);  // subtitles are off unless a language is asked for
}

TEST_CASE("the maximum resolution removes larger video, keeping the smallest when all are larger", "[engine][tracks]") {
  const auto mpd = parse(kMpd);
  const FamilySupport all({"avc1", "hvc1", "mp4a", "ec-3", "wvtt"});
  TrackPreferences prefs;
  prefs.max_height = 720;
  auto sel = select_tracks(mpd.periods[0], prefs, all);
  REQUIRE(sel);
  CHECK(sel->find(TrackType::kVideo)->representations == std::vector<std::size_t>{3, 1});
  prefs.max_height = 100;
  sel = select_tracks(mpd.periods[0], prefs, all);
  REQUIRE(sel);
  CHECK(sel->find(TrackType::kVideo)->representations == std::vector<std::size_t>{3});
}

TEST_CASE("audio follows the language preference, then the main role: en matches en-US", "[engine][tracks]") {
  const auto mpd = parse(kMpd);
  const FamilySupport all({"avc1", "mp4a", "wvtt"});
  TrackPreferences prefs;
  prefs.audio_languages = {"en"};
  auto sel = select_tracks(mpd.periods[0], prefs, all);
  REQUIRE(sel);
  CHECK(sel->find(TrackType::kAudio)->adaptation_set == 3);  // en + main beats en-US commentary
  CHECK(sel->find(TrackType::kAudio)->representations == std::vector<std::size_t>{1});  // ec-3 dropped
  prefs.audio_languages = {"de", "fr"};
  sel = select_tracks(mpd.periods[0], prefs, all);
  CHECK(sel->find(TrackType::kAudio)->adaptation_set == 1);
  prefs.audio_languages = {"en-US"};
  prefs.audio_role = "commentary";
  sel = select_tracks(mpd.periods[0], prefs, all);
  CHECK(sel->find(TrackType::kAudio)->adaptation_set == 2);
}

TEST_CASE("subtitles in a preferred language are selected: a side-loaded VTT counts as wvtt", "[engine][tracks]") {
  const auto mpd = parse(kMpd);
  TrackPreferences prefs;
  prefs.text_languages = {"de"};
  const FamilySupport with_vtt({"avc1", "mp4a", "wvtt"});
  auto sel = select_tracks(mpd.periods[0], prefs, with_vtt);
  REQUIRE(sel);
  REQUIRE(sel->find(TrackType::kText) != nullptr);
  CHECK(sel->find(TrackType::kText)->adaptation_set == 4);
  const FamilySupport without_vtt({"avc1", "mp4a"});
  sel = select_tracks(mpd.periods[0], prefs, without_vtt);
  REQUIRE(sel);
  CHECK(sel->find(TrackType::kText) == nullptr);
}

TEST_CASE("a period with nothing decodable is kManifestNoPlayableContent naming every drop", "[engine][tracks]") {
  const auto mpd = parse(kMpd);
  const FamilySupport nothing({});
  auto sel = select_tracks(mpd.periods[0], {}, nothing);
  REQUIRE_FALSE(sel);
  CHECK(sel.error().code == ErrorCode::kManifestNoPlayableContent);
  CHECK(sel.error().message.find("MPD/Period[0]: no playable video or audio") == 0);
  CHECK(sel.error().message.find("codec 'ec-3'") != std::string::npos);
}

TEST_CASE("FFmpeg decoder names follow RFC 6381 families: this build decodes H.264, AAC, wvtt and stpp",
          "[engine][tracks]") {
  CHECK(ffmpeg_decoder_name("avc1.64001f") == "h264");
  CHECK(ffmpeg_decoder_name("hev1.1.6.L93.B0") == "hevc");
  CHECK(ffmpeg_decoder_name("av01.0.04M.08") == "av1");
  CHECK(ffmpeg_decoder_name("vp09.00.10.08") == "vp9");
  CHECK(ffmpeg_decoder_name("mp4a.40.2") == "aac");
  CHECK(ffmpeg_decoder_name("mp4a.6B") == "mp3");
  CHECK(ffmpeg_decoder_name("ec-3") == "eac3");
  CHECK(ffmpeg_decoder_name("Opus") == "opus");
  CHECK(ffmpeg_decoder_name("wvtt") == "webvtt");
  CHECK_FALSE(ffmpeg_decoder_name("xyz1.2").has_value());
  const auto ffmpeg = make_ffmpeg_codec_support();
  CHECK(ffmpeg->can_decode("avc1.64001f"));
  CHECK(ffmpeg->can_decode("mp4a.40.2"));
  CHECK_FALSE(ffmpeg->can_decode("xyz1.2"));
  // Text is read by the media layer: TTML (no FFmpeg decoder) and WebVTT in fMP4, any profile.
  CHECK(ffmpeg->can_decode("stpp"));
  CHECK(ffmpeg->can_decode("stpp.ttml.im1t"));
  CHECK(ffmpeg->can_decode("wvtt"));
}

}  // namespace abrplay::engine::test

namespace abrplay::engine::test {

TEST_CASE("fMP4 text sets (wvtt, stpp.ttml.im1t, mimeType application/mp4) are text tracks chosen by language",
          "[engine][tracks]") {
  const auto mpd = parse(R"(<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="static" mediaPresentationDuration="PT8S">
 <Period>
  <AdaptationSet mimeType="video/mp4">
   <SegmentTemplate timescale="1" duration="4" media="v$Number$.m4s"/>
   <Representation id="v" codecs="avc1.64001f" bandwidth="2000000"/>
  </AdaptationSet>
  <AdaptationSet mimeType="application/mp4" codecs="wvtt" lang="de">
   <SegmentTemplate timescale="1000" duration="4000" initialization="$RepresentationID$/init.mp4" media="$RepresentationID$/$Number$.m4s"/>
   <Representation id="sub-de" bandwidth="800"/>
  </AdaptationSet>
  <AdaptationSet mimeType="application/mp4" lang="es">
   <SegmentTemplate timescale="1000" duration="4000" initialization="$RepresentationID$/init.mp4" media="$RepresentationID$/$Number$.m4s"/>
   <Representation id="sub-es" codecs="stpp.ttml.im1t" bandwidth="2000"/>
  </AdaptationSet>
 </Period>
</MPD>)");
  const auto& sets = mpd.periods[0].adaptation_sets;
  CHECK(track_type_name(sets[1]) == "text");
  CHECK(track_type_name(sets[2]) == "text");
  const auto ffmpeg = make_ffmpeg_codec_support();
  for (const auto& [lang, set] : {std::pair{"de", 1u}, std::pair{"es", 2u}}) {
    TrackPreferences prefs;
    prefs.text_languages = {lang};
    auto sel = select_tracks(mpd.periods[0], prefs, *ffmpeg);
    REQUIRE(sel);
    CAPTURE(lang);
    REQUIRE(sel->find(TrackType::kText) != nullptr);
    CHECK(sel->find(TrackType::kText)->adaptation_set == set);
    CHECK(sel->dropped.empty());
  }
}

}  // namespace abrplay::engine::test

namespace abrplay::engine::test {

TEST_CASE("a thumbnail (image) set is kept by the manifest but left out of playback, listed as dropped",
          "[engine][tracks][thumbnails]") {
  const manifest::Mpd mpd = parse(R"(<MPD type="static" mediaPresentationDuration="PT10S"><Period>
  <AdaptationSet contentType="image" mimeType="image/jpeg">
   <SegmentTemplate timescale="1" duration="10" media="t$Number$.jpg"/>
   <Representation id="thumbs" bandwidth="1000" width="640" height="360" codecs="jpeg">
    <EssentialProperty schemeIdUri="http://dashif.org/thumbnail_tile" value="2x2"/></Representation>
  </AdaptationSet>
  <AdaptationSet contentType="video" mimeType="video/mp4">
   <SegmentTemplate timescale="1" duration="2" media="v$Number$.m4s"/>
   <Representation id="avc240" codecs="avc1.64000d" bandwidth="300000" width="426" height="240"/>
  </AdaptationSet></Period></MPD>)");
  REQUIRE(mpd.periods[0].adaptation_sets[0].representations[0].tiles);
  const FamilySupport avc({"avc1"});
  auto sel = select_tracks(mpd.periods[0], {}, avc);
  REQUIRE(sel);
  REQUIRE(sel->tracks.size() == 1);
  CHECK(sel->tracks[0].type == TrackType::kVideo);
  CHECK(sel->tracks[0].adaptation_set == 1);
  REQUIRE(sel->dropped.size() == 1);
  CHECK(sel->dropped[0] == "MPD/Period[0]/AdaptationSet[0]: neither video, audio nor text");
}

}  // namespace abrplay::engine::test
