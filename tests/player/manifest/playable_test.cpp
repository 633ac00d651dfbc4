#include <catch2/catch.hpp>

#include "abrplay/player/manifest/parser.h"
#include "abrplay/player/manifest/playable.h"

using namespace abrplay;
using namespace abrplay::manifest;

namespace {
Mpd parse_ok(const std::string& xml) {
  auto r = parse_mpd(xml);
  if (!r) FAIL(r.error().describe());
  return std::move(r).value();
}
}  // namespace

TEST_CASE("unknown EssentialProperty excludes its element: known ones do not", "[manifest][playable]") {
  Mpd mpd = parse_ok(R"(<MPD mediaPresentationDuration="PT4S"><Period>
    <AdaptationSet id="trick"><EssentialProperty schemeIdUri="http://dashif.org/guidelines/trickmode" value="1"/>
      <Representation id="t" bandwidth="1"/></AdaptationSet>
    <AdaptationSet id="main">
      <Representation id="hdr" bandwidth="2"><EssentialProperty schemeIdUri="urn:mpeg:mpegB:cicp:TransferCharacteristics" value="16"/></Representation>
      <Representation id="odd" bandwidth="3"><EssentialProperty schemeIdUri="urn:example:unknown"/></Representation>
    </AdaptationSet></Period></MPD>)");
  CHECK(mpd.periods[0].adaptation_sets[1].representations[1].excluded_reason ==
        "EssentialProperty with unknown scheme 'urn:example:unknown'");
  auto p = make_playable(mpd);
  REQUIRE(p);
  REQUIRE(p->periods[0].adaptation_sets.size() == 1);
  CHECK(p->periods[0].adaptation_sets[0].id == "main");
  REQUIRE(p->periods[0].adaptation_sets[0].representations.size() == 1);
  CHECK(p->periods[0].adaptation_sets[0].representations[0].id == "hdr");
}

TEST_CASE("encrypted content is parsed, then refused by make_playable", "[manifest][playable]") {
  Mpd mpd = parse_ok(R"(<MPD mediaPresentationDuration="PT4S"><Period><AdaptationSet>
    <Representation id="v" bandwidth="1">
      <ContentProtection schemeIdUri="urn:uuid:edef8ba9-79d6-4ace-a3c8-27dcd51d21ed"/></Representation>
    </AdaptationSet></Period></MPD>)");
  CHECK(mpd.periods[0].adaptation_sets[0].encrypted());
  auto p = make_playable(mpd);
  REQUIRE_FALSE(p);
  CHECK(p.error().code == ErrorCode::kManifestEncrypted);
  CHECK(p.error().message.find("MPD/Period[0]/AdaptationSet[0]/Representation[0]/ContentProtection") !=
        std::string::npos);
}

TEST_CASE("remote xlink periods are refused: resolve-to-zero is dropped", "[manifest][playable]") {
  std::string head = R"(<MPD xmlns:xlink="http://www.w3.org/1999/xlink" mediaPresentationDuration="PT4S">
    <Period duration="PT4S"><AdaptationSet><Representation id="v" bandwidth="1"/></AdaptationSet></Period>)";
  auto p = make_playable(parse_ok(head + R"(<Period xlink:href="urn:mpeg:dash:resolve-to-zero:2013"/></MPD>)"));
  REQUIRE(p);
  CHECK(p->periods.size() == 1);
  p = make_playable(parse_ok(head + R"(<Period xlink:href="https://ads.example/p.xml"/></MPD>)"));
  REQUIRE_FALSE(p);
  CHECK(p.error().code == ErrorCode::kManifestUnsupported);
}

TEST_CASE("a period with nothing left is kManifestNoPlayableContent", "[manifest][playable]") {
  auto p = make_playable(parse_ok(R"(<MPD mediaPresentationDuration="PT4S"><Period><AdaptationSet>
    <EssentialProperty schemeIdUri="urn:x"/><Representation id="v" bandwidth="1"/></AdaptationSet></Period></MPD>)"));
  REQUIRE_FALSE(p);
  CHECK(p.error().code == ErrorCode::kManifestNoPlayableContent);
}
