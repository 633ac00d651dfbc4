// SegmentIndex on inline manifests: every addressing mode, inheritance, boundaries, live windows.
#include <catch2/catch.hpp>

#include "abrplay/player/manifest/parser.h"
#include "abrplay/player/manifest/segment_index.h"
#include "sidx_builder.h"

using namespace abrplay;
using namespace abrplay::manifest;
using std::chrono::milliseconds;
using std::chrono::seconds;

namespace {

constexpr const char* kDoc = "https://cdn.example/live/manifest.mpd";

Mpd parse(const std::string& xml) {
  ParseOptions opt;
  opt.document_url = kDoc;
  auto r = parse_mpd(xml, opt);
  if (!r) FAIL(r.error().describe());
  return std::move(r).value();
}

SegmentIndex index_of(const std::string& xml, std::size_t period = 0, std::size_t as = 0, std::size_t rep = 0) {
  Mpd mpd = parse(xml);
  auto ix = SegmentIndex::create(mpd, period, as, rep);
  if (!ix) FAIL(ix.error().describe());
  return std::move(ix).value();
}

Error index_error(const std::string& xml) {
  Mpd mpd = parse(xml);
  auto ix = SegmentIndex::create(mpd, 0, 0, 0);
  REQUIRE_FALSE(ix);
  return ix.error();
}

// A static one-period MPD whose only representation has `inner` inside it.
std::string vod(const std::string& inner, const char* period_attrs = R"(duration="PT10S")") {
  return std::string(R"(<MPD type="static"><Period )") + period_attrs +
         R"(><AdaptationSet><Representation id="v1" bandwidth="500000">)" + inner +
         "</Representation></AdaptationSet></Period></MPD>";
}

std::string timeline(const std::string& s_elements, const char* extra = "") {
  return std::string(R"(<SegmentTemplate timescale="10" media="$RepresentationID$/$Time$.m4s" )") + extra +
         "><SegmentTimeline>" + s_elements + "</SegmentTimeline></SegmentTemplate>";
}

}  // namespace

TEST_CASE("template with @duration: count, first and last segment, uneven period end", "[manifest][index]") {
  auto ix = index_of(vod(R"(<SegmentTemplate timescale="1000" duration="2000" startNumber="3"
      media="seg-$Number%04d$.m4s" initialization="init-$RepresentationID$-$Bandwidth$.mp4"/>)",
                         R"(duration="PT9S")"));
  CHECK(ix.addressing() == SegmentIndex::Addressing::kTemplateDuration);
  REQUIRE(ix.count() == 5u);  // 9 s in 2 s segments: the last one is partial
  CHECK(ix.init()->url == "https://cdn.example/live/init-v1-500000.mp4");
  auto first = ix.segment(0);
  REQUIRE(first);
  CHECK(first->number == 3);
  CHECK(first->start == seconds(0));
  CHECK(first->duration == seconds(2));
  CHECK(first->url == "https://cdn.example/live/seg-0003.m4s");
  auto last = ix.segment(4);
  REQUIRE(last);
  CHECK(last->number == 7);
  CHECK(last->start == seconds(8));
  CHECK_FALSE(ix.segment(5));
  CHECK_FALSE(ix.next(*last));
  CHECK(*ix.total_duration() == seconds(10));
}

TEST_CASE("endNumber caps a @duration template", "[manifest][index]") {
  auto ix = index_of(
      vod(R"(<SegmentTemplate timescale="1" duration="2" startNumber="1" endNumber="3" media="$Number$"/>)"));
  REQUIRE(ix.count() == 3u);
  CHECK(ix.segment(2)->number == 3);
  CHECK_FALSE(ix.segment(3));
}

