// Real-time playback on a fake clock: the audio sink is the master clock, video follows it within
// ±40 ms, late frames are dropped and counted, and pause/rate move the clock as they should.
#include <catch2/catch.hpp>

#include <cmath>
#include <thread>

#include "abrplay/player/media/pipeline.h"
#include "fake_clock.h"
#include "media_test_support.h"

namespace abrplay::media::test {
namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;

struct RealTimeRun {
  abrplay::test::FakeClock clock;
  NullAudioSink audio{clock, NullPace::kWallClock};
  std::vector<SeenFrame> frames;
  std::vector<microseconds> drift;  // frame pts minus the master clock, measured by the test
  MediaPipeline* self = nullptr;
  FrameCallbackVideoSink video{[this](const VideoFrame& f) {
    frames.push_back(SeenFrame{read_frame_code(f), f.pts, f.duration, f.width, f.representation_id});
    drift.push_back(f.pts - self->position());
  }};
  MediaPipeline pipeline;
  explicit RealTimeRun(PipelineConfig config = {}) : pipeline(clock, config, PipelineSinks{&video, &audio, nullptr}) {
    self = &pipeline;
  }

  void feed_all(int video_rep = 2) {
    for (int n = 1; n <= kSegments; ++n) {
      pipeline.feed(TrackType::kVideo).push(load_segment(video_rep, n));
      pipeline.feed(TrackType::kAudio).push(load_segment(6, n));
    }
    pipeline.feed(TrackType::kVideo).end_of_stream();
    pipeline.feed(TrackType::kAudio).end_of_stream();
  }
  // One 10 ms tick of fake time (an audio period). While buffering, waits (real time) for the
  // decode threads instead of letting fake time run away.
  void tick(microseconds step = milliseconds(10)) {
    if (pipeline.state() == PipelineState::kBuffering) {
      pipeline.pump();
      if (pipeline.state() == PipelineState::kBuffering) {
        pipeline.wait(milliseconds(20));
        return;
      }
    }
    clock.advance(step);
    pipeline.pump();
  }
  // Ticks until `media_time` of playback is reached (or the end).
  void play_until(microseconds media_time) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (pipeline.state() != PipelineState::kEnded && pipeline.position() < media_time &&
           std::chrono::steady_clock::now() < deadline) {
      tick();
    }
  }
};

}  // namespace

