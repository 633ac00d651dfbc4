// The text sample decoders (text_samples.h) on inline input: TTML time expressions, TTML documents
// (timing, clipping to the sample, plain text), wvtt samples, and their bad input.
#include "text_samples.h"

#include <catch2/catch.hpp>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace abrplay::media::test {
namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr microseconds secs_us(double s) { return microseconds{static_cast<std::int64_t>(s * 1'000'000)}; }

// "<tt ...>" + body + "</tt>" with the usual namespaces; `tt_attrs` go on the root.
std::string ttml_doc(const std::string& body, const std::string& tt_attrs = "") {
  return R"(<?xml version="1.0" encoding="UTF-8"?>
<tt xmlns="http://www.w3.org/ns/ttml" xmlns:ttp="http://www.w3.org/ns/ttml#parameter"
    xmlns:tts="http://www.w3.org/ns/ttml#styling" )" +
         tt_attrs + R"(><head><styling><style xml:id="s1" tts:color="yellow"/></styling></head><body><div>)" + body +
         "</div></body></tt>";
}

void put_be32(std::vector<std::uint8_t>& out, std::uint32_t v) {
  for (int i = 3; i >= 0; --i) out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}

std::vector<std::uint8_t> wbox(const std::string& type, const std::vector<std::uint8_t>& body) {
  std::vector<std::uint8_t> out;
  put_be32(out, static_cast<std::uint32_t>(8 + body.size()));
  out.insert(out.end(), type.begin(), type.end());
  out.insert(out.end(), body.begin(), body.end());
  return out;
}

std::vector<std::uint8_t> text_bytes_of(const std::string& s) { return {s.begin(), s.end()}; }

std::vector<std::uint8_t> concat(std::initializer_list<std::vector<std::uint8_t>> parts) {
  std::vector<std::uint8_t> out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

}  // namespace

TEST_CASE("TTML time expressions: clock-time, frames, offset-time in every metric, ticks", "[media][text][ttml]") {
  const TtmlTimeParams d;
  CHECK(parse_ttml_time("00:00:02.000", d) == seconds(2));
  CHECK(parse_ttml_time("01:02:03.5", d) == secs_us(3723.5));
  CHECK(parse_ttml_time(" 00:00:04 ", d) == seconds(4));
  CHECK(parse_ttml_time("123:00:00", d) == std::chrono::hours(123));
  TtmlTimeParams p25;
  p25.frame_rate = 25;
  p25.sub_frame_rate = 2;
  CHECK(parse_ttml_time("00:00:01:12", p25) == milliseconds(1480));
  CHECK(parse_ttml_time("00:00:01:12.1", p25) == milliseconds(1500));  // 12.5 frames
  CHECK(parse_ttml_time("50f", p25) == seconds(2));
  CHECK(parse_ttml_time("2.5s", d) == milliseconds(2500));
  CHECK(parse_ttml_time("150ms", d) == milliseconds(150));
  CHECK(parse_ttml_time("1.5m", d) == seconds(90));
  CHECK(parse_ttml_time("0.5h", d) == std::chrono::minutes(30));
  TtmlTimeParams ticks;
  ticks.tick_rate = 10'000'000;
  CHECK(parse_ttml_time("60000000t", ticks) == seconds(6));
  CHECK(parse_ttml_time("15t", ticks) == microseconds(2));  // 1.5 us, rounded
  CHECK(parse_ttml_time("90000t", d) == seconds(90000));    // tickRate 1 by default

  for (const char* bad : {"", "abc", "1x", "2 s", "-1s", "1.s", ".5s", "00:61:00", "00:00:61", "00:00", "00:00:01.",
                          "00:00:01:", "1e3s", "0x10s", "00:00:01.000Z"}) {
    CAPTURE(bad);
    CHECK_FALSE(parse_ttml_time(bad, d));
  }
  // Absurd: too many digits to be exact, or beyond a century.
  CHECK_FALSE(parse_ttml_time("99999999999999999999s", d));
  CHECK_FALSE(parse_ttml_time("1000000h", d));
  CHECK_FALSE(parse_ttml_time("999999999:00:00", d));
  TtmlTimeParams tiny;
  tiny.tick_rate = 1e-300;
  CHECK_FALSE(parse_ttml_time("1t", tiny));
}

