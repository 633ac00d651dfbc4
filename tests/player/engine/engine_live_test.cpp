// The engine on abrplay-origin's live simulation: UTCTiming sync, start behind the live edge,
// MPD refresh, waiting for segments, and jumping forward out of a missed time-shift window.
#include <catch2/catch.hpp>

#include "abrplay/abr/algorithm/fixed.h"
#include "support/origin_session.h"

namespace abrplay::engine::test {

namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// The origin's clock runs one hour ahead of this machine's: only a UTCTiming sync makes the
// engine's idea of the live edge right.
origin::OriginConfig live_config(const SyntheticContent& content, seconds preroll, seconds window) {
  origin::OriginConfig oc = serving(content);
  oc.live = true;
  oc.live_preroll = preroll;
  oc.live_window = window;
  oc.wall_clock = [] { return std::chrono::system_clock::now() + std::chrono::hours(1); };
  return oc;
}

// 60 one-second segments: long enough for a live session to outlive several MPD refreshes.
ContentSpec live_spec(bool timeline = false) {
  ContentSpec spec;
  spec.segments = 60;
  spec.timeline = timeline;
  return spec;
}

// Starts the engine with `config` and the lowest representation pinned, loads the origin's live
// MPD and waits until it plays.
void play_live(OriginSession& h, EngineConfig config = {}) {
  h.start(std::move(config), std::make_unique<abr::FixedAlgorithm>(0));
  h.open_until(EngineState::kPlaying);
}

// Waits until `more` video segments beyond those fetched so far have arrived.
bool wait_more_video(Harness& h, std::size_t more) {
  std::size_t count = 0;
  {
    auto l = h.rec.lock();
    count = h.rec.media(TrackType::kVideo).size();
  }
  return h.rec.wait([&] { return h.rec.media(TrackType::kVideo).size() >= count + more; }, kLimit);
}

}  // namespace

TEST_CASE("live: syncs the clock by UTCTiming, starts the suggested delay behind the edge, refreshes the MPD "
          "and keeps up by waiting for each segment",
          "[engine][live]") {
  SyntheticContent content(live_spec());
  OriginSession h(live_config(content, seconds(8), seconds(30)), 1.0);
  play_live(h);
  // Three more segments published after the start, each fetched once it is available.
  REQUIRE(wait_more_video(h, 3));
  MediaTime latency{0};
  h.on_loop([&] {
    CHECK(std::chrono::abs(h.engine->clock_offset() - std::chrono::hours(1)) < milliseconds(500));
    const auto edge = h.engine->manifest()->availability_start_time;
    REQUIRE(edge.has_value());
    const auto now = std::chrono::system_clock::now() + std::chrono::hours(1);
    latency = std::chrono::duration_cast<MediaTime>(now - *edge) - h.engine->position();
    h.engine->stop();
  });
  // suggestedPresentationDelay is 2 s (two 1 s segments); playback stays within a few seconds.
  CHECK(latency > seconds(1));
  CHECK(latency < seconds(5));
  auto lock = h.rec.lock();
  CHECK(h.rec.errors.empty());
  CHECK(h.rec.warnings.empty());  // no 404 for a segment requested too early
  const auto video = h.rec.media(TrackType::kVideo);
  REQUIRE(!video.empty());
  // AST = start - 8 s; edge 8 s; start at 6 s: the segment [6, 7).
  CHECK((video.front().segment_start == seconds(6) ||
         video.front().segment_start == seconds(7)));  // as below: real clock
  for (std::size_t i = 1; i < video.size(); ++i)
    CHECK(video[i].segment_start == video[i - 1].segment_start + seconds(1));
  int manifests = 0, syncs = 0;
  for (const auto& d : h.rec.downloads) {
    manifests += d.kind == DownloadKind::kManifest;
    syncs += d.kind == DownloadKind::kClockSync;
  }
  CHECK(syncs == 1);
  CHECK(manifests >= 3);  // minimumUpdatePeriod is 1 s
}

