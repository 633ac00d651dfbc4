// XlinkResolver: remote Periods, AdaptationSets and SegmentLists put in place, and every way a
// remote element can be unusable (loops, depth, size, kind, scheme, fetch failure) left out with a
// warning that names the element, the URL and the reason.
#include <catch2/catch.hpp>

#include <map>

#include "abrplay/player/manifest/parser.h"
#include "abrplay/player/manifest/xlink.h"

using namespace abrplay;
using namespace abrplay::manifest;

namespace {

const std::string kMpdUrl = "https://origin.example/v/manifest.mpd";

std::string mpd_with(const std::string& periods) {
  return R"(<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" xmlns:xlink="http://www.w3.org/1999/xlink"
    type="static" mediaPresentationDuration="PT8S">)" +
         periods + "</MPD>";
}

const std::string kLocalPeriod = R"(<Period id="main" duration="PT4S"><AdaptationSet mimeType="video/mp4">
  <SegmentTemplate media="v$Number$.m4s" duration="2"/><Representation id="v" bandwidth="1000"/>
  </AdaptationSet></Period>)";

std::string remote_period(const std::string& id) {
  return R"(<Period id=")" + id + R"(" duration="PT4S"><AdaptationSet mimeType="video/mp4">
  <SegmentTemplate media="ad$Number$.m4s" duration="2"/><Representation id="ad" bandwidth="500"/>
  </AdaptationSet></Period>)";
}

// Answers every request from `documents` (by URL; absent: a 404), until done; returns the URLs asked.
std::vector<std::string> serve(XlinkResolver& r, const std::map<std::string, std::string>& documents) {
  std::vector<std::string> asked;
  for (int round = 0; !r.done() && round < 100; ++round) {
    for (const XlinkRequest& q : r.take_requests()) {
      asked.push_back(q.url);
      auto it = documents.find(q.url);
      if (it == documents.end()) {
        r.supply(q.id, Unexpected{"HTTP 404 for " + q.url});
      } else {
        r.supply(q.id, it->second);
      }
    }
  }
  REQUIRE(r.done());
  return asked;
}

Mpd parse(const XlinkResolver& r) {
  ParseOptions opt;
  opt.document_url = kMpdUrl;
  auto mpd = parse_mpd(r.text(), opt);
  INFO(r.text());
  REQUIRE(mpd);
  return *mpd;
}

bool warned(const XlinkResolver& r, const std::string& a, const std::string& b) {
  for (const std::string& w : r.warnings())
    if (w.find(a) != std::string::npos && w.find(b) != std::string::npos) return true;
  return false;
}

}  // namespace

TEST_CASE("xlink: an MPD without remote elements is passed through untouched", "[manifest][xlink]") {
  const std::string text = mpd_with(kLocalPeriod);
  XlinkResolver r(text, kMpdUrl, net::FileAccess::kRefused);
  CHECK(r.done());
  CHECK(r.take_requests().empty());
  CHECK_FALSE(r.resolved_any());
  CHECK(r.text() == text);
}

TEST_CASE("xlink: a remote Period (onLoad) and one with two Periods are put in place, in order", "[manifest][xlink]") {
  XlinkResolver r(mpd_with(kLocalPeriod +
                           R"(<Period xlink:href="ads/pre.xml" xlink:actuate="onLoad"/>
                              <Period xlink:href="https://ads.example/two.xml" xlink:actuate="onRequest"/>)"),
                  kMpdUrl, net::FileAccess::kRefused);
  auto asked = serve(r, {{"https://origin.example/v/ads/pre.xml", remote_period("pre")},
                         {"https://ads.example/two.xml",
                          "<?xml version='1.0'?>\n<!-- two -->" + remote_period("a") + "\n" + remote_period("b")}});
  CHECK(asked == std::vector<std::string>{"https://origin.example/v/ads/pre.xml", "https://ads.example/two.xml"});
  CHECK(r.warnings().empty());
  Mpd mpd = parse(r);
  REQUIRE(mpd.periods.size() == 4);
  CHECK(mpd.periods[0].id == "main");
  CHECK(mpd.periods[1].id == "pre");
  CHECK(mpd.periods[2].id == "a");
  CHECK(mpd.periods[3].id == "b");
  CHECK(mpd.periods[3].start == std::chrono::seconds(12));
  CHECK(mpd.periods[1].adaptation_sets[0].representations[0].id == "ad");
}