TEST_CASE("SegmentTimeline: t, d, r and continuation", "[manifest][index]") {
  auto ix = index_of(vod(timeline(R"(<S t="100" d="20" r="2"/><S d="10"/>)")));
  CHECK(ix.addressing() == SegmentIndex::Addressing::kTemplateTimeline);
  REQUIRE(ix.count() == 4u);
  CHECK(ix.segment(0)->time == 100);
  CHECK(ix.segment(0)->url == "https://cdn.example/live/v1/100.m4s");
  CHECK(ix.segment(2)->time == 140);
  CHECK(ix.segment(3)->time == 160);
  CHECK(ix.segment(3)->duration == seconds(1));
  CHECK(ix.segment(3)->number == 4);
  CHECK_FALSE(ix.segment(4));
}

TEST_CASE("S@r=-1 repeats up to the next S@t", "[manifest][index]") {
  auto ix = index_of(vod(timeline(R"(<S t="0" d="20" r="-1"/><S t="70" d="10"/>)")));
  // 0,20,40,60 (the last one overlaps 70 and is kept: ceil), then 70
  REQUIRE(ix.count() == 5u);
  CHECK(ix.segment(3)->time == 60);
  CHECK(ix.segment(4)->time == 70);
}

TEST_CASE("S@r=-1 on the last S repeats to the period end", "[manifest][index]") {
  auto ix = index_of(vod(timeline(R"(<S t="0" d="20" r="-1"/>)")));  // period 10 s = 100 ticks
  REQUIRE(ix.count() == 5u);
  CHECK(ix.segment(4)->time == 80);
  CHECK_FALSE(ix.segment(5));
}

TEST_CASE("S@r=-1 last in a static MPD without a period end is an error naming the S", "[manifest][index]") {
  Error e = index_error(vod(timeline(R"(<S t="0" d="20" r="-1"/>)"), ""));
  CHECK(e.code == ErrorCode::kManifestMissingAttribute);
  CHECK(e.message.find("SegmentTimeline/S[0]@r") != std::string::npos);
}

TEST_CASE("S@n renumbers: endNumber truncates a timeline", "[manifest][index]") {
  auto ix = index_of(vod(timeline(R"(<S t="0" d="10" r="1"/><S n="50" d="10" r="4"/>)", R"(endNumber="52")")));
  REQUIRE(ix.count() == 5u);
  CHECK(ix.segment(1)->number == 2);
  CHECK(ix.segment(2)->number == 50);
  CHECK(ix.segment(4)->number == 52);
}

TEST_CASE("presentationTimeOffset and period start place segments on the MPD timeline", "[manifest][index]") {
  std::string xml = R"(<MPD type="static" mediaPresentationDuration="PT20S">
    <Period duration="PT10S"><AdaptationSet><Representation id="a" bandwidth="1">
      <SegmentTemplate timescale="1000" duration="5000" media="$Number$"/></Representation></AdaptationSet></Period>
    <Period><AdaptationSet><Representation id="a" bandwidth="1">
      <SegmentTemplate timescale="1000" presentationTimeOffset="90000" media="$Time$">
        <SegmentTimeline><S t="90000" d="5000" r="1"/></SegmentTimeline></SegmentTemplate>
    </Representation></AdaptationSet></Period></MPD>)";
  auto p1 = index_of(xml, 1);
  CHECK(p1.segment(0)->start == seconds(10));
  CHECK(p1.segment(0)->url == "https://cdn.example/live/90000");
  CHECK(p1.segment(1)->start == seconds(15));
  CHECK(p1.segment_at(seconds(16))->position == 1);
  auto p0 = index_of(xml, 0);
  CHECK(p0.count() == 2u);
}

TEST_CASE("segment_at: inside, on a boundary, in a gap, before the first, after the last", "[manifest][index]") {
  auto ix = index_of(vod(timeline(R"(<S t="10" d="10" r="1"/><S t="50" d="10"/>)")));
  CHECK(ix.segment_at(milliseconds(0))->position == 0);     // before the first: the first
  CHECK(ix.segment_at(milliseconds(1000))->position == 0);  // exactly the first start
  CHECK(ix.segment_at(milliseconds(1999))->position == 0);
  CHECK(ix.segment_at(milliseconds(2000))->position == 1);  // boundary belongs to the next
  CHECK(ix.segment_at(milliseconds(3500))->position == 2);  // gap 3..5 s: the next segment
  CHECK(ix.segment_at(milliseconds(5999))->position == 2);
  CHECK_FALSE(ix.segment_at(milliseconds(6000)));  // after the last
}

