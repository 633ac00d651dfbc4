// The engine against abrplay-origin on 127.0.0.1 with synthetic VOD content: startup, steady state,
// the byte cap, seeking, multi-period, SegmentBase and errors.
#include <catch2/catch.hpp>

#include "abrplay/abr/algorithm/fixed.h"
#include "support/engine_harness.h"
#include "support/origin_helpers.h"
#include "support/synthetic_content.h"

namespace abrplay::engine::test {

namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

std::vector<EngineState> state_path(const Recorder& rec) {
  std::vector<EngineState> out;
  for (const auto& s : rec.states) out.push_back(s.to);
  return out;
}

origin::OriginConfig config_for(const SyntheticContent& content) {
  origin::OriginConfig oc;
  oc.roots = {content.dir().string()};
  return oc;
}

}  // namespace

TEST_CASE("VOD: loads, starts after the startup buffer, fetches every segment in order and ends without a stall",
          "[engine][vod]") {
  SyntheticContent content({});  // 8 x 1 s; video 200k/800k, audio 64k
  auto origin = serve(config_for(content));
  Harness h(4.0);
  h.start();
  REQUIRE(h.load(origin->url(0) + "manifest.mpd").code == ErrorCode::kOk);
  REQUIRE(h.rec.wait_state(EngineState::kEnded, kLimit));
  auto lock = h.rec.lock();
  CHECK(state_path(h.rec) == std::vector<EngineState>{EngineState::kLoading, EngineState::kBuffering,
                                                      EngineState::kPlaying, EngineState::kEnded});
  const auto startup = h.rec.state_times[2] - h.rec.state_times[0];
  CHECK(startup < milliseconds(1500));  // localhost, unshaped
  for (TrackType t : {TrackType::kVideo, TrackType::kAudio}) {
    const auto media = h.rec.media(t);
    REQUIRE(media.size() == 8);
    for (std::size_t i = 0; i < media.size(); ++i) {
      CHECK(media[i].segment_start == seconds(i));
      const auto& reps = t == TrackType::kVideo ? content.spec().video : content.spec().audio;
      for (const auto& r : reps) {
        if (r.id == media[i].representation_id) CHECK(media[i].bytes == content.segment_bytes(r));
      }
    }
  }
  // Each representation's init segment is fetched once, however often ABR comes back to it.
  std::map<std::string, int> inits;
  for (const auto& d : h.rec.downloads) {
    if (d.kind == DownloadKind::kInit) ++inits[d.representation_id];
  }
  for (const auto& [id, n] : inits) CHECK(n == 1);
  CHECK(h.rec.decisions.front().reason == "fast start");
  CHECK(h.rec.errors.empty());
}