TEST_CASE("a TTML sample: one cue per p with begin/end on the track timeline, spans flattened, br a line break",
          "[media][text][ttml]") {
  const std::string doc = ttml_doc(
      R"(<p begin="00:00:04.000" end="00:00:06.000" style="s1"><span tts:fontStyle="italic">Hola</span>
           <span>mundo</span><br/>  segunda   linea </p>
         <p begin="5s" dur="1500ms">&lt;dos&gt; &amp; tres</p>
         <p begin="00:00:07.000" end="00:00:07.000">empty interval, never shown</p>
         <p begin="00:00:06.500" end="00:00:07.500"><metadata>dropped</metadata></p>)");
  auto r = decode_ttml_document(doc, SampleWindow{seconds(4), seconds(8)});
  REQUIRE(r);
  CHECK(r->problems.empty());
  REQUIRE(r->cues.size() == 2);
  CHECK(r->cues[0].start == seconds(4));
  CHECK(r->cues[0].end == seconds(6));
  CHECK(r->cues[0].text == "Hola mundo\nsegunda linea");
  CHECK(r->cues[1].start == seconds(5));
  CHECK(r->cues[1].end == milliseconds(6500));
  CHECK(r->cues[1].text == "<dos> & tres");
}

TEST_CASE("TTML timing: nested begins add up, ends clip to the parent, ticks and frames from the root",
          "[media][text][ttml]") {
  const std::string doc =
      R"(<tt xmlns="http://www.w3.org/ns/ttml" xmlns:ttp="http://www.w3.org/ns/ttml#parameter"
             ttp:tickRate="10000000" ttp:frameRate="30" ttp:frameRateMultiplier="1000 1001">
           <body begin="1s"><div begin="2s" end="10s">
             <p begin="10000000t" end="20000000t">ticks</p>
             <p begin="00:00:00:30" end="20s">frames, clipped</p>
           </div></body></tt>)";
  auto r = decode_ttml_document(doc, std::nullopt);
  REQUIRE(r);
  REQUIRE(r->cues.size() == 2);
  CHECK(r->cues[0].start == seconds(4));  // 1 + 2 + 1
  CHECK(r->cues[0].end == seconds(5));
  CHECK(r->cues[1].start == microseconds(4'001'000));  // 3 s + 30 frames at 30000/1001 fps
  CHECK(r->cues[1].end == seconds(11));                // the div's end: 1 + 10
}

TEST_CASE("TTML in a sample: cues clipped to the sample, untimed paragraphs last the sample", "[media][text][ttml]") {
  const std::string doc = ttml_doc(R"(<p begin="00:00:03.000" end="00:00:05.000">crosses the start</p>
                                  <p begin="00:00:07.000" end="00:00:09.000">crosses the end</p>
                                  <p begin="00:00:01.000" end="00:00:02.000">before: not this sample's</p>
                                  <p>untimed</p>)");
  auto r = decode_ttml_document(doc, SampleWindow{seconds(4), seconds(8)});
  REQUIRE(r);
  REQUIRE(r->cues.size() == 3);
  CHECK(r->cues[0].start == seconds(4));
  CHECK(r->cues[0].end == seconds(5));
  CHECK(r->cues[1].start == seconds(7));
  CHECK(r->cues[1].end == seconds(8));
  CHECK(r->cues[2].text == "untimed");
  CHECK(r->cues[2].start == seconds(4));
  CHECK(r->cues[2].end == seconds(8));

  // Side-loaded (no sample): an untimed paragraph has nothing to end with.
  r = decode_ttml_document(ttml_doc("<p>untimed</p>"), std::nullopt);
  REQUIRE(r);
  CHECK(r->cues.empty());
  REQUIRE(r->problems.size() == 1);
  CHECK(r->problems[0] == "tt/body/div[0]/p[0]: no end time and no sample to end with (cue skipped)");
}