TEST_CASE("segment information inherits attribute by attribute across levels", "[manifest][index]") {
  auto ix = index_of(R"(<MPD type="static" mediaPresentationDuration="PT8S"><Period>
      <SegmentTemplate timescale="1000" media="$RepresentationID$-$Number$.m4s" initialization="$RepresentationID$.mp4"/>
      <AdaptationSet><SegmentTemplate duration="4000"/>
        <Representation id="r" bandwidth="1"><SegmentTemplate startNumber="0"/></Representation>
      </AdaptationSet></Period></MPD>)");
  REQUIRE(ix.count() == 2u);
  CHECK(ix.segment(1)->url == "https://cdn.example/live/r-1.m4s");
  CHECK(ix.segment(1)->start == seconds(4));
  CHECK(ix.init()->url == "https://cdn.example/live/r.mp4");
}

TEST_CASE("BaseURL at every level resolves per RFC 3986: alternatives sorted by dvb:priority", "[manifest][index]") {
  auto ix = index_of(R"(<MPD type="static" mediaPresentationDuration="PT4S" xmlns:dvb="urn:dvb">
    <BaseURL dvb:priority="5">https://slow.example/a/b/</BaseURL>
    <BaseURL dvb:priority="1">https://fast.example/a/b/</BaseURL>
    <Period><BaseURL>p/</BaseURL><AdaptationSet><BaseURL>../q/</BaseURL>
      <Representation id="r" bandwidth="1"><BaseURL>r/?token=1</BaseURL>
        <SegmentTemplate duration="2" media="s$Number$.m4s"/></Representation></AdaptationSet></Period></MPD>)");
  REQUIRE(ix.base_urls().size() == 2);
  CHECK(ix.base_urls()[0] == "https://fast.example/a/b/q/r/?token=1");
  CHECK(ix.segment(0)->url == "https://fast.example/a/b/q/r/s1.m4s");
  CHECK(ix.segment(0, 1)->url == "https://slow.example/a/b/q/r/s1.m4s");
  CHECK_FALSE(ix.segment(0, 2));
}

TEST_CASE("absolute BaseURL replaces the document URL: none keeps it", "[manifest][index]") {
  auto ix = index_of(
      vod(R"(<BaseURL>http://other.example/x/</BaseURL><SegmentTemplate duration="5" media="$Number$.ts"/>)"));
  CHECK(ix.segment(1)->url == "http://other.example/x/2.ts");
}