TEST_CASE("Real-time playback keeps video within 40 ms of the audio clock and shows frames in order", "[media][sync]") {
  RealTimeRun run;
  REQUIRE_FALSE(run.pipeline.start());
  run.feed_all();
  run.play_until(microseconds{9'000'000});
  const MediaStats s = run.pipeline.stats();
  INFO("pos " << run.pipeline.position().count() << " presented " << s.video_frames_presented << " dropped "
              << s.video_frames_dropped_late << " audio " << s.audio_frames_played << " rebuf " << s.rebuffers
              << " last " << run.frames.back().code);
  REQUIRE(run.pipeline.state() == PipelineState::kEnded);
  CHECK(s.video_frames_presented + s.video_frames_dropped_late == 200);
  CHECK(s.video_frames_dropped_late == 0);  // 10 ms ticks against 40 ms frames: none is late
  REQUIRE(run.frames.size() == s.video_frames_presented);
  for (std::size_t i = 1; i < run.frames.size(); ++i) CHECK(run.frames[i].code > run.frames[i - 1].code);
  for (const auto d : run.drift) {
    CHECK(d <= microseconds{0});  // never shown before its time
    CHECK(d >= -milliseconds(40));
  }
  CHECK(s.av_drift_max_abs <= milliseconds(40));
  CHECK(s.audio_frames_played >= 8 * 48'000 - 1024);
}

TEST_CASE("Without an audio track the injected clock drives playback: frames on time, none dropped", "[media][sync]") {
  PipelineConfig config;
  config.audio = false;
  RealTimeRun run(config);
  REQUIRE_FALSE(run.pipeline.start());
  for (int n = 1; n <= kSegments; ++n) run.pipeline.feed(TrackType::kVideo).push(load_segment(1, n));
  run.pipeline.feed(TrackType::kVideo).end_of_stream();
  run.play_until(microseconds{9'000'000});
  REQUIRE(run.pipeline.state() == PipelineState::kEnded);
  const MediaStats s = run.pipeline.stats();
  CHECK(s.video_frames_presented + s.video_frames_dropped_late == 200);
  for (std::size_t i = 1; i < run.frames.size(); ++i) CHECK(run.frames[i].code > run.frames[i - 1].code);
  for (const auto d : run.drift) {
    CHECK(d <= microseconds{0});
    CHECK(d >= -milliseconds(40));
  }
}

TEST_CASE("Coarse ticks make frames late: they are dropped and counted, order is kept", "[media][sync]") {
  // Queues big enough for all of the content, filled before the clock moves, so that decoding speed
  // cannot cause a rebuffer: the drop count then depends on the tick alone.
  PipelineConfig config;
  config.video_queue_frames = 256;
  config.audio_queue = std::chrono::seconds(10);
  RealTimeRun run(config);
  REQUIRE_FALSE(run.pipeline.start());
  run.feed_all(0);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (run.pipeline.stats().video_frames_decoded < 200 && std::chrono::steady_clock::now() < deadline) {
    run.pipeline.wait(milliseconds(50));
  }
  // Audio too: its decode thread has taken every segment (then a moment for the last one), or a
  // busy machine could leave the audio queue short when the clock starts and make a rebuffer.
  while (run.pipeline.feed(TrackType::kAudio).queued() > 0 && std::chrono::steady_clock::now() < deadline) {
    run.pipeline.wait(milliseconds(50));
  }
  std::this_thread::sleep_for(milliseconds(300));
  while (run.pipeline.state() != PipelineState::kEnded && std::chrono::steady_clock::now() < deadline) {
    run.tick(milliseconds(100));  // 100 ms between presentations: 2 or 3 frames due each time
  }
  const MediaStats s = run.pipeline.stats();
  CHECK(s.rebuffers == 0);
  CHECK(s.video_frames_dropped_late > 100);  // 2.5 frames due per tick, one shown
  CHECK(s.video_frames_presented + s.video_frames_dropped_late == 200);
  for (std::size_t i = 1; i < run.frames.size(); ++i) CHECK(run.frames[i].code > run.frames[i - 1].code);
}

TEST_CASE("Pause freezes the clock and the picture: resume continues from the same point", "[media][controls]") {
  RealTimeRun run;
  REQUIRE_FALSE(run.pipeline.start());
  run.feed_all();
  run.play_until(microseconds{2'000'000});
  run.pipeline.pause();
  run.pipeline.pump();
  const auto at = run.pipeline.position();
  const auto shown = run.frames.size();
  for (int i = 0; i < 100; ++i) run.tick();  // 1 s of fake time
  CHECK(run.pipeline.state() == PipelineState::kPaused);
  CHECK(run.pipeline.position() == at);
  CHECK(run.frames.size() == shown);
  run.pipeline.resume();
  run.play_until(at + milliseconds(500));
  CHECK(run.frames.size() > shown);
  CHECK(run.frames[shown].code == run.frames[shown - 1].code + 1);  // no frame skipped over the pause
}

TEST_CASE("Rate 2.0 moves the clock twice as fast as time: rates outside 0.5..2.0 are refused", "[media][controls]") {
  RealTimeRun run;
  REQUIRE_FALSE(run.pipeline.start());
  run.feed_all();
  run.play_until(microseconds{1'000'000});
  CHECK(run.pipeline.set_rate(3.0)->code == ErrorCode::kInvalidArgument);
  CHECK(run.pipeline.set_rate(0.25)->code == ErrorCode::kInvalidArgument);
  REQUIRE_FALSE(run.pipeline.set_rate(2.0));
  const auto pos0 = run.pipeline.position();
  const auto t0 = run.clock.elapsed();
  run.play_until(pos0 + microseconds{2'000'000});
  const auto media = run.pipeline.position() - pos0;
  const auto wall = run.clock.elapsed() - t0;
  CHECK(std::abs(static_cast<double>(media.count()) / static_cast<double>(wall.count()) - 2.0) < 0.05);
  const MediaStats s = run.pipeline.stats();
  for (std::size_t i = 0; i < run.drift.size(); ++i)
    if (std::chrono::abs(run.drift[i]) > milliseconds(40)) {
      UNSCOPED_INFO("i " << i << " code " << run.frames[i].code << " pts " << run.frames[i].pts.count() << " drift "
                         << run.drift[i].count());
    }
  CHECK(s.av_drift_max_abs <= milliseconds(40));
}

}  // namespace abrplay::media::test
