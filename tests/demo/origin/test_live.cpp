// Live: availability follows the (injected) clock, the dynamic MPD describes the window.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include <pugixml.hpp>

#include "http_client.h"
#include "origin_fixture.h"

namespace abrplay::origin::test {

namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

std::string read(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

LiveIndex index_of(const std::string& text) {
  auto idx = LiveIndex::parse(text, "manifest.mpd");
  if (!idx) FAIL(idx.error());
  return std::move(*idx);
}

const WallTime kAst = WallTime(seconds(1'800'000'000));  // 2027-01-15T08:00:00Z

LiveParams params() { return LiveParams{kAst, seconds(4), "http://127.0.0.1:1/utc", {}}; }

}  // namespace

TEST_CASE("a live segment is published when it is complete and leaves after the time-shift window", "[origin][live]") {
  ContentFixture content;
  const LiveIndex idx = index_of(read(content.file("vod/manifest.mpd")));
  CHECK(idx.max_segment_duration() == seconds(2));
  const LiveParams p = params();  // 2 s segments, 4 s window
  // Segment 1 covers [0, 2): available from AST+2 s until AST+2+4+2 s.
  CHECK(idx.check("seg-v240-1.m4s", p, kAst + milliseconds(1999)) == LiveAvailability::kNotYet);
  CHECK(idx.check("seg-v240-1.m4s", p, kAst + seconds(2)) == LiveAvailability::kAvailable);
  CHECK(idx.check("seg-v240-1.m4s", p, kAst + seconds(8)) == LiveAvailability::kAvailable);
  CHECK(idx.check("seg-v240-1.m4s", p, kAst + milliseconds(8001)) == LiveAvailability::kExpired);
  // The window moves with the clock: at AST+9 s segments 2..4 are there, 5 is still to come.
  const WallTime t = kAst + seconds(9);
  CHECK(idx.check("seg-a-1.m4s", p, t) == LiveAvailability::kExpired);
  CHECK(idx.check("seg-a-2.m4s", p, t) == LiveAvailability::kAvailable);
  CHECK(idx.check("seg-a-3.m4s", p, t) == LiveAvailability::kAvailable);
  CHECK(idx.check("seg-a-4.m4s", p, t) == LiveAvailability::kAvailable);
  CHECK(idx.check("seg-a-5.m4s", p, t) == LiveAvailability::kNotYet);
  CHECK(idx.check("seg-a-99.m4s", p, t) == LiveAvailability::kNotYet);
  CHECK(idx.check("init-a.m4s", p, t) == LiveAvailability::kNotASegment);
}

TEST_CASE("the dynamic MPD carries AST, minimumUpdatePeriod, timeShiftBufferDepth and UTCTiming", "[origin][live]") {
  ContentFixture content;
  const std::string vod = read(content.file("vod/manifest.mpd"));
  const LiveIndex idx = index_of(vod);
  auto live = idx.render(vod, params(), kAst + seconds(5));
  REQUIRE(live);
  pugi::xml_document doc;
  REQUIRE(doc.load_string(live->c_str()));
  const auto mpd = doc.child("MPD");
  CHECK(std::string(mpd.attribute("type").as_string()) == "dynamic");
  CHECK(std::string(mpd.attribute("availabilityStartTime").as_string()) == "2027-01-15T08:00:00.000Z");
  CHECK(std::string(mpd.attribute("publishTime").as_string()) == "2027-01-15T08:00:05.000Z");
  CHECK(std::string(mpd.attribute("minimumUpdatePeriod").as_string()) == "PT2.000S");
  CHECK(std::string(mpd.attribute("timeShiftBufferDepth").as_string()) == "PT4.000S");
  CHECK_FALSE(mpd.attribute("mediaPresentationDuration"));
  CHECK(std::string(mpd.child("UTCTiming").attribute("value").as_string()) == "http://127.0.0.1:1/utc");
  CHECK(std::string(mpd.child("UTCTiming").attribute("schemeIdUri").as_string()) == "urn:mpeg:dash:utc:http-iso:2014");

  // After the content's 10 s the event is over: a duration, no more updates.
  auto ended = idx.render(vod, params(), kAst + seconds(11));
  REQUIRE(ended);
  REQUIRE(doc.load_string(ended->c_str()));
  CHECK(doc.child("MPD").attribute("mediaPresentationDuration"));
  CHECK_FALSE(doc.child("MPD").attribute("minimumUpdatePeriod"));
}

TEST_CASE("a live SegmentTimeline lists exactly the segments in the window, moving with the clock", "[origin][live]") {
  ContentFixture content;
  const std::string vod = read(content.file("tl/manifest.mpd"));
  const LiveIndex idx = index_of(vod);
  auto starts_at = [&](WallTime now) {
    auto live = idx.render(vod, params(), now);
    REQUIRE(live);
    pugi::xml_document doc;
    REQUIRE(doc.load_string(live->c_str()));
    // $Number$ counts from the first S listed: startNumber moves past the expired ones.
    const auto tmpl = doc.select_node("//AdaptationSet[@id='0']/SegmentTemplate").node();
    CHECK(tmpl.attribute("startNumber").as_int() == (now >= kAst + seconds(9) ? 2 : 1));
    std::vector<long long> t;
    for (auto s : doc.select_node("//AdaptationSet[@id='0']//SegmentTimeline").node().children("S")) {
      t.push_back(s.attribute("t").as_llong());
    }
    return t;
  };
  CHECK(starts_at(kAst + seconds(1)).empty());
  CHECK(starts_at(kAst + seconds(5)) == std::vector<long long>{0, 2000});
  CHECK(starts_at(kAst + seconds(9)) == std::vector<long long>{2000, 4000, 6000});
  CHECK(idx.check("seg-v240-4000.m4s", params(), kAst + seconds(9)) == LiveAvailability::kAvailable);
  CHECK(idx.check("seg-v240-8000.m4s", params(), kAst + seconds(9)) == LiveAvailability::kNotYet);
}

TEST_CASE("SegmentBase content cannot go live: the error says why and where", "[origin][live]") {
  ContentFixture content;
  auto idx = LiveIndex::parse(read(content.file("sb/manifest.mpd")), "sb.mpd");
  REQUIRE_FALSE(idx);
  CHECK(idx.error().find("sb.mpd: Period/AdaptationSet[0]/Representation[0]: live mode needs SegmentTemplate") == 0);
  CHECK_FALSE(LiveIndex::parse("<MPD", "x.mpd"));
}

TEST_CASE("the live origin answers by the injected clock: 404 before publication, 200 after", "[origin][live]") {
  ContentFixture content;
  FakeWallClock clock(kAst);
  OriginConfig config;
  config.roots = {content.dir().string()};
  config.live = true;
  config.live_window = seconds(4);
  config.live_preroll = seconds(0);
  config.wall_clock = clock.function();
  auto origin = start_origin(config);
  const WallTime ast = origin->availability_start();
  CHECK(ast == kAst);

  const std::string seg3 = origin->url(0) + "vod/seg-v240-3.m4s";  // complete at AST + 6 s
  const HttpResult early = http_get(seg3);
  CHECK(early.status == 404);
  CHECK(early.body.find("not yet available") != std::string::npos);
  clock.advance(seconds(6));
  CHECK(http_get(seg3).status == 200);
  clock.advance(seconds(7));  // AST + 13 s: past 6 + 4 + 2
  CHECK(http_get(seg3).status == 404);

  const HttpResult utc = http_get(origin->url(0) + "utc");
  CHECK(utc.body == "2027-01-15T08:00:13.000Z");
  const HttpResult mpd = http_get(origin->url(0) + "vod/manifest.mpd");
  REQUIRE(mpd.status == 200);
  CHECK(mpd.body.find("type=\"dynamic\"") != std::string::npos);
  CHECK(mpd.body.find("http://127.0.0.1:" + std::to_string(origin->port(0)) + "/utc") != std::string::npos);
  CHECK(http_get(origin->url(0) + "vod/init-v240.m4s").status == 200);  // init segments: always
  CHECK(http_get(origin->url(0) + "sb/manifest.mpd").status == 500);    // SegmentBase cannot go live
}

TEST_CASE("a live MPD is no-cache, and its ETag changes only when a segment is published", "[origin][live][cache]") {
  ContentFixture content;
  FakeWallClock clock(kAst + seconds(3));
  OriginConfig config;
  config.roots = {content.dir().string()};
  config.live = true;
  config.live_window = seconds(30);
  config.live_preroll = seconds(0);
  config.wall_clock = clock.function();
  auto origin = start_origin(config);
  const std::string url = origin->url(0) + "tl/manifest.mpd";  // a SegmentTimeline: grows with time

  const HttpResult first = http_get(url);
  REQUIRE(first.status == 200);
  CHECK(first.header("cache-control") == "no-cache");
  const std::string etag = first.header("etag");
  REQUIRE_FALSE(etag.empty());
  HttpRequest refresh{url};
  refresh.headers = {"If-None-Match: " + etag};
  clock.advance(milliseconds(500));  // publishTime moves, the segments do not
  const HttpResult same = http(refresh);
  CHECK(same.status == 304);
  CHECK(same.body.empty());
  clock.advance(seconds(2));  // AST + 5.5 s: the segment [2, 4) is published
  const HttpResult grown = http(refresh);
  CHECK(grown.status == 200);
  CHECK(grown.header("etag") != etag);
  CHECK(grown.body != first.body);
}

}  // namespace abrplay::origin::test