TEST_CASE("TTML written relative to its sample (not the track) is moved to the sample", "[media][text][ttml]") {
  const std::string doc = ttml_doc(R"(<p begin="00:00:00.500" end="00:00:01.500">relative</p>
                                  <p begin="1s" end="3s">also</p>)");
  auto r = decode_ttml_document(doc, SampleWindow{seconds(10), seconds(14)});
  REQUIRE(r);
  REQUIRE(r->cues.size() == 2);
  CHECK(r->cues[0].start == milliseconds(10'500));
  CHECK(r->cues[0].end == milliseconds(11'500));
  CHECK(r->cues[1].start == seconds(11));
  // The first sample (window at 0) is the same either way; a cue inside the window keeps its time.
  r = decode_ttml_document(ttml_doc(R"(<p begin="11s" end="12s">absolute</p>)"),
                           SampleWindow{seconds(10), seconds(14)});
  REQUIRE(r);
  REQUIRE(r->cues.size() == 1);
  CHECK(r->cues[0].start == seconds(11));
}

TEST_CASE("TTML as FFmpeg's encoder writes it (regions, spans, clock-time) reads as plain text",
          "[media][text][ttml]") {
  const std::string doc = R"(<?xml version="1.0" encoding="utf-8"?>
<tt
  xmlns="http://www.w3.org/ns/ttml"
  xmlns:ttm="http://www.w3.org/ns/ttml#metadata"
  xmlns:tts="http://www.w3.org/ns/ttml#styling"
  xmlns:ttp="http://www.w3.org/ns/ttml#parameter"
  ttp:cellResolution="384 288"
  xml:lang="">
  <head>
    <layout>
      <region xml:id="Default" tts:origin="3% 0%" tts:extent="97% 97%" tts:displayAlign="after"/>
    </layout>
  </head>
  <body>
    <div>
      <p
        begin="00:00:00.000"
        end="00:00:02.000"><span region="Default">Subtitle at 0 s</span></p>
      <p
        begin="00:00:02.000"
        end="00:00:04.000"><span region="Default">Subtitle at 2 s</span></p>
    </div>
  </body>
</tt>)";
  auto r = decode_ttml_document(doc, SampleWindow{seconds(0), seconds(8)});
  REQUIRE(r);
  REQUIRE(r->cues.size() == 2);
  CHECK(r->cues[1].start == seconds(2));
  CHECK(r->cues[1].end == seconds(4));
  CHECK(r->cues[1].text == "Subtitle at 2 s");
}

TEST_CASE("bad TTML: ill-formed XML, another root, bad times, huge, deep or crowded documents are bounded",
          "[media][text][ttml][bad-input]") {
  const SampleWindow w{seconds(0), seconds(4)};
  auto r = decode_ttml_document(R"(<tt xmlns="http://www.w3.org/ns/ttml"><body><p begin="0s">x</body></tt>)", w);
  REQUIRE_FALSE(r);
  CHECK(r.error().rfind("TTML: ill-formed XML at byte offset ", 0) == 0);
  r = decode_ttml_document("", w);
  REQUIRE_FALSE(r);
  r = decode_ttml_document("<html><body><p>no</p></body></html>", w);
  REQUIRE_FALSE(r);
  CHECK(r.error() == "TTML: the root element is <html>, not <tt>");

  // A paragraph with an unreadable or absurd time is skipped, the others kept.
  r = decode_ttml_document(ttml_doc(R"(<p begin="soon" end="2s">bad begin</p>
                                   <p begin="0s" end="99999999999999999999999s">absurd end</p>
                                   <p begin="1s" end="2s">good</p>)"),
                           w);
  REQUIRE(r);
  REQUIRE(r->cues.size() == 1);
  CHECK(r->cues[0].text == "good");
  REQUIRE(r->problems.size() == 2);
  CHECK(r->problems[0] == "tt/body/div[0]/p[0]: @begin 'soon' is not a TTML time expression (element skipped)");
  // A bad tick rate is ignored (the default of 1 applies).
  r = decode_ttml_document(ttml_doc(R"(<p begin="1t" end="2t">t</p>)", R"(ttp:tickRate="0")"), w);
  REQUIRE(r);
  REQUIRE(r->cues.size() == 1);
  CHECK(r->cues[0].end == seconds(2));
  CHECK(r->problems.at(0) == "TTML: tt@tickRate '0' is not a positive number (ignored)");

  // Above the size limit: refused before parsing.
  const std::string huge = ttml_doc(std::string(kMaxTextSampleBytes, ' '));
  r = decode_ttml_document(huge, w);
  REQUIRE_FALSE(r);
  CHECK(r.error().find("above the limit of 1048576") != std::string::npos);

  // 10000 nested divs: the walk stops at kMaxTtmlDepth.
  std::string deep;
  for (int i = 0; i < 10000; ++i) deep += "<div>";
  deep += R"(<p begin="0s" end="1s">deep</p>)";
  for (int i = 0; i < 10000; ++i) deep += "</div>";
  r = decode_ttml_document(ttml_doc(deep), w);
  REQUIRE(r);
  CHECK(r->cues.empty());
  REQUIRE_FALSE(r->problems.empty());
  CHECK(r->problems[0].find("nested deeper than 32 elements (skipped)") != std::string::npos);

  // 5000 paragraphs: kMaxCuesPerSample kept.
  std::string many;
  for (int i = 0; i < 5000; ++i) many += R"(<p begin="0s" end="1s">c</p>)";
  r = decode_ttml_document(ttml_doc(many), w);
  REQUIRE(r);
  CHECK(r->cues.size() == kMaxCuesPerSample);
  CHECK(r->problems.back() == "TTML: more than 1000 cues, the rest dropped");

  // Entities declared in a DOCTYPE are never expanded (no "billion laughs").
  const std::string laughs = R"(<?xml version="1.0"?><!DOCTYPE tt [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>
<tt xmlns="http://www.w3.org/ns/ttml"><body><p begin="0s" end="1s">&b;&b;&b;</p></body></tt>)";
  r = decode_ttml_document(laughs, w);
  if (r) {
    for (const auto& c : r->cues) CHECK(c.text.size() < 64);
  }
}

TEST_CASE("a wvtt sample: each vttc is a cue over the sample, payl text without tags, vtte no cue",
          "[media][text][wvtt]") {
  const auto sample = concat(
      {wbox("vttc", concat({wbox("iden", text_bytes_of("7")), wbox("sttg", text_bytes_of("line:10% align:start")),
                            wbox("payl", text_bytes_of("<v Anna>Hallo &amp; <b>willkommen</b>\r\nZeile 2\n"))})),
       wbox("vttc", wbox("payl", text_bytes_of("zweiter Cue"))), wbox("vtta", text_bytes_of("a comment"))});
  auto r = decode_wvtt_sample(sample, SampleWindow{seconds(2), seconds(4)});
  REQUIRE(r);
  CHECK(r->problems.empty());
  REQUIRE(r->cues.size() == 2);
  CHECK(r->cues[0].start == seconds(2));
  CHECK(r->cues[0].end == seconds(4));
  CHECK(r->cues[0].text == "Hallo & willkommen\nZeile 2");
  CHECK(r->cues[1].text == "zweiter Cue");

  r = decode_wvtt_sample(wbox("vtte", {}), SampleWindow{seconds(4), seconds(6)});
  REQUIRE(r);
  CHECK(r->cues.empty());
  r = decode_wvtt_sample({}, SampleWindow{seconds(4), seconds(6)});
  REQUIRE(r);
  CHECK(r->cues.empty());
}

TEST_CASE("bad wvtt samples: truncated or undersized boxes name their byte offset, oversize is refused",
          "[media][text][wvtt][bad-input]") {
  const SampleWindow w{seconds(0), seconds(2)};
  const auto good = wbox("vttc", wbox("payl", text_bytes_of("text")));
  // Cut inside the payl box: the vttc declares more than the sample holds.
  auto r = decode_wvtt_sample(std::span(good).first(good.size() - 2), w);
  REQUIRE_FALSE(r);
  CHECK(r.error() == "wvtt sample: byte offset 0: box 'vttc' declares 20 bytes, only 18 present (truncated)");
  // A payl whose size runs past its vttc.
  auto inner = good;
  inner[11] = 40;  // payl size 12 -> 40
  r = decode_wvtt_sample(inner, w);
  REQUIRE_FALSE(r);
  CHECK(r.error() ==
        "wvtt sample: in 'vttc' at byte offset 0: byte offset 8: box 'payl' declares 40 bytes, only 12 present "
        "(truncated)");
  // A size below the header, and a tail too short for a header.
  auto small = good;
  small[3] = 4;
  r = decode_wvtt_sample(small, w);
  REQUIRE_FALSE(r);
  CHECK(r.error() == "wvtt sample: byte offset 0: box 'vttc' declares 4 bytes, less than its header");
  auto tail = good;
  tail.insert(tail.end(), {0, 0, 0});
  r = decode_wvtt_sample(tail, w);
  REQUIRE_FALSE(r);
  CHECK(r.error() == "wvtt sample: byte offset 20: 3 bytes left, too few for a box header (truncated)");
  // A vttc without payl is skipped with a note; the others stay.
  r = decode_wvtt_sample(concat({wbox("vttc", wbox("sttg", text_bytes_of("x"))), good}), w);
  REQUIRE(r);
  REQUIRE(r->cues.size() == 1);
  CHECK(r->problems.at(0) == "wvtt sample: 'vttc' at byte offset 0 has no 'payl' box (cue skipped)");
  // Oversize.
  std::vector<std::uint8_t> huge(kMaxTextSampleBytes + 1, 0);
  r = decode_wvtt_sample(huge, w);
  REQUIRE_FALSE(r);
  CHECK(r.error().find("above the limit") != std::string::npos);
  // Many cues: kMaxCuesPerSample kept.
  std::vector<std::uint8_t> many;
  for (int i = 0; i < 3000; ++i) many.insert(many.end(), good.begin(), good.end());
  r = decode_wvtt_sample(many, w);
  REQUIRE(r);
  CHECK(r->cues.size() == kMaxCuesPerSample);
}

}  // namespace abrplay::media::test
