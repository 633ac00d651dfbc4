// Audio and text track switches in place (StreamingEngine::select_languages) on virtual time: the
// video loader and buffer are untouched (no second manifest, no video segment or init fetched
// twice, no stall), audio keeps the old set up to the first boundary at least switch_margin ahead
// and continues with the new set there without a gap, text switches at the position; paused, twice
// in a row, at the end, before the load, and the bad requests.
#include <catch2/catch.hpp>

#include <map>

#include "support/virtual_harness.h"

namespace abrplay::engine::test {

namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

ContentSpec two_languages() {
  ContentSpec spec;  // 8 x 1 s; video 200k/800k, audio en a1
  spec.audio_fr = {{"f1", 64'000, "mp4a.40.2"}};
  spec.text_en = {{"t-en", 2'000, "wvtt"}};
  spec.text_fr = {{"t-fr", 2'000, "wvtt"}};
  return spec;
}

lab::LabLinkParams fast_link() {
  lab::LabLinkParams link;
  link.rtt = milliseconds(40);
  return link;
}

// Plays until the position reaches `at`.
void play_to(VirtualHarness& h, MediaTime at) {
  REQUIRE(h.run_until([&] { return h.engine->state() == EngineState::kPlaying && h.engine->position() >= at; }));
}

// "a1@0 a1@1 f1@2 ..." of a buffer, for messages and exact checks.
std::string layout(const TrackBuffer* b) {
  std::string out;
  if (b == nullptr) return "(none)";
  for (const auto& s : b->segments()) {
    out += (out.empty() ? "" : " ") + s.representation_id + "@" + std::to_string(s.start.count() / 1'000'000);
  }
  return out;
}

// Every media segment and init segment of video was fetched once; one manifest.
void check_video_untouched(const VirtualHarness& h) {
  std::map<MediaTime, int> video_media;
  std::map<std::string, int> video_init;
  int manifests = 0;
  for (const auto& d : h.rec.downloads) {
    if (d.kind == DownloadKind::kManifest) ++manifests;
    if (d.track != TrackType::kVideo) continue;
    if (d.kind == DownloadKind::kMedia) ++video_media[d.segment_start];
    if (d.kind == DownloadKind::kInit) ++video_init[d.representation_id];
  }
  CHECK(manifests == 1);
  CHECK(video_media.size() == 8);
  for (const auto& [start, n] : video_media) CHECK(n == 1);
  for (const auto& [id, n] : video_init) CHECK(n == 1);
}

std::vector<EngineState> switch_state_path(const Recorder& rec) {
  std::vector<EngineState> out;
  for (const auto& s : rec.states) out.push_back(s.to);
  return out;
}

const std::vector<EngineState> kNoStall{EngineState::kLoading, EngineState::kBuffering, EngineState::kPlaying,
                                        EngineState::kEnded};

}  // namespace

TEST_CASE("track switch: audio en -> fr while playing keeps video, cuts at the first boundary 1 s ahead, no gap",
          "[engine][switch][virtual]") {
  SyntheticContent content(two_languages());
  VirtualHarness h(content, fast_link());
  h.start();
  REQUIRE(h.load("manifest.mpd").code == ErrorCode::kOk);
  play_to(h, milliseconds(2300));
  const MediaTime pos = h.engine->position();
  CAPTURE(pos.count());
  REQUIRE(pos < milliseconds(2700));  // the 250 ms reports: the cut is then the end of [3, 4)
  REQUIRE(h.engine->select_languages(TrackType::kAudio, {"fr"}).code == ErrorCode::kOk);
  // The old audio up to 4 s (the first boundary >= pos + 1 s) is kept, what lay behind the position
  // and after the cut is gone.
  CHECK(layout(h.engine->buffer(TrackType::kAudio)) == "a1@2 a1@3");
  REQUIRE(h.run_until_state(EngineState::kEnded));
  CHECK(switch_state_path(h.rec) == kNoStall);
  CHECK(h.rec.errors.empty());
  check_video_untouched(h);
  // The new set from the cut to the end, contiguous with the old.
  CHECK(layout(h.engine->buffer(TrackType::kAudio)) == "a1@2 a1@3 f1@4 f1@5 f1@6 f1@7");
  const auto& segs = h.engine->buffer(TrackType::kAudio)->segments();
  for (std::size_t i = 1; i < segs.size(); ++i) CHECK(segs[i].start == segs[i - 1].end());
  CHECK(segs[2].representation_changed);
  std::vector<MediaTime> fr;
  for (const auto& d : h.rec.media(TrackType::kAudio)) {
    if (d.representation_id == "f1") fr.push_back(d.segment_start);
  }
  CHECK(fr == std::vector<MediaTime>{seconds(4), seconds(5), seconds(6), seconds(7)});
}

TEST_CASE("track switch: twice in a row, the last wins: the set already playing changes nothing",
          "[engine][switch][virtual]") {
  SyntheticContent content(two_languages());
  VirtualHarness h(content, fast_link());
  h.start();
  REQUIRE(h.load("manifest.mpd").code == ErrorCode::kOk);
  play_to(h, milliseconds(2300));
  const std::size_t audio_before = h.rec.media(TrackType::kAudio).size();
  REQUIRE(h.engine->select_languages(TrackType::kAudio, {"en"}).code == ErrorCode::kOk);  // playing already
  CHECK(layout(h.engine->buffer(TrackType::kAudio)).find("a1@7") != std::string::npos);   // nothing dropped
  REQUIRE(h.engine->select_languages(TrackType::kAudio, {"fr", "en"}).code == ErrorCode::kOk);
  REQUIRE(h.engine->select_languages(TrackType::kAudio, {"en", "fr"}).code == ErrorCode::kOk);
  REQUIRE(h.run_until_state(EngineState::kEnded));
  CHECK(switch_state_path(h.rec) == kNoStall);
  check_video_untouched(h);
  for (const auto& d : h.rec.media(TrackType::kAudio)) CHECK(d.representation_id == "a1");
  CHECK(h.rec.media(TrackType::kAudio).size() > audio_before);  // [4, 8) fetched again, in en
  CHECK(layout(h.engine->buffer(TrackType::kAudio)) == "a1@2 a1@3 a1@4 a1@5 a1@6 a1@7");
}

TEST_CASE("track switch: paused, the audio switches at the position: play resumes with the new set",
          "[engine][switch][virtual]") {
  SyntheticContent content(two_languages());
  VirtualHarness h(content, fast_link());
  h.start();
  REQUIRE(h.load("manifest.mpd").code == ErrorCode::kOk);
  play_to(h, milliseconds(2300));
  h.engine->pause();
  REQUIRE(h.engine->state() == EngineState::kPaused);
  REQUIRE(h.engine->select_languages(TrackType::kAudio, {"fr"}).code == ErrorCode::kOk);
  CHECK(layout(h.engine->buffer(TrackType::kAudio)).empty());  // the segment at the position goes too
  REQUIRE(h.run_until([&] { return h.engine->buffer(TrackType::kAudio)->size() >= 6; }));
  CHECK(h.engine->state() == EngineState::kPaused);
  h.engine->play();
  REQUIRE(h.run_until_state(EngineState::kEnded));
  CHECK(h.rec.errors.empty());
  check_video_untouched(h);
  // The new set from the segment containing the position: the consumer plays it from the position
  // (SegmentConsumer::splice).
  CHECK(layout(h.engine->buffer(TrackType::kAudio)) == "f1@2 f1@3 f1@4 f1@5 f1@6 f1@7");
}

TEST_CASE("track switch: subtitles on, to another language and off, in place", "[engine][switch][virtual]") {
  SyntheticContent content(two_languages());
  VirtualHarness h(content, fast_link());
  h.start();
  REQUIRE(h.load("manifest.mpd").code == ErrorCode::kOk);
  play_to(h, milliseconds(2300));
  CHECK(h.engine->buffer(TrackType::kText) == nullptr);  // off by default
  REQUIRE(h.engine->select_languages(TrackType::kText, {"en"}).code == ErrorCode::kOk);
  REQUIRE(h.run_until([&] { return layout(h.engine->buffer(TrackType::kText)).find("t-en@7") != std::string::npos; }));
  CHECK(layout(h.engine->buffer(TrackType::kText)).rfind("t-en@2", 0) == 0);  // from the position
  play_to(h, milliseconds(4300));
  REQUIRE(h.engine->select_languages(TrackType::kText, {"fr"}).code == ErrorCode::kOk);
  CHECK(h.engine->buffer(TrackType::kText)->size() == 0);  // the old language's cues go at once
  REQUIRE(h.run_until([&] { return layout(h.engine->buffer(TrackType::kText)).find("t-fr@7") != std::string::npos; }));
  CHECK(layout(h.engine->buffer(TrackType::kText)).rfind("t-fr@4", 0) == 0);
  play_to(h, milliseconds(5300));
  REQUIRE(h.engine->select_languages(TrackType::kText, {}).code == ErrorCode::kOk);
  CHECK(h.engine->buffer(TrackType::kText) == nullptr);
  REQUIRE(h.run_until_state(EngineState::kEnded));
  CHECK(switch_state_path(h.rec) == kNoStall);
  CHECK(h.rec.errors.empty());
  check_video_untouched(h);
  CHECK(layout(h.engine->buffer(TrackType::kAudio)).find("f1") == std::string::npos);  // audio untouched
}

TEST_CASE("track switch: before the load, at the end, for video and to a language not offered",
          "[engine][switch][virtual]") {
  SyntheticContent content(two_languages());
  VirtualHarness h(content, fast_link());
  h.start();
  // Before the load: a preference for the first selection.
  REQUIRE(h.engine->select_languages(TrackType::kAudio, {"fr"}).code == ErrorCode::kOk);
  CHECK(h.engine->select_languages(TrackType::kVideo, {"fr"}).code == ErrorCode::kInvalidArgument);
  REQUIRE(h.load("manifest.mpd").code == ErrorCode::kOk);
  play_to(h, milliseconds(2300));
  // Not offered: the preference falls back to document order (en); the Player refuses such a
  // language before it gets here (player_api_test.cpp).
  REQUIRE(h.engine->select_languages(TrackType::kAudio, {"de"}).code == ErrorCode::kOk);
  REQUIRE(h.run_until_state(EngineState::kEnded));
  CHECK(switch_state_path(h.rec) == kNoStall);
  std::vector<std::string> ids;
  for (const auto& d : h.rec.media(TrackType::kAudio)) ids.push_back(d.representation_id);
  CHECK(ids.front() == "f1");
  CHECK(ids.back() == "a1");
  // At the end: nothing more plays; no error, the state stays ended.
  const std::size_t downloads = h.rec.downloads.size();
  REQUIRE(h.engine->select_languages(TrackType::kAudio, {"fr"}).code == ErrorCode::kOk);
  REQUIRE(h.engine->select_languages(TrackType::kText, {"en"}).code == ErrorCode::kOk);
  h.run_until([] { return false; }, seconds(2));
  CHECK(h.engine->state() == EngineState::kEnded);
  CHECK(h.rec.errors.empty());
  CHECK(h.rec.downloads.size() == downloads);
}

TEST_CASE("track switch: multi-period, the audio loader already in the next period switches at the cut and "
          "keeps the new language in the periods after",
          "[engine][switch][virtual]") {
  ContentSpec spec = two_languages();
  spec.segments = 4;  // 2 periods of 4 x 1 s
  spec.periods = 2;
  spec.text_en.clear();
  spec.text_fr.clear();
  SyntheticContent content(spec);
  // At 2.3 s the cut is the period boundary (4 s); at 1.3 s it is 3 s, inside the first period,
  // while the audio loader has already moved on to the second.
  const bool at_boundary = GENERATE(true, false);
  CAPTURE(at_boundary);
  VirtualHarness h(content, fast_link());
  h.start();
  REQUIRE(h.load("manifest.mpd").code == ErrorCode::kOk);
  play_to(h, milliseconds(at_boundary ? 2300 : 1300));
  CHECK(layout(h.engine->buffer(TrackType::kAudio)).find("a1-p1@4") != std::string::npos);  // loaded ahead
  REQUIRE(h.engine->select_languages(TrackType::kAudio, {"fr"}).code == ErrorCode::kOk);
  CHECK(layout(h.engine->buffer(TrackType::kAudio)) == (at_boundary ? "a1-p0@2 a1-p0@3" : "a1-p0@1 a1-p0@2"));
  REQUIRE(h.run_until_state(EngineState::kEnded));
  CHECK(switch_state_path(h.rec) == kNoStall);
  CHECK(h.rec.errors.empty());
  CHECK(layout(h.engine->buffer(TrackType::kAudio)) ==
        (at_boundary ? "a1-p0@2 a1-p0@3 f1-p1@4 f1-p1@5 f1-p1@6 f1-p1@7"
                     : "a1-p0@1 a1-p0@2 f1-p0@3 f1-p1@4 f1-p1@5 f1-p1@6 f1-p1@7"));
  std::map<MediaTime, int> video_media;
  for (const auto& d : h.rec.media(TrackType::kVideo)) ++video_media[d.segment_start];
  CHECK(video_media.size() == 8);
  for (const auto& [start, n] : video_media) CHECK(n == 1);
}

}  // namespace abrplay::engine::test
