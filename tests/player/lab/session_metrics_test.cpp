// SessionMetrics: the figures of a session from engine events on a manual clock: startup, stalls,
// and QoE_lin sampled per second of media from the rendition at the playhead.
#include <catch2/catch.hpp>

#include "abrplay/player/engine/session_metrics.h"
#include "abrplay/player/lab/manual_clock.h"

namespace abrplay::lab::test {

namespace {
using engine::DownloadEvent;
using engine::EngineState;
using std::chrono::seconds;

DownloadEvent video_segment(int start_s, const std::string& rep, std::uint64_t bps, bool abandoned = false) {
  DownloadEvent e;
  e.kind = engine::DownloadKind::kMedia;
  e.track = TrackType::kVideo;
  e.representation_id = rep;
  e.bandwidth = abrplay::DataRate::bits_per_second(static_cast<double>(bps));
  e.segment_start = seconds(start_s);
  e.segment_duration = seconds(4);
  e.bytes = abrplay::DataSize::bytes(bps / 2);
  e.abandoned = abandoned;
  return e;
}

engine::BufferLevelEvent at(int position_s) {
  engine::BufferLevelEvent b;
  b.position = seconds(position_s);
  return b;
}
}  // namespace

TEST_CASE("QoE_lin per second: utility of the rendition shown, switch and stall penalties, on the clock",
          "[lab][metrics]") {
  ManualClock clock;
  engine::SessionMetrics m(clock);
  clock.advance(seconds(1));
  m.on_download(video_segment(0, "lo", 1'000'000));
  m.on_download(video_segment(4, "hi", 3'000'000, true));  // abandoned: never shown
  m.on_download(video_segment(4, "lo", 1'000'000));
  m.on_download(video_segment(8, "hi", 3'000'000));
  m.on_state({EngineState::kBuffering, EngineState::kPlaying, seconds(0)});
  m.on_buffer(at(10));
  m.on_state({EngineState::kPlaying, EngineState::kBuffering, seconds(10)});
  clock.advance(seconds(2));
  m.on_state({EngineState::kBuffering, EngineState::kPlaying, seconds(10)});
  m.on_buffer(at(12));
  m.on_state({EngineState::kPlaying, EngineState::kEnded, seconds(12)});
  const auto f = m.figures();
  REQUIRE(f.startup_s);
  CHECK(*f.startup_s == Approx(1.0));
  CHECK(f.stalls == 1);
  CHECK(f.stall_s == Approx(2.0));
  CHECK(f.abandoned == 1);
  CHECK(f.switches == 1);
  // 8 s at 1 Mbps, 4 s at 3 Mbps: utility (8 x 1 + 4 x 3) / 4 = 5; one switch of 2 Mbps; 2 s stalled.
  CHECK(f.bitrate.kbps() == Approx((8 * 1000.0 + 4 * 3000.0) / 12));
  CHECK(f.qoe_lin == Approx(5.0 - 2.0 - 4.3 * 2.0));
  REQUIRE(f.video_segments.size() == 3);
  CHECK(f.video_segments[1].representation_id == "lo");
}

TEST_CASE("a second the playhead stepped over (a skipped segment) counts nothing and blocks nothing",
          "[lab][metrics]") {
  ManualClock clock;
  engine::SessionMetrics m(clock);
  m.on_download(video_segment(0, "lo", 1'000'000));
  m.on_download(video_segment(8, "lo", 1'000'000));
  m.on_state({EngineState::kBuffering, EngineState::kPlaying, seconds(0)});
  m.on_buffer(at(12));
  const auto f = m.figures();
  CHECK(f.bitrate.kbps() == Approx(1000));
  CHECK(f.qoe_lin == Approx(8 * 0.25));
  CHECK(f.switches == 0);
}

}  // namespace abrplay::lab::test
