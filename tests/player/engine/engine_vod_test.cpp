// The engine against abrplay-origin on 127.0.0.1 with synthetic VOD content: seeking, pause/play and
// errors (over real sockets, in real time). Its steady-state logic runs on virtual time in
// engine_virtual_test.cpp.
#include <catch2/catch.hpp>

#include "support/origin_session.h"

namespace abrplay::engine::test {

namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

}  // namespace

TEST_CASE("a seek inside the buffer keeps it: no segment is fetched again and playback resumes at the target",
          "[engine][vod][seek]") {
  ContentSpec spec;
  spec.segments = 20;
  SyntheticContent content(spec);
  OriginSession h(content);
  h.start();
  h.open();
  // Unshaped localhost: all 20 s are buffered almost at once (max_buffer 50 s).
  REQUIRE(h.rec.wait(
      [&] {
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
  OriginSession h(content, 1.0);
  EngineConfig cfg;
  cfg.load.min_buffer = seconds(2);
  cfg.load.max_buffer = seconds(3);
  cfg.load.startup_buffer = seconds(1);
  cfg.load.rebuffer_buffer = seconds(1);
  h.start(cfg);
  h.open_until(EngineState::kPlaying);
  std::size_t before = 0;
  h.on_loop([&] {
    before = h.rec.media(TrackType::kVideo).size();  // the loop is this thread: no event races
    CHECK(h.engine->seek(milliseconds(20'500)).code == ErrorCode::kOk);
    CHECK(h.engine->buffer(TrackType::kVideo)->size() == 0);
  });
  REQUIRE(h.rec.wait([&] { return h.rec.state == EngineState::kPlaying && h.rec.states.size() >= 5; }, kLimit));
  h.on_loop([&] { h.engine->stop(); });
  auto lock = h.rec.lock();
  const auto media = h.rec.media(TrackType::kVideo);
  REQUIRE(media.size() > before);
  CHECK(media[before].segment_start == seconds(20));
  CHECK(before <= 5);  // only the first few seconds were loaded before the seek
  CHECK(h.rec.states[h.rec.states.size() - 2].to == EngineState::kPlaying);
}

TEST_CASE("a missing MPD ends in the error state with a network code naming the URL", "[engine][errors]") {
  SyntheticContent content({});
  OriginSession h(content);
  EngineConfig cfg;
  cfg.retry.max_attempts = 1;
  h.start(cfg);
  h.open_until(EngineState::kError, kLimit, "missing.mpd");
  auto lock = h.rec.lock();
  REQUIRE(h.rec.errors.size() == 1);
  CHECK(h.rec.errors[0].code == ErrorCode::kNetworkHttpStatus);
  CHECK(h.rec.errors[0].message.find(h.url("missing.mpd")) != std::string::npos);
}

TEST_CASE("a malformed MPD and an MPD without decodable codecs are manifest errors", "[engine][errors]") {
  SyntheticContent content({});
  content.write("broken.mpd", "<MPD><Period>");
  ContentSpec undecodable;
  undecodable.video = {{"x", 100'000, "xyz1.1"}};
  undecodable.audio = {};
  SyntheticContent other(undecodable);
  {
    OriginSession h(content);
    h.start();
    h.open_until(EngineState::kError, kLimit, "broken.mpd");
    auto lock = h.rec.lock();
    CHECK(h.rec.errors.at(0).code == ErrorCode::kManifestMalformedXml);
    CHECK(h.rec.errors.at(0).message.find("broken.mpd") != std::string::npos);
  }
  {
    OriginSession h(other);
    h.start();
    h.open_until(EngineState::kError);
    auto lock = h.rec.lock();
    CHECK(h.rec.errors.at(0).code == ErrorCode::kManifestNoPlayableContent);
    CHECK(h.rec.errors.at(0).message.find("codec 'xyz1.1'") != std::string::npos);
  }
}

TEST_CASE("load() twice without stop() is refused with kInvalidState", "[engine][errors]") {
  SyntheticContent content({});
  OriginSession h(content);
  h.start();
  h.open();
  CHECK(h.load(h.url("manifest.mpd")).code == ErrorCode::kInvalidState);
  // Let the MPD be served before tearing down: stopping an origin that never accepted a
  // connection can hang in httplib (stop() before listen() is running is lost).
  CHECK(h.rec.wait([&] { return h.rec.state != EngineState::kLoading; }, std::chrono::seconds(20)));
}

}  // namespace abrplay::engine::test

namespace abrplay::engine::test {

TEST_CASE("without play_when_ready the engine waits in paused: play() starts it, pause() holds the position",
          "[engine][vod][pause]") {
  ContentSpec spec;
  spec.segments = 20;
  SyntheticContent content(spec);
  OriginSession h(content);
  EngineConfig cfg;
  cfg.play_when_ready = false;
  h.start(cfg);
  h.open_until(EngineState::kPaused, std::chrono::seconds(20));
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
