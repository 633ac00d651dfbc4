// Subtitles in fragmented MP4 through the pipeline: the content's wvtt (de) and stpp (es) tracks,
// demuxed by FFmpeg's mov demuxer and decoded by text_samples.h, reach the text sink with exact
// times and text; corrupt samples and segments are reported and skipped, the next segment plays.
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include "abrplay/player/media/pipeline.h"
#include "media_test_support.h"

namespace abrplay::media::test {
namespace {

using std::chrono::microseconds;
using std::chrono::seconds;

struct Fmp4CueRecorder final : TextSink {
  std::vector<TextCue> cues;
  void cue(const TextCue& c) override { cues.push_back(c); }
  void clear() override {}
};

// Segment `number` (1-based) of the text representation `rep` ("sub-de", "sub-es").
MediaSegment text_segment(const std::string& rep, int number) {
  MediaSegment s;
  s.init = read_bytes(content_dir() + rep + "/init.mp4");
  s.data = read_bytes(content_dir() + rep + "/" + std::to_string(number) + ".m4s");
  s.start = kSegmentDuration * (number - 1);
  s.duration = kSegmentDuration;
  s.representation_id = rep;
  s.number = static_cast<std::uint64_t>(number);
  return s;
}

struct TextRun {
  std::vector<TextCue> cues;
  std::vector<MediaEvent> errors;
};

TextRun play_text(const std::vector<MediaSegment>& segments) {
  SystemClock clock;
  Fmp4CueRecorder text;
  PipelineConfig c;
  c.mode = PresentMode::kAsFastAsPossible;
  c.video = false;
  c.audio = false;
  c.text = true;
  MediaPipeline p(clock, c, PipelineSinks{nullptr, nullptr, &text});
  REQUIRE_FALSE(p.start());
  for (const auto& s : segments) p.feed(TrackType::kText).push(s);
  p.feed(TrackType::kText).end_of_stream();
  REQUIRE(run_to_end(p));
  TextRun out;
  out.cues = text.cues;
  for (auto& e : p.take_events()) {
    if (e.kind == MediaEvent::Kind::kError) out.errors.push_back(e);
  }
  return out;
}

void check_cue(const TextCue& cue, double start, double end, const std::string& text) {
  CAPTURE(cue.text);
  CHECK(cue.start == microseconds{static_cast<std::int64_t>(start * 1e6)});
  CHECK(cue.end == microseconds{static_cast<std::int64_t>(end * 1e6)});
  CHECK(cue.text == text);
}

// Finds `what` in the bytes of `b` (a segment), the offset or npos.
std::size_t find_bytes(const Bytes& b, const std::string& what) {
  const auto it = std::search(b->begin(), b->end(), what.begin(), what.end());
  return it == b->end() ? std::string::npos : static_cast<std::size_t>(it - b->begin());
}

// A copy of `b` changed by `edit`.
template <typename Edit>
Bytes edited(const Bytes& b, Edit edit) {
  auto v = std::make_shared<std::vector<std::uint8_t>>(*b);
  edit(*v);
  return v;
}

}  // namespace

TEST_CASE("wvtt in fMP4: every cue of both segments with its time and two lines of text", "[media][text][wvtt]") {
  const TextRun r = play_text({text_segment("sub-de", 1), text_segment("sub-de", 2)});
  CHECK(r.errors.empty());
  REQUIRE(r.cues.size() == 4);
  for (int i = 0; i < 4; ++i) check_cue(r.cues[i], 2 * i, 2 * i + 2, "Untertitel\nbei " + std::to_string(2 * i) + " s");
}

TEST_CASE("stpp in fMP4: TTML cues on the track timeline, cut at the segment boundary they cross",
          "[media][text][ttml]") {
  const TextRun r = play_text({text_segment("sub-es", 1), text_segment("sub-es", 2)});
  CHECK(r.errors.empty());
  // Cues every 2 s from 1 s (the last one cut at the 8 s end); the one at 3-5 s is in both segments'
  // documents, shown during each.
  REQUIRE(r.cues.size() == 5);
  check_cue(r.cues[0], 1, 3, "Subtitulo\na los 1 s");
  check_cue(r.cues[1], 3, 4, "Subtitulo\na los 3 s");
  check_cue(r.cues[2], 4, 5, "Subtitulo\na los 3 s");
  check_cue(r.cues[3], 5, 7, "Subtitulo\na los 5 s");
  check_cue(r.cues[4], 7, 8, "Subtitulo\na los 7 s");
}

TEST_CASE("fMP4 text whose media time is offset from the MPD is mapped onto the segment's start",
          "[media][text][wvtt]") {
  auto seg = text_segment("sub-de", 2);
  seg.start = seconds(104);  // the MPD places it 100 s later than its tfdt (4 s)
  const TextRun r = play_text({seg});
  REQUIRE(r.cues.size() == 2);
  check_cue(r.cues[0], 104, 106, "Untertitel\nbei 4 s");
  check_cue(r.cues[1], 106, 108, "Untertitel\nbei 6 s");
}

TEST_CASE("corrupt fMP4 text: bad samples, ill-formed TTML, absurd times, truncated segments are named and skipped",
          "[media][text][bad-input]") {
  SECTION("wvtt: a payl box whose size overruns its vttc") {
    auto bad = text_segment("sub-de", 1);
    const std::size_t payl = find_bytes(bad.data, "payl");
    REQUIRE(payl != std::string::npos);
    bad.data = edited(bad.data, [&](auto& v) { v[payl - 2] = 0x7f; });  // size 0x007fxxxx
    const TextRun r = play_text({bad, text_segment("sub-de", 2)});
    REQUIRE(r.errors.size() == 1);
    const Error& e = r.errors[0].error;
    CAPTURE(e.message);
    CHECK(e.code == ErrorCode::kMediaDecode);
    CHECK(e.message.find("segment 1 of representation 'sub-de': sample at byte offset ") == 0);
    CHECK(e.message.find("box 'payl' declares") != std::string::npos);
    // The other sample of segment 1 and both of segment 2.
    REQUIRE(r.cues.size() == 3);
    CHECK(r.cues[0].start == seconds(2));
    CHECK(r.cues[2].start == seconds(6));
  }
  SECTION("stpp: a TTML document that is not well-formed XML") {
    auto bad = text_segment("sub-es", 1);
    const std::size_t tag = find_bytes(bad.data, "</body>");
    REQUIRE(tag != std::string::npos);
    bad.data = edited(bad.data, [&](auto& v) { v[tag + 2] = 'x'; });  // </xody>
    const TextRun r = play_text({bad, text_segment("sub-es", 2)});
    REQUIRE(r.errors.size() == 1);
    const Error& e = r.errors[0].error;
    CAPTURE(e.message);
    CHECK(e.code == ErrorCode::kMediaDecode);
    CHECK(e.message.find("segment 1 of representation 'sub-es': sample at byte offset ") == 0);
    CHECK(e.message.find("TTML: ill-formed XML at byte offset ") != std::string::npos);
    REQUIRE(r.cues.size() == 3);  // segment 2's
    CHECK(r.cues[0].start == seconds(4));
  }
  SECTION("stpp: absurd times in the document skip their paragraph") {
    auto bad = text_segment("sub-es", 1);
    const std::size_t begin = find_bytes(bad.data, "begin=\"00:00:01.000\"");
    REQUIRE(begin != std::string::npos);
    const std::string absurd = "begin=\"999999:00:00\"";  // same length, beyond a century
    bad.data = edited(bad.data, [&](auto& v) {
      std::copy(absurd.begin(), absurd.end(), v.begin() + static_cast<std::ptrdiff_t>(begin));
    });
    const TextRun r = play_text({bad});
    REQUIRE(r.errors.size() == 1);
    CAPTURE(r.errors[0].error.message);
    CHECK(r.errors[0].error.message.find("@begin '999999:00:00' is not a TTML time expression") != std::string::npos);
    REQUIRE(r.cues.size() == 1);
    CHECK(r.cues[0].start == seconds(3));
  }
  SECTION("wvtt: a fragment time beyond a century skips its samples") {
    auto bad = text_segment("sub-de", 1);
    const std::size_t tfdt = find_bytes(bad.data, "tfdt");
    REQUIRE(tfdt != std::string::npos);
    bad.data = edited(bad.data, [&](auto& v) {
      const std::uint64_t absurd = std::uint64_t{1} << 50;  // ms: 35,000 years
      for (int i = 0; i < 8; ++i)
        v[tfdt + 8 + static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(absurd >> (56 - 8 * i));
    });
    const TextRun r = play_text({bad, text_segment("sub-de", 2)});
    REQUIRE(r.errors.size() == 2);  // both samples of segment 1
    for (const auto& e : r.errors) {
      CAPTURE(e.error.message);
      CHECK(e.error.code == ErrorCode::kMediaDemux);
      CHECK(e.error.message.find("segment 1 of representation 'sub-de': sample at byte offset ") == 0);
      CHECK(e.error.message.find("absurd time or duration (skipped)") != std::string::npos);
    }
    REQUIRE(r.cues.size() == 2);
    CHECK(r.cues[0].start == seconds(4));
  }
  SECTION("a truncated segment is refused whole with its byte offset") {
    auto bad = text_segment("sub-de", 1);
    bad.data = std::make_shared<std::vector<std::uint8_t>>(bad.data->begin(), bad.data->end() - 10);
    const TextRun r = play_text({bad, text_segment("sub-de", 2)});
    REQUIRE(r.errors.size() == 1);
    CHECK(r.errors[0].error.code == ErrorCode::kMediaDemux);
    CHECK(r.errors[0].error.message.find("(truncated)") != std::string::npos);
    CHECK(r.cues.size() == 2);
  }
  SECTION("an MP4 text track of another kind is refused by name") {
    auto bad = text_segment("sub-de", 1);
    const std::size_t entry = find_bytes(bad.init, "wvtt");
    REQUIRE(entry != std::string::npos);
    bad.init = edited(bad.init,
                      [&](auto& v) { std::copy_n("tx3g", 4, v.begin() + static_cast<std::ptrdiff_t>(entry)); });
    const TextRun r = play_text({bad});
    REQUIRE(r.errors.size() == 1);
    CAPTURE(r.errors[0].error.message);
    CHECK(r.errors[0].error.code == ErrorCode::kMediaCodecUnsupported);
    CHECK(r.cues.empty());
  }
}

TEST_CASE("a side-loaded TTML file is read like a WebVTT file: times as written", "[media][text][ttml]") {
  MediaSegment s;
  const std::string doc = R"(<?xml version="1.0" encoding="UTF-8"?>
<tt xmlns="http://www.w3.org/ns/ttml"><body><div>
  <p begin="00:00:01.000" end="00:00:02.500">one<br/>two</p>
  <p begin="3s" end="4s">three</p>
</div></body></tt>)";
  s.data = std::make_shared<std::vector<std::uint8_t>>(doc.begin(), doc.end());
  s.duration = seconds(8);
  s.representation_id = "ttml-file";
  const TextRun r = play_text({s});
  CHECK(r.errors.empty());
  REQUIRE(r.cues.size() == 2);
  check_cue(r.cues[0], 1, 2.5, "one\ntwo");
  check_cue(r.cues[1], 3, 4, "three");
}

}  // namespace abrplay::media::test