TEST_CASE("live: a start position outside the time-shift window jumps forward to the oldest available segment",
          "[engine][live]") {
  ContentSpec spec;
  spec.segments = 80;
  spec.audio = {};
  SyntheticContent content(spec);
  OriginSession h(live_config(content, seconds(40), seconds(4)), 1.0);
  EngineConfig cfg;
  cfg.live_delay = seconds(20);  // edge 40 s - 20 s = 20 s, long gone from a 4 s window
  play_live(h, cfg);
  h.on_loop([&] { h.engine->stop(); });
  auto lock = h.rec.lock();
  CHECK(h.rec.errors.empty());
  REQUIRE_FALSE(h.rec.warnings.empty());
  CHECK(h.rec.warnings.front().message.find("fell out of the time-shift window") != std::string::npos);
  const auto video = h.rec.media(TrackType::kVideo);
  REQUIRE_FALSE(video.empty());
  CHECK(video.front().segment_start >= seconds(33));
}

}  // namespace abrplay::engine::test

namespace abrplay::engine::test {

TEST_CASE("live with a SegmentTimeline: the loader waits for each MPD refresh to learn the next segment",
          "[engine][live]") {
  SyntheticContent content(live_spec(/*timeline=*/true));
  OriginSession h(live_config(content, seconds(8), seconds(30)), 1.0);
  play_live(h);
  // The trimmed timeline lists only published segments: new ones come with refreshed MPDs.
  REQUIRE(wait_more_video(h, 2));
  h.on_loop([&] { h.engine->stop(); });
  auto lock = h.rec.lock();
  CHECK(h.rec.errors.empty());
  CHECK(h.rec.warnings.empty());
  const auto video = h.rec.media(TrackType::kVideo);
  // The live edge follows the real clock: when a second boundary passes between the origin's start
  // and the load, the edge (and so the first segment) is one 1 s segment later.
  CHECK((video.front().segment_start == seconds(6) || video.front().segment_start == seconds(7)));
  for (std::size_t i = 1; i < video.size(); ++i)
    CHECK(video[i].segment_start == video[i - 1].segment_start + seconds(1));
  std::size_t stalls = 0;
  for (std::size_t i = 1; i < h.rec.states.size(); ++i) {
    stalls += h.rec.states[i - 1].to == EngineState::kPlaying && h.rec.states[i].to == EngineState::kBuffering;
  }
  CHECK(stalls == 0);
}

TEST_CASE("live: MPD refreshes that fail are warnings: playback goes on with the segments the template gives",
          "[engine][live][errors]") {
  SyntheticContent content(live_spec());
  origin::OriginConfig oc = live_config(content, seconds(8), seconds(30));
  oc.cdns[0].faults = fault_plan(R"({"rules": [{"match": "*.mpd", "from_s": 1, "fault": "status", "status": 503}]})");
  OriginSession h(std::move(oc), 1.0);
  play_live(h);
  const auto refresh_failed = [&] {
    for (const auto& w : h.rec.warnings) {
      if (w.message.rfind("MPD ", 0) == 0 && w.message.find("503") != std::string::npos) return true;
    }
    return false;
  };
  REQUIRE(h.rec.wait(refresh_failed, kLimit));
  REQUIRE(wait_more_video(h, 2));
  h.on_loop([&] { h.engine->stop(); });
  auto lock = h.rec.lock();
  CHECK(h.rec.errors.empty());
}

TEST_CASE("live: a jump of the local wall clock does not move the live edge (time runs on the monotonic clock)",
          "[engine][live]") {
  const auto jump = GENERATE(std::chrono::hours(1), -std::chrono::hours(1));
  CAPTURE(jump.count());
  SyntheticContent content(live_spec());
  OriginSession h(live_config(content, seconds(8), seconds(30)), 1.0);
  play_live(h);
  h.clock.step_wall(jump);
  // Segments keep coming one per second, each once it is published: no 404s, no jump in the window.
  REQUIRE(wait_more_video(h, 3));
  h.on_loop([&] { h.engine->stop(); });
  auto lock = h.rec.lock();
  CHECK(h.rec.errors.empty());
  CHECK(h.rec.warnings.empty());
  const auto video = h.rec.media(TrackType::kVideo);
  for (std::size_t i = 1; i < video.size(); ++i)
    CHECK(video[i].segment_start == video[i - 1].segment_start + seconds(1));
}

}  // namespace abrplay::engine::test
