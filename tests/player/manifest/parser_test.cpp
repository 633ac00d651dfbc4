// parse_mpd on inline manifests: the model, inheritance of common attributes, and bad input.
#include <catch2/catch.hpp>

#include <algorithm>

#include "abrplay/player/manifest/parser.h"

using namespace abrplay;
using namespace abrplay::manifest;
using std::chrono::seconds;

namespace {

const char* kFull = R"(<?xml version="1.0"?>
<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" xmlns:dvb="urn:dvb:dash:dash-extensions:2014-1"
     xmlns:cenc="urn:mpeg:cenc:2013" xmlns:xlink="http://www.w3.org/1999/xlink"
     type="dynamic" profiles="urn:mpeg:dash:profile:isoff-live:2011"
     availabilityStartTime="2024-01-01T00:00:00Z" publishTime="2024-01-01T00:10:00Z"
     minimumUpdatePeriod="PT2S" timeShiftBufferDepth="PT1M" suggestedPresentationDelay="PT6S"
     minBufferTime="PT1.5S" maxSegmentDuration="PT4S">
  <BaseURL serviceLocation="a" dvb:priority="2" dvb:weight="10">https://a.example/</BaseURL>
  <BaseURL serviceLocation="b" dvb:priority="1" dvb:weight="5">https://b.example/</BaseURL>
  <Location>https://example/live.mpd</Location>
  <UTCTiming schemeIdUri="urn:mpeg:dash:utc:http-iso:2014" value="https://time.example/"/>
  <Period id="p0" start="PT0S" duration="PT600S">
    <EventStream schemeIdUri="urn:scte:scte35:2013:xml" timescale="90000">
      <Event presentationTime="180000" duration="90000" id="3">payload</Event>
    </EventStream>
    <AdaptationSet id="1" contentType="video" mimeType="video/mp4" codecs="avc1.64001f"
                   frameRate="30000/1001" par="16:9" segmentAlignment="true" width="1280" height="720">
      <Role schemeIdUri="urn:mpeg:dash:role:2011" value="main"/>
      <Accessibility schemeIdUri="urn:scte:dash:cc:cea-608:2015" value="CC1=eng"/>
      <Label>Main camera</Label>
      <SupplementalProperty schemeIdUri="urn:mpeg:dash:adaptation-set-switching:2016" value="2"/>
      <InbandEventStream schemeIdUri="urn:mpeg:dash:event:2012" value="1"/>
      <Representation id="v1" bandwidth="800000" sar="1:1"/>
      <Representation id="v2" bandwidth="3000000" width="1920" height="1080" codecs="avc1.640028"
                      frameRate="60"/>
    </AdaptationSet>
    <AdaptationSet id="2" mimeType="audio/mp4" lang="fr" audioSamplingRate="48000">
      <AudioChannelConfiguration schemeIdUri="urn:mpeg:dash:23003:3:audio_channel_configuration:2011" value="2"/>
      <ContentProtection schemeIdUri="urn:mpeg:dash:mp4protection:2011" value="cenc"
                         cenc:default_KID="11111111-2222-3333-4444-555555555555"/>
      <Representation id="a1" bandwidth="128000" codecs="mp4a.40.2"/>
    </AdaptationSet>
    <AdaptationSet id="3" mimeType="image/jpeg">
      <EssentialProperty schemeIdUri="http://dashif.org/guidelines/thumbnail_tile" value="10x1"/>
      <Representation id="t" bandwidth="1000"/>
    </AdaptationSet>
  </Period>
  <Period id="p1" xlink:href="https://ads.example/period.xml" xlink:actuate="onLoad"/>
</MPD>)";

Error parse_error(const std::string& xml) {
  auto r = parse_mpd(xml);
  REQUIRE_FALSE(r);
  return r.error();
}

std::string mpd_with_rep(const std::string& rep_attrs) {
  return R"(<MPD type="static" mediaPresentationDuration="PT10S"><Period><AdaptationSet><Representation )" + rep_attrs +
         R"(/></AdaptationSet></Period></MPD>)";
}

}  // namespace