TEST_CASE("the video buffer never holds more than its byte cap, and playback still reaches the end",
          "[engine][vod][buffer]") {
  SyntheticContent content({});  // v2 segments are 100,000 bytes
  auto origin = serve(config_for(content));
  Harness h(4.0);
  EngineConfig cfg;
  cfg.video_limits.max_bytes = 250'000;  // two v2 segments and a half
  cfg.video_limits.max_behind = milliseconds(500);
  h.start(cfg, std::make_unique<abr::FixedAlgorithm>(1));
  REQUIRE(h.load(origin->url(0) + "manifest.mpd").code == ErrorCode::kOk);
  REQUIRE(h.rec.wait_state(EngineState::kEnded, kLimit));
  auto lock = h.rec.lock();
  std::uint64_t peak = 0;
  for (const auto& b : h.rec.buffers) {
    if (b.track == TrackType::kVideo) peak = std::max(peak, b.bytes);
  }
  CHECK(peak <= 250'000);
  CHECK(peak >= 200'000);  // the cap was reached: the test constrained something
  CHECK(h.rec.media(TrackType::kVideo).size() == 8);
}

TEST_CASE("a seek inside the buffer keeps it: no segment is fetched again and playback resumes at the target",
          "[engine][vod][seek]") {
  ContentSpec spec;
  spec.segments = 20;
  SyntheticContent content(spec);
  auto origin = serve(config_for(content));
  Harness h(4.0);
  h.start();
  REQUIRE(h.load(origin->url(0) + "manifest.mpd").code == ErrorCode::kOk);
  // Unshaped localhost: all 20 s are buffered almost at once (max_buffer 20 s).
  REQUIRE(h.rec.wait([&] {
    return h.rec.media(TrackType::kVideo).size() == 20 && h.rec.media(TrackType::kAudio).size() == 20 &&
           h.rec.state == EngineState::kPlaying;
  },
                     kLimit));
  std::size_t before = 0;
  h.on_loop([&] {
    auto l = h.rec.lock();
    before = h.rec.downloads.size();
    l.unlock();
    CHECK(h.engine->seek(seconds(15)).code == ErrorCode::kOk);
  });
  REQUIRE(h.rec.wait_state(EngineState::kEnded, kLimit));
  auto lock = h.rec.lock();
  CHECK(h.rec.downloads.size() == before);
  const auto it = std::find_if(h.rec.states.begin(), h.rec.states.end(),
                               [](const StateChange& s) { return s.to == EngineState::kSeeking; });
  REQUIRE(it != h.rec.states.end());
  REQUIRE(std::next(it) != h.rec.states.end());
  CHECK(std::next(it)->to == EngineState::kPlaying);
  CHECK(std::next(it)->position == seconds(15));
}

TEST_CASE("a seek beyond the buffer flushes it and restarts loading at the segment containing the target",
          "[engine][vod][seek]") {
  ContentSpec spec;
  spec.segments = 30;
  SyntheticContent content(spec);
  auto origin = serve(config_for(content));
  Harness h(1.0);
  EngineConfig cfg;
  cfg.load.min_buffer = seconds(2);
  cfg.load.max_buffer = seconds(3);
  cfg.load.startup_buffer = seconds(1);
  cfg.load.rebuffer_buffer = seconds(1);
  h.start(cfg);
  REQUIRE(h.load(origin->url(0) + "manifest.mpd").code == ErrorCode::kOk);
  REQUIRE(h.rec.wait_state(EngineState::kPlaying, kLimit));
  std::size_t before = 0;
  h.on_loop([&] {
    before = h.rec.media(TrackType::kVideo).size();  // the loop is this thread: no event races
    CHECK(h.engine->seek(milliseconds(20'500)).code == ErrorCode::kOk);
    CHECK(h.engine->buffer(TrackType::kVideo)->size() == 0);
  });
  REQUIRE(h.rec.wait([&] {
    return h.rec.state == EngineState::kPlaying && h.rec.states.size() >= 5;
  }, kLimit));
  h.on_loop([&] { h.engine->stop(); });
  auto lock = h.rec.lock();
  const auto media = h.rec.media(TrackType::kVideo);
  REQUIRE(media.size() > before);
  CHECK(media[before].segment_start == seconds(20));
  CHECK(before <= 5);  // only the first few seconds were loaded before the seek
  CHECK(h.rec.states[h.rec.states.size() - 2].to == EngineState::kPlaying);
}

TEST_CASE("multi-period: tracks are selected again at the boundary, whose first segment is a discontinuity",
          "[engine][vod][period]") {
  ContentSpec spec;
  spec.segments = 4;
  spec.periods = 2;
  SyntheticContent content(spec);
  auto origin = serve(config_for(content));
  Harness h(4.0);
  h.start({}, std::make_unique<abr::FixedAlgorithm>(0));
  REQUIRE(h.load(origin->url(0) + "manifest.mpd").code == ErrorCode::kOk);
  REQUIRE(h.rec.wait_state(EngineState::kEnded, kLimit));
  h.on_loop([&] {
    const TrackBuffer* b = h.engine->buffer(TrackType::kVideo);
    REQUIRE(b != nullptr);
    REQUIRE(b->size() == 8);  // 8 s, all within max_behind
    CHECK(b->segments()[3].period == 0);
    CHECK_FALSE(b->segments()[3].discontinuity);
    CHECK(b->segments()[4].period == 1);
    CHECK(b->segments()[4].discontinuity);
    CHECK(b->segments()[4].representation_changed);
    CHECK(b->segments()[4].representation_id == "v1-p1");
    CHECK(b->segments()[4].start == seconds(4));
  });
  auto lock = h.rec.lock();
  CHECK(h.rec.media(TrackType::kAudio).size() == 8);
}

TEST_CASE("SegmentBase: the sidx is fetched and parsed, then media segments are fetched as byte ranges",
          "[engine][vod][sidx]") {
  ContentSpec spec;
  spec.segment_base = true;
  SyntheticContent content(spec);
  auto origin = serve(config_for(content));
  Harness h(4.0);
  h.start({}, std::make_unique<abr::FixedAlgorithm>(1));
  REQUIRE(h.load(origin->url(0) + "manifest.mpd").code == ErrorCode::kOk);
  REQUIRE(h.rec.wait_state(EngineState::kEnded, kLimit));
  auto lock = h.rec.lock();
  int indexes = 0;
  for (const auto& d : h.rec.downloads) indexes += d.kind == DownloadKind::kIndex;
  CHECK(indexes >= 2);  // at least one video and one audio representation
  const auto video = h.rec.media(TrackType::kVideo);
  REQUIRE(video.size() == 8);
  CHECK(video.back().representation_id == "v2");
  CHECK(video.back().bytes == 100'000);
  CHECK(video.back().segment_start == seconds(7));
}

TEST_CASE("a missing MPD ends in the error state with a network code naming the URL", "[engine][errors]") {
  SyntheticContent content({});
  auto origin = serve(config_for(content));
  Harness h;
  EngineConfig cfg;
  cfg.retry.max_attempts = 1;
  h.start(cfg);
  const std::string url = origin->url(0) + "missing.mpd";
  REQUIRE(h.load(url).code == ErrorCode::kOk);
  REQUIRE(h.rec.wait_state(EngineState::kError, kLimit));
  auto lock = h.rec.lock();
  REQUIRE(h.rec.errors.size() == 1);
  CHECK(h.rec.errors[0].code == ErrorCode::kNetworkHttpStatus);
  CHECK(h.rec.errors[0].message.find(url) != std::string::npos);
}

TEST_CASE("a malformed MPD and an MPD without decodable codecs are manifest errors", "[engine][errors]") {
  SyntheticContent content({});
  content.write("broken.mpd", "<MPD><Period>");
  ContentSpec undecodable;
  undecodable.video = {{"x", 100'000, "xyz1.1"}};
  undecodable.audio = {};
  SyntheticContent other(undecodable);
  origin::OriginConfig oc;
  oc.roots = {content.dir().string()};
  auto origin = serve(oc);
  origin::OriginConfig oc2;
  oc2.roots = {other.dir().string()};
  auto origin2 = serve(oc2);
  {
    Harness h;
    h.start();
    REQUIRE(h.load(origin->url(0) + "broken.mpd").code == ErrorCode::kOk);
    REQUIRE(h.rec.wait_state(EngineState::kError, kLimit));
    auto lock = h.rec.lock();
    CHECK(h.rec.errors.at(0).code == ErrorCode::kManifestMalformedXml);
    CHECK(h.rec.errors.at(0).message.find("broken.mpd") != std::string::npos);
  }
  {
    Harness h;
    h.start();
    REQUIRE(h.load(origin2->url(0) + "manifest.mpd").code == ErrorCode::kOk);
    REQUIRE(h.rec.wait_state(EngineState::kError, kLimit));
    auto lock = h.rec.lock();
    CHECK(h.rec.errors.at(0).code == ErrorCode::kManifestNoPlayableContent);
    CHECK(h.rec.errors.at(0).message.find("codec 'xyz1.1'") != std::string::npos);
  }
}

TEST_CASE("load() twice without stop() is refused with kInvalidState", "[engine][errors]") {
  SyntheticContent content({});
  auto origin = serve(config_for(content));
  Harness h;
  h.start();
  REQUIRE(h.load(origin->url(0) + "manifest.mpd").code == ErrorCode::kOk);
  CHECK(h.load(origin->url(0) + "manifest.mpd").code == ErrorCode::kInvalidState);
  // Let the MPD be served before tearing down: stopping an origin that never accepted a
  // connection can hang in httplib (stop() before listen() is running is lost).
  CHECK(h.rec.wait([&] { return h.rec.state != EngineState::kLoading; }, std::chrono::seconds(20)));
}

}  // namespace abrplay::engine::test

namespace abrplay::engine::test {

TEST_CASE("without play_when_ready the engine waits in paused; play() starts it, pause() holds the position",
          "[engine][vod][pause]") {
  ContentSpec spec;
  spec.segments = 20;
  SyntheticContent content(spec);
  origin::OriginConfig oc;
  oc.roots = {content.dir().string()};
  auto origin = serve(oc);
  Harness h(4.0);
  EngineConfig cfg;
  cfg.play_when_ready = false;
  h.start(cfg);
  REQUIRE(h.load(origin->url(0) + "manifest.mpd").code == ErrorCode::kOk);
  REQUIRE(h.rec.wait_state(EngineState::kPaused, std::chrono::seconds(20)));
  h.on_loop([&] {
    CHECK(h.engine->position() == MediaTime{0});
    h.engine->play();
    CHECK(h.engine->state() == EngineState::kPlaying);
  });
  REQUIRE(h.rec.wait([&] { return !h.rec.buffers.empty() && h.rec.buffers.back().position >= std::chrono::seconds(2); },
                     std::chrono::seconds(20)));
  MediaTime held{0};
  h.on_loop([&] {
    h.engine->pause();
    CHECK(h.engine->state() == EngineState::kPaused);
    held = h.engine->position();
  });
  CHECK(held >= std::chrono::seconds(2));
  // Paused, the consumer reports nothing: the position stays where it was.
  h.on_loop([&] { CHECK(h.engine->position() == held); });
  h.on_loop([&] { h.engine->play(); });
  REQUIRE(h.rec.wait_state(EngineState::kEnded, std::chrono::seconds(20)));
  auto lock = h.rec.lock();
  CHECK(h.rec.errors.empty());
}

}  // namespace abrplay::engine::test
