// Bad input: corrupt or truncated segments are skipped with an error event and playback goes on.
#include <catch2/catch.hpp>

#include <random>

#include "abrplay/player/media/pipeline.h"
#include "media_test_support.h"

namespace abrplay::media::test {
namespace {

struct ErrorRun : FastRun {
  // Plays `first` as segment 1 and a good segment 2.
  std::vector<MediaEvent> play(MediaSegment first) {
    REQUIRE_FALSE(pipeline.start());
    pipeline.feed(TrackType::kVideo).push(std::move(first));
    pipeline.feed(TrackType::kVideo).push(load_segment(3, 2));
    for (int n = 1; n <= kSegments; ++n) pipeline.feed(TrackType::kAudio).push(load_segment(6, n));
    pipeline.feed(TrackType::kVideo).end_of_stream();
    pipeline.feed(TrackType::kAudio).end_of_stream();
    REQUIRE(run_to_end(pipeline));
    return pipeline.take_events();
  }
};

std::vector<Error> errors_of(const std::vector<MediaEvent>& events) {
  std::vector<Error> out;
  for (const auto& e : events) {
    if (e.kind == MediaEvent::Kind::kError) out.push_back(e.error);
  }
  return out;
}

MediaSegment with_data(MediaSegment s, std::vector<std::uint8_t> data) {
  s.data = std::make_shared<std::vector<std::uint8_t>>(std::move(data));
  return s;
}

// Segment 2's 100 frames all arrive, in order, after whatever segment 1 gave.
void check_second_segment_played(const std::vector<SeenFrame>& frames) {
  REQUIRE(frames.size() >= 100);
  const std::size_t first = frames.size() - 100;
  for (std::size_t i = 0; i < 100; ++i) CHECK(frames[first + i].code == static_cast<int>(100 + i));
}

}  // namespace

TEST_CASE("A truncated segment is skipped whole with a demux error naming it and the byte offset", "[media][errors]") {
  ErrorRun run;
  MediaSegment bad = load_segment(3, 1);
  std::vector<std::uint8_t> half(bad.data->begin(),
                                 bad.data->begin() + static_cast<std::ptrdiff_t>(bad.data->size() / 2));
  const auto events = run.play(with_data(bad, half));
  const auto errors = errors_of(events);
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].code == ErrorCode::kMediaDemux);
  CHECK(errors[0].message.find("segment 1 of representation '3'") != std::string::npos);
  CHECK(errors[0].message.find("byte offset") != std::string::npos);
  CHECK(errors[0].message.find("truncated") != std::string::npos);
  CHECK(run.frames.size() == 100);
  check_second_segment_played(run.frames);
  CHECK(run.pipeline.stats().segments_skipped == 1);
}

TEST_CASE("A segment of random bytes is skipped with a demux error", "[media][errors]") {
  ErrorRun run;
  std::mt19937 rng(7);
  std::vector<std::uint8_t> noise(50'000);
  for (auto& b : noise) b = static_cast<std::uint8_t>(rng());
  const auto errors = errors_of(run.play(with_data(load_segment(3, 1), noise)));
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].code == ErrorCode::kMediaDemux);
  CHECK(run.frames.size() == 100);
  check_second_segment_played(run.frames);
}

TEST_CASE("A segment with garbage inside its mdat plays on: decode errors are events, not crashes", "[media][errors]") {
  ErrorRun run;
  MediaSegment s = load_segment(3, 1);
  std::vector<std::uint8_t> data(*s.data);
  std::mt19937 rng(11);
  // Overwrite 4 KiB in the middle of the samples (mdat dominates the segment).
  for (std::size_t i = data.size() / 2; i < data.size() / 2 + 4096; ++i) data[i] = static_cast<std::uint8_t>(rng());
  const auto errors = errors_of(run.play(with_data(s, data)));
  for (const auto& e : errors) CHECK((e.code == ErrorCode::kMediaDecode || e.code == ErrorCode::kMediaDemux));
  check_second_segment_played(run.frames);
  CHECK(run.pipeline.state() == PipelineState::kEnded);
}

TEST_CASE("A missing or truncated init segment is a demux error and the next segment plays", "[media][errors]") {
  ErrorRun run;
  MediaSegment s = load_segment(3, 1);
  s.init = std::make_shared<std::vector<std::uint8_t>>(s.init->begin(), s.init->begin() + 100);
  const auto errors = errors_of(run.play(s));
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].code == ErrorCode::kMediaDemux);
  CHECK(errors[0].message.find("init segment") != std::string::npos);
  check_second_segment_played(run.frames);
}

TEST_CASE("Segments cut at many offsets or with bytes flipped in their moof never crash or hang the pipeline",
          "[media][errors]") {
  SystemClock clock;
  NullAudioSink audio(clock, NullPace::kAsFastAsPossible);
  std::vector<SeenFrame> frames;
  FrameCallbackVideoSink video([&](const VideoFrame& f) {
    frames.push_back(SeenFrame{read_frame_code(f), f.pts, f.duration, f.width, f.representation_id});
  });
  PipelineConfig c;
  c.mode = PresentMode::kAsFastAsPossible;
  c.audio = false;
  MediaPipeline p(clock, c, PipelineSinks{&video, &audio, nullptr});
  REQUIRE_FALSE(p.start());
  const MediaSegment good = load_segment(0, 1);
  const auto& bytes = *good.data;
  std::mt19937 rng(3);
  int bad_segments = 0;
  for (int i = 1; i <= 12; ++i) {  // truncated at 12 points spread over the segment
    p.feed(TrackType::kVideo)
        .push(with_data(good, std::vector<std::uint8_t>(bytes.begin(),
                                                        bytes.begin() +
                                                            static_cast<std::ptrdiff_t>(
                                                                bytes.size() * static_cast<std::size_t>(i) / 13))));
    ++bad_segments;
  }
  for (int i = 0; i < 12; ++i) {  // 16 random bytes flipped in the first 1 KiB (styp, sidx, moof, trun)
    std::vector<std::uint8_t> d(bytes);
    for (int k = 0; k < 16; ++k) d[rng() % 1024] ^= static_cast<std::uint8_t>(1 + rng() % 255);
    p.feed(TrackType::kVideo).push(with_data(good, d));
  }
  MediaSegment last = load_segment(0, 2);
  last.discontinuity = true;
  p.feed(TrackType::kVideo).push(last);
  p.feed(TrackType::kVideo).end_of_stream();
  REQUIRE(run_to_end(p));
  const auto errors = errors_of(p.take_events());
  CHECK(errors.size() >= static_cast<std::size_t>(bad_segments));  // every truncation is reported
  for (const auto& e : errors) CHECK((e.code == ErrorCode::kMediaDemux || e.code == ErrorCode::kMediaDecode));
  check_second_segment_played(frames);
}

}  // namespace abrplay::media::test