TEST_CASE("MPD-level attributes are parsed", "[manifest][parser]") {
  auto r = parse_mpd(kFull);
  REQUIRE(r);
  const Mpd& m = *r;
  CHECK(m.is_dynamic());
  CHECK(format_datetime(*m.availability_start_time) == "2024-01-01T00:00:00Z");
  CHECK(format_datetime(*m.publish_time) == "2024-01-01T00:10:00Z");
  CHECK(*m.minimum_update_period == seconds(2));
  CHECK(*m.time_shift_buffer_depth == seconds(60));
  CHECK(*m.suggested_presentation_delay == seconds(6));
  CHECK(*m.min_buffer_time == std::chrono::milliseconds(1500));
  CHECK(*m.max_segment_duration == seconds(4));
  REQUIRE(m.base_urls.size() == 2);
  CHECK(m.base_urls[0].service_location == "a");
  CHECK(m.base_urls[0].dvb_priority == 2);
  CHECK(m.base_urls[0].dvb_weight == 10);
  CHECK(m.locations == std::vector<std::string>{"https://example/live.mpd"});
  REQUIRE(m.utc_timings.size() == 1);
  CHECK(m.utc_timings[0].scheme_id_uri == "urn:mpeg:dash:utc:http-iso:2014");
}

TEST_CASE("Period, AdaptationSet and Representation attributes: common attributes inherit", "[manifest][parser]") {
  auto r = parse_mpd(kFull);
  REQUIRE(r);
  const Period& p = r->periods[0];
  REQUIRE(p.event_streams.size() == 1);
  CHECK(p.event_streams[0].timescale == 90000);
  CHECK(p.event_streams[0].events[0].presentation_time == 180000);
  CHECK(p.event_streams[0].events[0].message_data == "payload");
  const AdaptationSet& v = p.adaptation_sets[0];
  CHECK(v.content_type == "video");
  CHECK(v.frame_rate == FrameRate{30000, 1001});
  CHECK(v.par == "16:9");
  CHECK(v.segment_alignment);
  CHECK(v.roles[0].value == "main");
  CHECK(v.accessibility[0].value == "CC1=eng");
  CHECK(v.labels == std::vector<std::string>{"Main camera"});
  CHECK(v.supplemental_properties.size() == 1);
  CHECK(v.inband_event_streams[0].scheme_id_uri == "urn:mpeg:dash:event:2012");
  const Representation& v1 = v.representations[0];
  CHECK(v1.bandwidth.bps() == 800000);
  CHECK(v1.codecs == "avc1.64001f");  // inherited
  CHECK(v1.width == 1280u);
  CHECK(v1.frame_rate == FrameRate{30000, 1001});
  CHECK(v1.sar == "1:1");
  const Representation& v2 = v.representations[1];
  CHECK(v2.codecs == "avc1.640028");  // own value wins
  CHECK(v2.width == 1920u);
  CHECK(v2.frame_rate == FrameRate{60, 1});
  const AdaptationSet& a = p.adaptation_sets[1];
  CHECK(a.content_type == "audio");  // derived from mimeType
  CHECK(a.lang == "fr");
  CHECK(a.representations[0].audio_sampling_rate == 48000u);
  CHECK(a.representations[0].audio_channel_configuration[0].value == "2");
  CHECK(a.encrypted());
  CHECK(a.content_protection[0].default_kid == "11111111-2222-3333-4444-555555555555");
  CHECK(a.excluded_reason.empty());
  // A thumbnail set is understood (not excluded); this one has no image size, so no tiles.
  CHECK(p.adaptation_sets[2].excluded_reason.empty());
  CHECK(p.adaptation_sets[2].content_type == "image");
  CHECK(p.adaptation_sets[2].representations[0].thumbnail_problem == "thumbnail image without @width");
  CHECK(r->periods[1].xlink_href == "https://ads.example/period.xml");
  CHECK(r->periods[1].xlink_actuate == "onLoad");
}