TEST_CASE("xlink: remote AdaptationSets and SegmentLists: nested links resolve against their own document",
          "[manifest][xlink]") {
  XlinkResolver r(mpd_with(R"(<Period duration="PT4S">
      <AdaptationSet xlink:href="https://sets.example/p/video.xml"/>
      <AdaptationSet mimeType="audio/mp4"><Representation id="a" bandwidth="64000">
        <SegmentList xlink:href="lists/a.xml"/></Representation></AdaptationSet></Period>)"),
                  kMpdUrl, net::FileAccess::kRefused);
  auto asked =
      serve(r, {{"https://sets.example/p/video.xml",
                 R"(<AdaptationSet mimeType="video/mp4" xmlns:xl="http://www.w3.org/1999/xlink">
             <Representation id="v" bandwidth="1000"><SegmentList xl:href="v-list.xml"/></Representation>
           </AdaptationSet>)"},
                {"https://sets.example/p/v-list.xml",
                 R"(<SegmentList duration="2"><SegmentURL media="v1.m4s"/><SegmentURL media="v2.m4s"/></SegmentList>)"},
                {"https://origin.example/v/lists/a.xml",
                 R"(<SegmentList duration="4"><SegmentURL media="a1.m4s"/></SegmentList>)"}});
  CHECK(asked.size() == 3);
  CHECK(r.warnings().empty());
  Mpd mpd = parse(r);
  const auto& sets = mpd.periods[0].adaptation_sets;
  REQUIRE(sets.size() == 2);
  CHECK(sets[0].representations[0].id == "v");
  REQUIRE(sets[0].representations[0].segments.list);
  CHECK(sets[0].representations[0].segments.list->segment_urls.size() == 2);
  REQUIRE(sets[1].representations[0].segments.list);
  CHECK(sets[1].representations[0].segments.list->segment_urls[0].url == "a1.m4s");
}

TEST_CASE("xlink: resolve-to-zero removes the element without a request", "[manifest][xlink]") {
  XlinkResolver r(mpd_with(kLocalPeriod + R"(<Period xlink:href="urn:mpeg:dash:resolve-to-zero:2013"/>)"), kMpdUrl,
                  net::FileAccess::kRefused);
  CHECK(r.take_requests().empty());
  CHECK(r.done());
  CHECK(parse(r).periods.size() == 1);
  // A remote document may also hold nothing at all.
  XlinkResolver empty(mpd_with(kLocalPeriod + R"(<Period xlink:href="none.xml"/>)"), kMpdUrl,
                      net::FileAccess::kRefused);
  serve(empty, {{"https://origin.example/v/none.xml", "  <!-- no ad this time -->\n"}});
  CHECK(empty.warnings().empty());
  CHECK(parse(empty).periods.size() == 1);
}

TEST_CASE("xlink: unusable remote elements are left out with a warning, and the rest plays", "[manifest][xlink][bad]") {
  const std::string bad = mpd_with(kLocalPeriod + R"(
      <Period xlink:href="loop.xml"/>
      <Period xlink:href="deep0.xml"/>
      <Period xlink:href="wrong.xml"/>
      <Period xlink:href="broken.xml"/>
      <Period xlink:href="huge.xml"/>
      <Period xlink:href="missing.xml"/>
      <Period xlink:href="file:///etc/passwd"/>
      <Period xlink:href="ftp://ads.example/x.xml"/>
      <Period xlink:href="data:text/xml,%3CPeriod/%3E"/>
      <Period xlink:href="manifest.mpd"/>)");
  std::map<std::string, std::string> docs;
  const std::string base = "https://origin.example/v/";
  docs[base + "loop.xml"] = R"(<Period xmlns:xlink="http://www.w3.org/1999/xlink" xlink:href="loop.xml"/>)";
  for (int i = 0; i < 10; ++i)
    docs[base + "deep" + std::to_string(i) + ".xml"] =
        R"(<Period xmlns:xlink="http://www.w3.org/1999/xlink" xlink:href="deep)" + std::to_string(i + 1) + R"(.xml"/>)";
  docs[base + "wrong.xml"] = R"(<AdaptationSet mimeType="video/mp4"/>)";
  docs[base + "broken.xml"] = "<Period><AdaptationSet></Period>";
  docs[base + "huge.xml"] = "<Period>" + std::string(2u << 20, ' ') + "</Period>";
  docs[kMpdUrl] = mpd_with(kLocalPeriod);
  XlinkResolver r(bad, kMpdUrl, net::FileAccess::kRefused);
  auto asked = serve(r, docs);
  for (const std::string& u : asked) CHECK(u.rfind("https://origin.example/v/", 0) == 0);  // never file/ftp/data
  CHECK(warned(r, "MPD/Period[1]@xlink:href 'https://origin.example/v/loop.xml'", "a loop"));
  CHECK(warned(r, "deep4.xml", "nested deeper than 4"));
  CHECK(warned(r, "wrong.xml", "holds <AdaptationSet> where only <Period> elements may be"));
  CHECK(warned(r, "broken.xml", "malformed XML at byte"));
  CHECK(warned(r, "huge.xml", "exceeds the limit of 1048576"));
  CHECK(warned(r, "missing.xml", "HTTP 404"));
  CHECK(warned(r, "'file:///etc/passwd'", "only http(s) and relative references are followed"));
  CHECK(warned(r, "'ftp://ads.example/x.xml'", "only http(s)"));
  CHECK(warned(r, "'data:text/xml", "only http(s)"));
  CHECK(warned(r, "manifest.mpd'", "a loop"));
  for (const std::string& w : r.warnings()) CHECK(w.find("the Period is left out") != std::string::npos);
  Mpd mpd = parse(r);
  REQUIRE(mpd.periods.size() == 1);  // what was left: the local period
  CHECK(mpd.periods[0].id == "main");
}

