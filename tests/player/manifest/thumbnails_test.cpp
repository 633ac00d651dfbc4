// Thumbnail tracks (DASH-IF IOP tiles): parsing, bad signalling as a problem instead of a failed
// manifest, which image and tile stand for a time, and the track selection leaving image sets out.
#include <catch2/catch.hpp>

#include <chrono>
#include <fstream>
#include <iterator>

#include "abrplay/player/manifest/parser.h"
#include "abrplay/player/manifest/playable.h"
#include "abrplay/player/manifest/segment_index.h"
#include "abrplay/player/manifest/thumbnails.h"

using namespace abrplay;
using namespace abrplay::manifest;
using std::chrono::milliseconds;
using std::chrono::seconds;

namespace {

Mpd parse_thumbnail_mpd(const std::string& xml) {
  ParseOptions options;
  options.document_url = "http://cdn.example/v/manifest.mpd";
  auto r = parse_mpd(xml, options);
  if (!r) FAIL(r.error().describe());
  return std::move(r).value();
}

// A 20 s presentation with video and an image set; `rep` is the thumbnail Representation's XML.
std::string with_thumbs(const std::string& rep, const std::string& set_attrs = R"(contentType="image")") {
  return R"(<MPD type="static" mediaPresentationDuration="PT20S"><Period>
    <AdaptationSet mimeType="video/mp4" codecs="avc1.64001f">
      <SegmentTemplate media="v$Number$.m4s" initialization="vinit.mp4" duration="4" timescale="1"/>
      <Representation id="v" bandwidth="500000" width="640" height="360"/></AdaptationSet>
    <AdaptationSet )" +
         set_attrs + R"( mimeType="image/jpeg">
      <SegmentTemplate media="thumbs/$RepresentationID$/tile_$Number$.jpg" duration="10" timescale="1" startNumber="1"/>
      )" +
         rep + R"(</AdaptationSet></Period></MPD>)";
}

const Representation& thumb_rep(const Mpd& mpd) { return mpd.periods[0].adaptation_sets[1].representations[0]; }

}  // namespace

TEST_CASE("a DASH-IF thumbnail set parses to a tile grid, from either scheme and either level",
          "[manifest][thumbnails]") {
  SECTION("on the representation, dashif.org/thumbnail_tile") {
    Mpd mpd = parse_thumbnail_mpd(with_thumbs(R"(<Representation id="t" bandwidth="10000" width="1024" height="1152">
        <EssentialProperty schemeIdUri="http://dashif.org/thumbnail_tile" value="10x20"/></Representation>)"));
    const Representation& r = thumb_rep(mpd);
    REQUIRE(r.tiles);
    CHECK(*r.tiles == TileGrid{10, 20});
    CHECK(r.thumbnail_problem.empty());
    CHECK(r.excluded_reason.empty());
    CHECK(mpd.periods[0].adaptation_sets[1].content_type == "image");
  }
  SECTION("on the set, the guidelines scheme, the content type from the mime type") {
    Mpd mpd = parse_thumbnail_mpd(
        with_thumbs(R"(<EssentialProperty schemeIdUri="http://dashif.org/guidelines/thumbnail_tile" value="4X3"/>
        <Representation id="t" bandwidth="10000" width="1280" height="720"/>)",
                    ""));
    REQUIRE(thumb_rep(mpd).tiles);
    CHECK(*thumb_rep(mpd).tiles == TileGrid{4, 3});
  }
  SECTION("without the property an image is one tile") {
    Mpd mpd = parse_thumbnail_mpd(
        with_thumbs(R"(<Representation id="t" bandwidth="10000" width="320" height="180"/>)"));
    REQUIRE(thumb_rep(mpd).tiles);
    CHECK(*thumb_rep(mpd).tiles == TileGrid{1, 1});
  }
}