TEST_CASE("period timeline: start from @start, previous @duration, or 0: duration from the next start",
          "[manifest][parser]") {
  auto r = parse_mpd(R"(<MPD type="static" mediaPresentationDuration="PT100S">
    <Period duration="PT30S"/><Period/><Period start="PT70S"/></MPD>)");
  REQUIRE(r);
  CHECK(r->periods[0].start == seconds(0));
  CHECK(r->periods[1].start == seconds(30));
  CHECK(*r->periods[1].duration == seconds(40));
  CHECK(r->periods[2].start == seconds(70));
  CHECK(*r->periods[2].duration == seconds(30));
  CHECK(*r->total_duration() == seconds(100));
}

TEST_CASE("malformed XML reports line, column and byte offset", "[manifest][parser][bad]") {
  Error e = parse_error("<MPD>\n  <Period>\n  </Perio>\n</MPD>");
  CHECK(e.code == ErrorCode::kManifestMalformedXml);
  CHECK(e.message.find("line 3") != std::string::npos);
  CHECK(e.message.find("byte ") != std::string::npos);
  CHECK(parse_error("").code == ErrorCode::kManifestMalformedXml);
  CHECK(parse_error("<NotMpd/>").code == ErrorCode::kManifestInvalidValue);
}

TEST_CASE("bad attribute values name the element path", "[manifest][parser][bad]") {
  Error e = parse_error(mpd_with_rep(R"(id="x" bandwidth="lots")"));
  CHECK(e.code == ErrorCode::kManifestInvalidValue);
  CHECK(e.message.rfind("MPD/Period[0]/AdaptationSet[0]/Representation[0]@bandwidth:", 0) == 0);
  e = parse_error(R"(<MPD mediaPresentationDuration="-PT5S"><Period/></MPD>)");
  CHECK(e.message.find("MPD@mediaPresentationDuration: duration '-PT5S' is negative") != std::string::npos);
  e = parse_error(R"(<MPD mediaPresentationDuration="P99999Y"><Period/></MPD>)");
  CHECK(e.message.find("absurd") != std::string::npos);
  e = parse_error(R"(<MPD type="live"><Period/></MPD>)");
  CHECK(e.message.find("MPD@type") != std::string::npos);
  e = parse_error(R"(<MPD type="dynamic"><Period/></MPD>)");
  CHECK(e.code == ErrorCode::kManifestMissingAttribute);
  CHECK(e.message.find("MPD@availabilityStartTime") != std::string::npos);
  e = parse_error(R"(<MPD><Period><SegmentTemplate timescale="0" duration="1" media="$Number$"/></Period></MPD>)");
  CHECK(e.message.find("MPD/Period[0]/SegmentTemplate@timescale: timescale 0") != std::string::npos);
}

