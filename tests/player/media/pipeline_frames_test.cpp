// Headless decoding of the real test content, as fast as possible: every frame once and in order,
// seamless representation switches, hardware fallback.
#include <catch2/catch.hpp>

#include "abrplay/player/media/pipeline.h"
#include "media_test_support.h"

namespace abrplay::media::test {
namespace {

using std::chrono::microseconds;

// Every frame 0..199 exactly once, in order, 40 ms apart, with no gap or repeat in time.
void check_all_frames_once(const std::vector<SeenFrame>& frames) {
  REQUIRE(frames.size() == static_cast<std::size_t>(kSegments * kFramesPerSegment));
  for (std::size_t i = 0; i < frames.size(); ++i) {
    INFO("frame index " << i << " rep " << frames[i].rep);
    CHECK(frames[i].code == static_cast<int>(i));
    CHECK(frames[i].duration == microseconds{40'000});
    if (i > 0) CHECK(frames[i].pts - frames[i - 1].pts == microseconds{40'000});
  }
}

}  // namespace

TEST_CASE("Fast playback of one representation presents every frame exactly once and in order", "[media][frames]") {
  FastRun run;
  REQUIRE_FALSE(run.pipeline.start());
  for (int n = 1; n <= kSegments; ++n) {
    run.pipeline.feed(TrackType::kVideo).push(load_segment(3, n));
    run.pipeline.feed(TrackType::kAudio).push(load_segment(6, n));
  }
  run.pipeline.feed(TrackType::kVideo).end_of_stream();
  run.pipeline.feed(TrackType::kAudio).end_of_stream();
  REQUIRE(run_to_end(run.pipeline));
  check_all_frames_once(run.frames);
  // The first frame sits on the MPD timeline at 0 (+ the encoder's 21 ms composition offset).
  CHECK(run.frames.front().pts >= microseconds{0});
  CHECK(run.frames.front().pts < microseconds{40'000});
  const MediaStats s = run.pipeline.stats();
  CHECK(s.video_frames_decoded == 200);
  CHECK(s.video_frames_presented == 200);
  CHECK(s.errors == 0);
  // 8 s of 48 kHz audio, give or take one AAC frame of encoder priming/padding.
  CHECK(s.audio_frames_played >= 8 * 48'000 - 1024);
  CHECK(s.audio_frames_played <= 8 * 48'000 + 2 * 1024);
}

TEST_CASE("A switch at every segment, across resolutions, leaves no gap and no repeat", "[media][switch]") {
  // 240p -> 1080p (new resolution: decoder re-created), then 1080p@2.8M -> 1080p@4.3M.
  const std::vector<std::vector<int>> plans{{0, 4}, {4, 0}, {4, 5}, {5, 3}};
  for (const auto& plan : plans) {
    DYNAMIC_SECTION("representations " << plan[0] << " then " << plan[1]) {
      FastRun run;
      REQUIRE_FALSE(run.pipeline.start());
      for (int n = 1; n <= kSegments; ++n) {
        run.pipeline.feed(TrackType::kVideo).push(load_segment(plan[static_cast<std::size_t>(n - 1)], n, n > 1));
      }
      for (int n = 1; n <= kSegments; ++n) run.pipeline.feed(TrackType::kAudio).push(load_segment(6, n));
      run.pipeline.feed(TrackType::kVideo).end_of_stream();
      run.pipeline.feed(TrackType::kAudio).end_of_stream();
      REQUIRE(run_to_end(run.pipeline));
      check_all_frames_once(run.frames);
      CHECK(run.frames[99].rep == std::to_string(plan[0]));
      CHECK(run.frames[100].rep == std::to_string(plan[1]));
      const MediaStats s = run.pipeline.stats();
      const bool resolution_changed = run.frames[99].width != run.frames[100].width;
      // 1080p 2.8M and 4.3M share their avcC (SPS/PPS): the decoder and its references are kept.
      CHECK(s.decoder_reinits == (resolution_changed ? 1u : 0u));
      CHECK(s.errors == 0);
    }
  }
}

TEST_CASE("A segment whose tfdt disagrees with its MPD start by more than 0.5 s is mapped onto the MPD start",
          "[media][timeline]") {
  FastRun run;
  REQUIRE_FALSE(run.pipeline.start());
  run.pipeline.feed(TrackType::kVideo).push(load_segment(2, 1));
  MediaSegment moved = load_segment(2, 2);
  moved.start = std::chrono::seconds(60);  // e.g. a new period whose media time restarts elsewhere
  moved.discontinuity = true;
  run.pipeline.feed(TrackType::kVideo).push(moved);
  for (int n = 1; n <= kSegments; ++n) run.pipeline.feed(TrackType::kAudio).push(load_segment(6, n));
  run.pipeline.feed(TrackType::kVideo).end_of_stream();
  run.pipeline.feed(TrackType::kAudio).end_of_stream();
  REQUIRE(run_to_end(run.pipeline));
  REQUIRE(run.frames.size() == 200);
  CHECK(run.frames[99].pts < std::chrono::seconds(4));
  // The segment's first packet (its IDR, the earliest picture) lands exactly on the MPD start,
  // and the frames after it keep their 40 ms spacing.
  CHECK(run.frames[100].pts == std::chrono::seconds(60));
  for (std::size_t i = 101; i < 200; ++i) CHECK(run.frames[i].pts - run.frames[i - 1].pts == microseconds{40'000});
  for (std::size_t i = 0; i < 200; ++i) CHECK(run.frames[i].code == static_cast<int>(i));
}

TEST_CASE("Hardware decoding that cannot start falls back to software and still decodes every frame", "[media][hw]") {
  for (const char* device : {"no-such-device", "vaapi", "vdpau"}) {
    DYNAMIC_SECTION("hw_device " << device) {
      PipelineConfig c;
      c.hw_device = device;
      c.audio = false;
      FastRun run(c);
      REQUIRE_FALSE(run.pipeline.start());
      for (int n = 1; n <= kSegments; ++n) run.pipeline.feed(TrackType::kVideo).push(load_segment(1, n));
      run.pipeline.feed(TrackType::kVideo).end_of_stream();
      REQUIRE(run_to_end(run.pipeline));
      const auto events = run.pipeline.take_events();
      const MediaStats s = run.pipeline.stats();
      if (!s.hardware_decoding) {  // the usual case in CI: no GPU
        bool fallback = false;
        for (const auto& e : events) fallback = fallback || e.kind == MediaEvent::Kind::kHardwareFallback;
        CHECK(fallback);
      }
      check_all_frames_once(run.frames);
    }
  }
}

TEST_CASE("A pipeline with an audio track but no audio sink refuses to start", "[media]") {
  SystemClock clock;
  MediaPipeline p(clock, PipelineConfig{}, PipelineSinks{});
  const auto e = p.start();
  REQUIRE(e);
  CHECK(e->code == ErrorCode::kInvalidArgument);
}

}  // namespace abrplay::media::test