TEST_CASE("SegmentList with @duration, mediaRange and Initialization", "[manifest][index]") {
  auto ix = index_of(vod(R"(<BaseURL>media.mp4</BaseURL><SegmentList timescale="1" duration="4">
      <Initialization sourceURL="init.mp4" range="0-99"/>
      <SegmentURL media="a.m4s"/><SegmentURL mediaRange="100-199"/><SegmentURL media="c.m4s" mediaRange="5-9"/>
    </SegmentList>)"));
  CHECK(ix.addressing() == SegmentIndex::Addressing::kListDuration);
  REQUIRE(ix.count() == 3u);
  CHECK(ix.init()->url == "https://cdn.example/live/init.mp4");
  CHECK(ix.init()->range == ByteRange{0, 99});
  CHECK(ix.segment(0)->url == "https://cdn.example/live/a.m4s");
  CHECK(ix.segment(1)->url == "https://cdn.example/live/media.mp4");
  CHECK(ix.segment(1)->range == ByteRange{100, 199});
  CHECK(ix.segment(2)->start == seconds(8));
}

TEST_CASE("SegmentList count is bounded by its SegmentURLs", "[manifest][index]") {
  auto ix = index_of(vod(R"(<SegmentList duration="1"><SegmentURL media="a"/><SegmentURL media="b"/></SegmentList>)"));
  CHECK(ix.count() == 2u);
}

TEST_CASE("SegmentBase@indexRange: sidx bytes become the segment list", "[manifest][index]") {
  auto ix = index_of(vod(R"(<BaseURL>video.mp4</BaseURL><SegmentBase indexRange="800-999" timescale="1000"/>)"));
  CHECK(ix.addressing() == SegmentIndex::Addressing::kBaseIndexed);
  CHECK(ix.needs_index());
  CHECK_FALSE(ix.count());
  CHECK(ix.index_request()->url == "https://cdn.example/live/video.mp4");
  CHECK(ix.index_request()->range == ByteRange{800, 999});
  CHECK(ix.init()->range == ByteRange{0, 799});
  auto box = abrplay::test::make_sidx(0, 1000, 0, 0, {{5000, 4000}, {6000, 4000}, {1000, 2000}});
  auto loaded = ix.load_index(box);
  REQUIRE(loaded);
  CHECK(*loaded == 3);
  CHECK_FALSE(ix.needs_index());
  REQUIRE(ix.count() == 3u);
  uint64_t first = 800 + box.size();
  CHECK(ix.segment(0)->range == ByteRange{first, first + 4999});
  CHECK(ix.segment(2)->range == ByteRange{first + 11000, first + 11999});
  CHECK(ix.segment(2)->start == seconds(8));
  CHECK(ix.segment(0)->url == "https://cdn.example/live/video.mp4");
  std::vector<uint8_t> junk(10, 0xff);
  CHECK(ix.load_index(junk).error().code == ErrorCode::kManifestBadIndex);
}

TEST_CASE("no segment information: the BaseURL is one segment spanning the period", "[manifest][index]") {
  auto ix = index_of(vod(R"(<BaseURL>subs.vtt</BaseURL>)"));
  CHECK(ix.addressing() == SegmentIndex::Addressing::kSingle);
  REQUIRE(ix.count() == 1u);
  CHECK(ix.segment(0)->url == "https://cdn.example/live/subs.vtt");
  CHECK(ix.segment(0)->duration == seconds(10));
  CHECK_FALSE(ix.init());
}

TEST_CASE("limits: r values making billions of segments are refused", "[manifest][index][bad]") {
  Error e = index_error(vod(timeline(R"(<S t="0" d="1" r="4000000000"/>)")));
  CHECK(e.code == ErrorCode::kManifestLimitExceeded);
  CHECK(e.message.find("S[0]@r") != std::string::npos);
  e = index_error(vod(timeline(R"(<S t="18446744073709551000" d="1000" r="5"/>)")));
  CHECK(e.code == ErrorCode::kManifestInvalidValue);
  e = index_error(
      vod(R"(<SegmentTemplate timescale="4000000000" duration="1" media="$Number$"/>)", R"(duration="P100Y")"));
  CHECK(e.code == ErrorCode::kManifestLimitExceeded);
}

TEST_CASE("a template needing a missing @id or @bandwidth is refused", "[manifest][index][bad]") {
  Error e = index_error(R"(<MPD mediaPresentationDuration="PT4S"><Period><AdaptationSet>
    <Representation><SegmentTemplate duration="2" media="$RepresentationID$/$Number$"/></Representation>
    </AdaptationSet></Period></MPD>)");
  CHECK(e.code == ErrorCode::kManifestMissingAttribute);
  CHECK(e.message.find("Representation[0]@id") != std::string::npos);
}

TEST_CASE("live @duration template: availability window from the wall clock", "[manifest][index][live]") {
  auto ix = index_of(R"(<MPD type="dynamic" availabilityStartTime="2024-01-01T00:00:00Z" timeShiftBufferDepth="PT10S">
    <Period start="PT0S"><AdaptationSet><Representation id="v" bandwidth="1">
      <SegmentTemplate timescale="1" duration="2" startNumber="1" media="$Number$.m4s"/>
    </Representation></AdaptationSet></Period></MPD>)");
  CHECK(ix.is_dynamic());
  CHECK_FALSE(ix.count());
  WallTime ast = *parse_xs_datetime("2024-01-01T00:00:00Z");
  CHECK_FALSE(ix.available(ast + seconds(1)));  // the first segment ends at 2 s
  auto w = ix.available(ast + seconds(2));
  REQUIRE(w);
  CHECK(w->first == 0);
  CHECK(w->last == 0);
  w = ix.available(ast + seconds(61));  // segments ending at 2..60 s; window keeps ends >= 51 s
  REQUIRE(w);
  CHECK(w->last == 29);   // ends at 60 s
  CHECK(w->first == 25);  // ends at 52 s (the one ending at 50 s left the window)
  CHECK(ix.segment(w->last)->url == "https://cdn.example/live/30.m4s");
}

TEST_CASE("low-latency live: availabilityTimeComplete=false marks chunked segments, published early by the offset",
          "[manifest][index][live]") {
  auto live = [](const std::string& mpd_type, const std::string& attrs) {
    return index_of(R"(<MPD type=")" + mpd_type + R"(" availabilityStartTime="2024-01-01T00:00:00Z" )" +
                    R"(mediaPresentationDuration="PT60S"><Period start="PT0S"><AdaptationSet>)" +
                    R"(<SegmentTemplate timescale="1" duration="4" startNumber="1" media="$Number$.m4s" )" + attrs +
                    R"(/><Representation id="v" bandwidth="1"/></AdaptationSet></Period></MPD>)");
  };
  const auto ll = live("dynamic", R"(availabilityTimeOffset="3" availabilityTimeComplete="false")");
  CHECK(ll.chunked());
  const WallTime ast = *parse_xs_datetime("2024-01-01T00:00:00Z");
  CHECK_FALSE(ll.available(ast + milliseconds(999)));
  REQUIRE(ll.available(ast + seconds(1)));  // segment [0, 4) with its first 1 s chunk
  CHECK(ll.available(ast + seconds(1))->last == 0);
  CHECK_FALSE(live("dynamic", R"(availabilityTimeOffset="3")").chunked());  // complete by default
  CHECK_FALSE(live("dynamic", R"(availabilityTimeComplete="true")").chunked());
  CHECK_FALSE(live("static", R"(availabilityTimeComplete="false")").chunked());  // VOD: nothing is in progress
}

TEST_CASE("live SegmentTimeline with a trailing r=-1 grows with the clock", "[manifest][index][live]") {
  auto ix = index_of(R"(<MPD type="dynamic" availabilityStartTime="2024-01-01T00:00:00Z">
    <Period start="PT100S"><AdaptationSet><Representation id="v" bandwidth="1">
      <SegmentTemplate timescale="10" presentationTimeOffset="500" media="$Time$">
        <SegmentTimeline><S t="500" d="20" r="1"/><S d="40" r="-1"/></SegmentTimeline></SegmentTemplate>
    </Representation></AdaptationSet></Period></MPD>)");
  CHECK_FALSE(ix.count());
  WallTime ast = *parse_xs_datetime("2024-01-01T00:00:00Z");
  // Period starts 100 s after AST; segments end at 2, 4, 8, 12, ... s into the period.
  CHECK_FALSE(ix.available(ast + seconds(101)));
  CHECK(ix.available(ast + seconds(104))->last == 1);
  CHECK(ix.available(ast + seconds(111))->last == 2);
  CHECK(ix.available(ast + seconds(112))->last == 3);
  CHECK(ix.segment(3)->time == 580);
  CHECK(ix.segment(3)->start == seconds(108));
}

TEST_CASE("availabilityTimeOffset makes segments available early", "[manifest][index][live]") {
  auto ix = index_of(R"(<MPD type="dynamic" availabilityStartTime="2024-01-01T00:00:00Z">
    <Period start="PT0S"><AdaptationSet><Representation id="v" bandwidth="1">
      <SegmentTemplate timescale="1" duration="4" availabilityTimeOffset="3" media="$Number$"/>
    </Representation></AdaptationSet></Period></MPD>)");
  WallTime ast = *parse_xs_datetime("2024-01-01T00:00:00Z");
  CHECK_FALSE(ix.available(ast + milliseconds(999)));
  CHECK(ix.available(ast + seconds(1))->last == 0);
}

TEST_CASE("static MPD: everything is available", "[manifest][index]") {
  auto ix = index_of(vod(R"(<SegmentTemplate duration="5" media="$Number$"/>)"));
  auto w = ix.available(WallTime{});
  REQUIRE(w);
  CHECK(w->first == 0);
  CHECK(w->last == 1);
}

TEST_CASE("SegmentBase and SegmentList inherit from the AdaptationSet and Period", "[manifest][index]") {
  auto base = index_of(R"(<MPD mediaPresentationDuration="PT4S"><Period><AdaptationSet>
      <SegmentBase timescale="1000"><Initialization range="0-499"/></SegmentBase>
      <Representation id="r" bandwidth="1"><BaseURL>v.mp4</BaseURL><SegmentBase indexRange="500-699"/></Representation>
    </AdaptationSet></Period></MPD>)");
  CHECK(base.addressing() == SegmentIndex::Addressing::kBaseIndexed);
  CHECK(base.init()->range == ByteRange{0, 499});  // from the AdaptationSet
  CHECK(base.index_request()->range == ByteRange{500, 699});
  CHECK(base.timescale() == 1000);

  auto list = index_of(R"(<MPD mediaPresentationDuration="PT4S"><Period>
      <SegmentList timescale="2" duration="4"><Initialization sourceURL="i.mp4"/></SegmentList>
      <AdaptationSet><Representation id="r" bandwidth="1">
        <SegmentList><SegmentURL media="a"/><SegmentURL media="b"/></SegmentList></Representation>
    </AdaptationSet></Period></MPD>)");
  CHECK(list.count() == 2u);
  CHECK(list.segment(1)->start == seconds(2));
  CHECK(list.init()->url == "https://cdn.example/live/i.mp4");
}

TEST_CASE("SegmentList with a SegmentTimeline", "[manifest][index]") {
  auto ix = index_of(
      vod(R"(<SegmentList timescale="10"><SegmentTimeline><S t="0" d="30" r="1"/><S d="40"/></SegmentTimeline>
      <SegmentURL media="a"/><SegmentURL media="b"/><SegmentURL media="c"/></SegmentList>)"));
  CHECK(ix.addressing() == SegmentIndex::Addressing::kListTimeline);
  REQUIRE(ix.count() == 3u);
  CHECK(ix.segment(2)->url == "https://cdn.example/live/c");
  CHECK(ix.segment(2)->start == seconds(6));
  CHECK(ix.segment(2)->duration == seconds(4));
}

TEST_CASE("live channel with availabilityStartTime in 1970: positions far beyond the closed-count limit",
          "[manifest][index][live]") {
  auto ix = index_of(R"(<MPD type="dynamic" availabilityStartTime="1970-01-01T00:00:00Z" timeShiftBufferDepth="PT30S">
    <Period start="PT0S"><AdaptationSet><Representation id="v" bandwidth="1">
      <SegmentTemplate timescale="1000000" duration="2000000" media="$Number%05d$.m4s"/>
    </Representation></AdaptationSet></Period></MPD>)");
  WallTime now = *parse_xs_datetime("2024-01-01T00:00:01Z");  // 1,704,067,201 s after AST
  auto w = ix.available(now);
  REQUIRE(w);
  CHECK(w->last == 852'033'599);   // the segment ending at 1,704,067,200 s
  CHECK(w->first == 852'033'585);  // ends >= now - 30 s
  CHECK(ix.segment(w->last)->url == "https://cdn.example/live/852033600.m4s");
  CHECK(ix.segment(w->last)->start == seconds(1'704'067'198));
  CHECK(ix.segment_at(seconds(1'704'067'199))->position == w->last);
}