TEST_CASE("liberal parsing: a malformed attribute playback does not need is a warning, and ignored",
          "[manifest][parser][bad]") {
  // The two examples of the issue: a duration without its P/T, and the two-value sampling rate the
  // schema allows (the second is a valid value, not a warning).
  auto mpd = parse_mpd(R"(<MPD type="static" mediaPresentationDuration="PT8S" maxSegmentDuration="2S"
      minBufferTime="1.5" publishTime="yesterday">
    <Period>
      <AdaptationSet mimeType="audio/mp4" audioSamplingRate="44100 22050" frameRate="twenty">
        <BaseURL dvb:priority="first" xmlns:dvb="urn:dvb:dash:dash-extensions:2014-1">a/</BaseURL>
        <SegmentTemplate media="$Number$.m4s" duration="2" availabilityTimeOffset="soon"/>
        <Representation id="a" bandwidth="64000" width="-1" height="10.5"/>
        <Representation id="b" bandwidth="96000" audioSamplingRate="fast"/>
      </AdaptationSet>
      <EventStream schemeIdUri="urn:x" timescale="0"><Event presentationTime="later" id="1"/></EventStream>
    </Period></MPD>)");
  REQUIRE(mpd);
  const auto& as = mpd->periods[0].adaptation_sets[0];
  CHECK_FALSE(mpd->max_segment_duration);
  CHECK_FALSE(mpd->min_buffer_time);
  CHECK_FALSE(mpd->publish_time);
  CHECK(as.audio_sampling_rate == 44100u);
  CHECK_FALSE(as.frame_rate);
  CHECK(as.representations[0].audio_sampling_rate == 44100u);  // inherited
  CHECK_FALSE(as.representations[0].width);
  CHECK_FALSE(as.representations[0].height);
  CHECK(as.representations[1].audio_sampling_rate == 44100u);  // its own malformed one ignored
  CHECK(as.base_urls[0].dvb_priority == 1);
  CHECK_FALSE(as.segments.templ->availability_time_offset_s);
  CHECK(mpd->periods[0].event_streams[0].timescale == 1);
  const std::vector<std::string> expected = {
      "MPD@publishTime:",
      "MPD@minBufferTime:",
      "MPD@maxSegmentDuration:",
      "MPD/Period[0]/EventStream[0]@timescale: timescale 0",
      "MPD/Period[0]/EventStream[0]/Event[0]@presentationTime: 'later'",
      "MPD/Period[0]/AdaptationSet[0]@frameRate: 'twenty'",
      "MPD/Period[0]/AdaptationSet[0]/BaseURL[0]@priority: 'first'",
      "MPD/Period[0]/AdaptationSet[0]/SegmentTemplate@availabilityTimeOffset: 'soon'",
      "MPD/Period[0]/AdaptationSet[0]/Representation[0]@width: '-1'",
      "MPD/Period[0]/AdaptationSet[0]/Representation[0]@height: '10.5'",
      "MPD/Period[0]/AdaptationSet[0]/Representation[1]@audioSamplingRate: 'fast'"};
  CHECK(mpd->warnings.size() == expected.size());
  for (const std::string& start : expected) {
    INFO(start);
    CHECK(std::count_if(mpd->warnings.begin(), mpd->warnings.end(), [&](const std::string& w) {
            return w.rfind(start, 0) == 0 && w.size() > start.size() + 10 && w.find("; ignored") != std::string::npos;
          }) == 1);
  }
  // A well-formed manifest has none.
  auto clean = parse_mpd(mpd_with_rep(R"(id="x" bandwidth="1" width="640" height="360")"));
  REQUIRE(clean);
  CHECK(clean->warnings.empty());
}

TEST_CASE("liberal parsing: what playback needs still refuses the manifest", "[manifest][parser][bad]") {
  // Bandwidth feeds the ABR, durations and timescales place every segment, ranges address bytes.
  CHECK(parse_error(mpd_with_rep(R"(id="x" bandwidth="lots")")).code == ErrorCode::kManifestInvalidValue);
  CHECK(parse_error(R"(<MPD mediaPresentationDuration="8S"><Period/></MPD>)")
            .message.find("MPD@mediaPresentationDuration") != std::string::npos);
  CHECK(parse_error(R"(<MPD><Period start="soon"/></MPD>)").message.find("MPD/Period[0]@start") != std::string::npos);
  CHECK(parse_error(R"(<MPD><Period><SegmentTemplate duration="x" media="$Number$"/></Period></MPD>)")
            .message.find("SegmentTemplate@duration") != std::string::npos);
  CHECK(parse_error(R"(<MPD><Period><SegmentBase indexRange="10"/></Period></MPD>)")
            .message.find("SegmentBase@indexRange") != std::string::npos);
  CHECK(parse_error(R"(<MPD type="dynamic" availabilityStartTime="now"><Period/></MPD>)")
            .message.find("MPD@availabilityStartTime") != std::string::npos);
  CHECK(parse_error(R"(<MPD type="dynamic" availabilityStartTime="2024-01-01T00:00:00Z"
      minimumUpdatePeriod="2"><Period/></MPD>)")
            .message.find("MPD@minimumUpdatePeriod") != std::string::npos);
  CHECK(parse_error(R"(<MPD type="dynamic" availabilityStartTime="2024-01-01T00:00:00Z"
      timeShiftBufferDepth="30s"><Period/></MPD>)")
            .message.find("MPD@timeShiftBufferDepth") != std::string::npos);
}