TEST_CASE("malformed thumbnail signalling names the problem and the manifest still parses and plays",
          "[manifest][thumbnails]") {
  struct Case {
    const char* rep;
    const char* problem;
  };
  const Case cases[] = {
      {R"(<Representation id="t" bandwidth="1" width="640" height="360"><EssentialProperty schemeIdUri="http://dashif.org/thumbnail_tile" value="0x0"/></Representation>)",
       "thumbnail_tile @value '0x0': columns and rows must be 1..100"},
      {R"(<Representation id="t" bandwidth="1" width="640" height="360"><EssentialProperty schemeIdUri="http://dashif.org/thumbnail_tile" value="1000x1000"/></Representation>)",
       "thumbnail_tile @value '1000x1000': columns and rows must be 1..100"},
      {R"(<Representation id="t" bandwidth="1" width="640" height="360"><EssentialProperty schemeIdUri="http://dashif.org/thumbnail_tile" value="99999999999x2"/></Representation>)",
       "thumbnail_tile @value '99999999999x2': not COLSxROWS"},
      {R"(<Representation id="t" bandwidth="1" width="640" height="360"><EssentialProperty schemeIdUri="http://dashif.org/thumbnail_tile" value="ten by two"/></Representation>)",
       "thumbnail_tile @value 'ten by two': not COLSxROWS"},
      {R"(<Representation id="t" bandwidth="1" width="640" height="360"><EssentialProperty schemeIdUri="http://dashif.org/thumbnail_tile" value="-2x2"/></Representation>)",
       "thumbnail_tile @value '-2x2': not COLSxROWS"},
      {R"(<Representation id="t" bandwidth="1" width="640"><EssentialProperty schemeIdUri="http://dashif.org/thumbnail_tile" value="2x2"/></Representation>)",
       "thumbnail image without @height"},
      {R"(<Representation id="t" bandwidth="1"/>)", "thumbnail image without @width"},
      {R"(<Representation id="t" bandwidth="1" width="100000" height="100000"/>)",
       "thumbnail image 100000x100000 is larger than 16384 px on a side"},
      {R"(<Representation id="t" bandwidth="1" width="5" height="5"><EssentialProperty schemeIdUri="http://dashif.org/thumbnail_tile" value="10x1"/></Representation>)",
       "thumbnail image 5x5 is smaller than its 10x1 tile grid"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.rep);
    Mpd mpd = parse_thumbnail_mpd(with_thumbs(c.rep));
    const Representation& r = thumb_rep(mpd);
    CHECK_FALSE(r.tiles);
    CHECK(r.thumbnail_problem == c.problem);
    const auto problems = thumbnail_problems(mpd);
    REQUIRE(problems.size() == 1);
    CHECK(problems[0] == "MPD/Period[0]/AdaptationSet[1]/Representation[0]: " + std::string(c.problem));
    CHECK_FALSE(find_thumbnail_track(mpd, seconds(1)));
    auto playable = make_playable(mpd);
    REQUIRE(playable);
    CHECK(playable->periods[0].adaptation_sets.size() == 2);
  }
}