TEST_CASE("xlink: the number of remote documents is bounded", "[manifest][xlink][bad]") {
  std::string periods;
  for (int i = 0; i < 70; ++i) periods += R"(<Period xlink:href="p)" + std::to_string(i) + R"(.xml"/>)";
  XlinkResolver r(mpd_with(periods), kMpdUrl, net::FileAccess::kRefused);
  std::map<std::string, std::string> docs;
  for (int i = 0; i < 70; ++i) docs["https://origin.example/v/p" + std::to_string(i) + ".xml"] = remote_period("x");
  auto asked = serve(r, docs);
  CHECK(asked.size() == 64);
  CHECK(r.warnings().size() == 6);
  CHECK(warned(r, "MPD/Period[", "more than 64 remote documents"));
  CHECK(parse(r).periods.size() == 64);
}

TEST_CASE("xlink: every remote element unusable leaves an MPD without a Period, which fails to parse",
          "[manifest][xlink][bad]") {
  XlinkResolver r(mpd_with(R"(<Period xlink:href="gone.xml"/>)"), kMpdUrl, net::FileAccess::kRefused);
  serve(r, {});
  CHECK(warned(r, "MPD/Period[0]@xlink:href", "HTTP 404"));
  auto mpd = parse_mpd(r.text());
  REQUIRE_FALSE(mpd);
  CHECK(mpd.error().message.find("the MPD has no Period") != std::string::npos);
}

TEST_CASE("xlink: a local MPD's relative references read local files: an absolute file: URL never",
          "[manifest][xlink][security]") {
  const std::string text = mpd_with(R"(<Period xlink:href="ads/pre.xml"/><Period xlink:href="file:///etc/x.xml"/>)");
  XlinkResolver local(text, "file:///media/show/manifest.mpd", net::FileAccess::kAllowed);
  auto q = local.take_requests();
  REQUIRE(q.size() == 1);
  CHECK(q[0].url == "file:///media/show/ads/pre.xml");
  CHECK(warned(local, "file:///etc/x.xml", "only http(s) and relative"));
  // The same text over http(s): relative resolves to http(s); a redirect-free way to file: does not exist.
  XlinkResolver remote(text, kMpdUrl, net::FileAccess::kRefused);
  q = remote.take_requests();
  REQUIRE(q.size() == 1);
  CHECK(q[0].url == "https://origin.example/v/ads/pre.xml");
}

TEST_CASE("xlink: malformed MPD text is passed on for the parser to report", "[manifest][xlink][bad]") {
  const std::string text = R"(<MPD><Period xlink:href="a.xml"></MPD>)";
  XlinkResolver r(text, kMpdUrl, net::FileAccess::kRefused);
  CHECK(r.done());
  CHECK(r.text() == text);
  CHECK(parse_mpd(r.text()).error().code == ErrorCode::kManifestMalformedXml);
}