TEST_CASE("liberal parsing: the warnings of a hostile manifest are bounded", "[manifest][parser][bad]") {
  std::string reps;
  for (int i = 0; i < 500; ++i) reps += R"(<Representation id="r" bandwidth="1" width="w"/>)";
  auto mpd = parse_mpd(R"(<MPD mediaPresentationDuration="PT8S"><Period><AdaptationSet>)" + reps +
                       "</AdaptationSet></Period></MPD>");
  REQUIRE(mpd);
  REQUIRE(mpd->warnings.size() == 101);
  CHECK(mpd->warnings.back() == "400 more warnings not listed");
}

TEST_CASE("SegmentTimeline problems name the S element", "[manifest][parser][bad]") {
  auto mpd = [](const char* s) {
    return std::string(R"(<MPD><Period><AdaptationSet><SegmentTemplate media="$Time$"><SegmentTimeline>)") + s +
           "</SegmentTimeline></SegmentTemplate></AdaptationSet></Period></MPD>";
  };
  Error e = parse_error(mpd(R"(<S t="0" d="10"/><S r="2"/>)"));
  CHECK(e.code == ErrorCode::kManifestMissingAttribute);
  CHECK(e.message.find("AdaptationSet[0]/SegmentTemplate/SegmentTimeline/S[1]@d") != std::string::npos);
  e = parse_error(mpd(R"(<S d="0"/>)"));
  CHECK(e.message.find("S[0]@d: segment duration 0") != std::string::npos);
  e = parse_error(mpd(R"(<S d="5" r="-2"/>)"));
  CHECK(e.message.find("S[0]@r") != std::string::npos);
}

TEST_CASE("bad templates are refused at parse time", "[manifest][parser][bad]") {
  Error e = parse_error(
      R"(<MPD><Period><AdaptationSet><SegmentTemplate duration="2" media="seg-$Number%s$.m4s"/></AdaptationSet></Period></MPD>)");
  CHECK(e.code == ErrorCode::kManifestBadTemplate);
  CHECK(e.message.find("MPD/Period[0]/AdaptationSet[0]/SegmentTemplate@media") != std::string::npos);
  e = parse_error(
      R"(<MPD><Period><SegmentTemplate duration="2" media="$Number$" initialization="init-$Number$.mp4"/></Period></MPD>)");
  CHECK(e.code == ErrorCode::kManifestBadTemplate);
}

TEST_CASE("limits: deep nesting and huge input are refused, not crashed on", "[manifest][parser][bad]") {
  std::string deep = "<MPD><Period>";
  for (int i = 0; i < 100000; ++i) deep += "<x>";
  for (int i = 0; i < 100000; ++i) deep += "</x>";
  deep += "</Period></MPD>";
  Error e = parse_error(deep);
  CHECK(e.code == ErrorCode::kManifestLimitExceeded);
  CHECK(e.message.find("nested deeper") != std::string::npos);

  ParseOptions small;
  small.limits.max_bytes = 1000;
  std::string big = "<MPD><Period>" + std::string(2000, ' ') + "</Period></MPD>";
  auto r = parse_mpd(big, small);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == ErrorCode::kManifestLimitExceeded);
}

TEST_CASE("entity expansion cannot blow up", "[manifest][parser][bad]") {
  auto r = parse_mpd(R"(<?xml version="1.0"?><!DOCTYPE MPD [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>
<MPD><Period id="&b;"/></MPD>)");
  if (r) CHECK(r->periods[0].id.size() < 100);  // pugixml leaves custom entities unexpanded
}