TEST_CASE("the tile of a time: image by segment, tile by its share of the segment, row-major rects",
          "[manifest][thumbnails]") {
  Mpd mpd = parse_thumbnail_mpd(with_thumbs(R"(<Representation id="t" bandwidth="10000" width="1000" height="450">
      <EssentialProperty schemeIdUri="http://dashif.org/thumbnail_tile" value="5x2"/></Representation>)"));
  auto track = find_thumbnail_track(mpd, seconds(0));
  REQUIRE(track);
  CHECK(track->adaptation_set == 1);
  CHECK(track->representation == 0);
  auto index = SegmentIndex::create(mpd, track->period, track->adaptation_set, track->representation);
  REQUIRE(index);
  const TileGrid grid = *thumb_rep(mpd).tiles;

  // 10 s images of 10 tiles: one tile per second.
  auto t0 = thumbnail_tile(*index, grid, seconds(0));
  REQUIRE(t0);
  CHECK(t0->image.url == "http://cdn.example/v/thumbs/t/tile_1.jpg");
  CHECK(t0->index == 0);
  CHECK(t0->start == seconds(0));
  CHECK(t0->duration == seconds(1));

  auto t = thumbnail_tile(*index, grid, milliseconds(6999));
  REQUIRE(t);
  CHECK(t->index == 6);
  CHECK(t->start == seconds(6));
  CHECK(tile_rect(grid, t->index, 1000, 450) == TileRect{200, 225, 200, 225});

  auto second = thumbnail_tile(*index, grid, seconds(10));  // exactly the boundary: the next image
  REQUIRE(second);
  CHECK(second->image.url == "http://cdn.example/v/thumbs/t/tile_2.jpg");
  CHECK(second->index == 0);
  CHECK(second->start == seconds(10));

  auto last = thumbnail_tile(*index, grid, milliseconds(19'999));
  REQUIRE(last);
  CHECK(last->index == 9);
  CHECK(tile_rect(grid, last->index, 1000, 450) == TileRect{800, 225, 200, 225});

  auto past = thumbnail_tile(*index, grid, seconds(20));
  REQUIRE_FALSE(past);
  CHECK(past.error().code == ErrorCode::kInvalidArgument);
  CHECK(past.error().message == "thumbnails: 20s is past the last image (thumbnails cover 0 .. 20s)");
}

TEST_CASE("tile rects round down and stay inside the image for any index", "[manifest][thumbnails]") {
  CHECK(tile_rect({3, 3}, 8, 100, 100) == TileRect{66, 66, 33, 33});
  CHECK(tile_rect({3, 3}, 99, 100, 100) == TileRect{66, 66, 33, 33});  // clamped to the last tile
  CHECK(tile_rect({1, 1}, 0, 7, 5) == TileRect{0, 0, 7, 5});
  CHECK(parse_tile_grid("100x100"));
  CHECK_FALSE(parse_tile_grid("101x1"));
  CHECK_FALSE(parse_tile_grid("x"));
  CHECK_FALSE(parse_tile_grid("2x"));
  CHECK_FALSE(parse_tile_grid(" 2x2"));
}

TEST_CASE("find_thumbnail_track picks the period holding the time", "[manifest][thumbnails]") {
  Mpd mpd = parse_thumbnail_mpd(R"(<MPD type="static" mediaPresentationDuration="PT20S">
    <Period id="a" duration="PT10S"><AdaptationSet mimeType="video/mp4"><Representation id="v" bandwidth="1"/></AdaptationSet></Period>
    <Period id="b"><AdaptationSet mimeType="video/mp4"><Representation id="v" bandwidth="1"/></AdaptationSet>
      <AdaptationSet contentType="image" mimeType="image/png"><SegmentTemplate media="p$Number$.png" duration="10"/>
        <Representation id="t" bandwidth="1" width="100" height="100"/></AdaptationSet></Period></MPD>)");
  CHECK_FALSE(find_thumbnail_track(mpd, seconds(5)));  // period a has none
  auto t = find_thumbnail_track(mpd, seconds(15));
  REQUIRE(t);
  CHECK(t->period == 1);
  CHECK(t->adaptation_set == 1);
  CHECK(find_thumbnail_track(mpd, seconds(99)));  // past the end: the last period
}

namespace {
std::string corpus_file(const std::string& rel) {
  std::ifstream in(std::string(ABRPLAY_TEST_DATA_DIR) + "/mpd-corpus/media/libraries/test_data/src/test/assets/media/" +
                   rel);
  REQUIRE(in);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}
}  // namespace

TEST_CASE("corpus: ExoPlayer's thumbnail MPDs give their grids, both schemes, and stay playable",
          "[manifest][thumbnails][corpus]") {
  Mpd images = parse_thumbnail_mpd(corpus_file("mpd/sample_mpd_images"));
  const auto& reps = images.periods[0].adaptation_sets[0].representations;
  REQUIRE(reps.size() == 2);
  REQUIRE(reps[0].tiles);
  CHECK(*reps[0].tiles == TileGrid{12, 16});
  REQUIRE(reps[1].tiles);
  CHECK(*reps[1].tiles == TileGrid{2, 4});
  CHECK(make_playable(images));  // an image set is no longer excluded as an unknown EssentialProperty
  auto index = SegmentIndex::create(images, 0, 0, 1);
  REQUIRE(index);
  auto tile = thumbnail_tile(*index, *reps[1].tiles, seconds(130));  // image 2 (100..200 s), 12.5 s per tile
  REQUIRE(tile);
  CHECK(tile->image.url == "http://cdn.example/v/images_640x360/tile_2.jpg");
  CHECK(tile->index == 2);
  CHECK(tile_rect(*reps[1].tiles, tile->index, 640, 360) == TileRect{0, 90, 320, 90});

  Mpd sample = parse_thumbnail_mpd(corpus_file("dash/thumbnails/sample.mpd"));
  const auto& r = sample.periods[0].adaptation_sets[0].representations[0];
  REQUIRE(r.tiles);
  CHECK(*r.tiles == TileGrid{8, 8});
  CHECK(tile_rect(*r.tiles, 63, *r.width, *r.height) == TileRect{1792, 1008, 256, 144});
}