TEST_CASE("external entities and DTDs are neither loaded nor expanded", "[manifest][parser][bad]") {
  // docs/security.md: pugixml has no file or network access; a DOCTYPE is skipped, and a reference
  // to an entity it declares stays literal text.
  auto r = parse_mpd(R"(<?xml version="1.0"?><!DOCTYPE MPD SYSTEM "http://127.0.0.1:1/evil.dtd" [
<!ENTITY x SYSTEM "file:///etc/passwd"><!ENTITY y "expanded">]>
<MPD><Period id="&x;&y;"/></MPD>)");
  REQUIRE(r);
  CHECK(r->periods[0].id == "&x;&y;");
}

TEST_CASE("ServiceDescription: the latency target and rate bounds, absurd values dropped with a warning",
          "[manifest][parser][live]") {
  auto sd_mpd = [](const std::string& sd) {
    return parse_mpd(
        R"(<MPD type="dynamic" availabilityStartTime="2024-01-01T00:00:00Z" timeShiftBufferDepth="PT10S">)" + sd +
        R"(<Period start="PT0S"><AdaptationSet mimeType="video/mp4">)" +
        R"(<SegmentTemplate media="$Number$.m4s" duration="2"/><Representation id="v" bandwidth="1"/>)" +
        R"(</AdaptationSet></Period></MPD>)");
  };
  auto good = sd_mpd(R"(<ServiceDescription id="0"><Latency referenceId="0" target="3000" min="2000" max="6000"/>)"
                     R"(<PlaybackRate min="0.96" max="1.04"/></ServiceDescription>)");
  REQUIRE(good);
  REQUIRE(good->service_description);
  CHECK(good->service_description->target_latency == std::chrono::milliseconds(3000));
  CHECK(good->service_description->min_latency == std::chrono::milliseconds(2000));
  CHECK(good->service_description->max_latency == std::chrono::milliseconds(6000));
  CHECK(good->service_description->min_playback_rate == Approx(0.96));
  CHECK(good->service_description->max_playback_rate == Approx(1.04));
  CHECK(good->warnings.empty());

  auto absurd = sd_mpd(R"(<ServiceDescription><Latency target="-5" min="9000" max="1000"/>)"
                       R"(<PlaybackRate min="0" max="7"/></ServiceDescription>)");
  REQUIRE(absurd);  // playback goes on as normal live
  const ServiceDescription& d = *absurd->service_description;
  CHECK_FALSE(d.target_latency);
  CHECK_FALSE(d.min_latency);
  CHECK_FALSE(d.max_latency);
  CHECK_FALSE(d.min_playback_rate);
  CHECK_FALSE(d.max_playback_rate);
  const std::vector<std::string> expected = {"MPD/ServiceDescription[0]/Latency@target: -5",
                                             "MPD/ServiceDescription[0]/Latency: min is above max",
                                             "MPD/ServiceDescription[0]/PlaybackRate@min: 0",
                                             "MPD/ServiceDescription[0]/PlaybackRate@max: 7"};
  CHECK(absurd->warnings.size() == expected.size());
  for (const std::string& start : expected) {
    INFO(start);
    CHECK(std::count_if(absurd->warnings.begin(), absurd->warnings.end(),
                        [&](const std::string& w) { return w.rfind(start, 0) == 0; }) == 1);
  }
  // A target beyond the 10 s time-shift window cannot be held.
  auto beyond = sd_mpd(R"(<ServiceDescription><Latency target="30000"/></ServiceDescription>)");
  REQUIRE(beyond);
  CHECK_FALSE(beyond->service_description->target_latency);
  REQUIRE(beyond->warnings.size() == 1);
  CHECK(beyond->warnings[0].find("beyond the time-shift window") != std::string::npos);
  // No ServiceDescription: none.
  auto none = sd_mpd("");
  REQUIRE(none);
  CHECK_FALSE(none->service_description);
}
