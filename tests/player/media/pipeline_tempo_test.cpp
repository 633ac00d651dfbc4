// Playback rate with the pitch kept (FFmpeg's atempo through libavfilter): the real content's
// 440 Hz tone (audio en) played at 1.1x and 0.9x into a capturing sink stays at 440 Hz, media is
// consumed at the rate asked (samples and clock), video follows the audio clock, a change back to
// 1.0 takes the filter out of the path, and rates outside 0.5..2.0 are refused.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <numbers>

#include "abrplay/player/media/pipeline.h"
#include "fake_clock.h"
#include "media_test_support.h"
#include "time_stretch.h"

namespace abrplay::media::test {
namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;

// The en track decodes to 385024 sample frames (376 AAC frames of 1024: 8 s and the encoder's
// padding), 8.021 s.
constexpr double kEnAudioSeconds = 385'024 / 48'000.0;

// Reads the source at the injected clock's pace (like NullAudioSink kWallClock) and keeps every
// sample frame read (first channel), silence included, so output time = samples / rate.
struct CaptureAudioSink final : AudioSink {
  explicit CaptureAudioSink(const Clock& c) : clock(c) {}
  Expected<AudioFormat, Error> open(const AudioFormat& preferred, AudioSource& s) override {
    source = &s;
    format = preferred;
    return preferred;
  }
  void set_paused(bool p) override {
    if (paused && !p) last = clock.steady();
    paused = p;
  }
  void pump() override {
    if (source == nullptr || paused) return;
    const auto ch = static_cast<std::size_t>(format.channels);
    const SteadyTime now = clock.steady();
    auto owed = static_cast<std::size_t>(
        std::llround(std::chrono::duration<double>(now - last).count() * format.sample_rate));
    last = now;
    std::vector<float> block;
    while (owed > 0) {
      const std::size_t n = std::min<std::size_t>(owed, 480);
      block.assign(n * ch, 0.0F);
      media_frames += source->read(block);
      for (std::size_t i = 0; i < n; ++i) mono.push_back(block[i * ch]);
      owed -= n;
    }
  }
  microseconds latency() const override { return microseconds{0}; }
  void close() override { source = nullptr; }

  const Clock& clock;
  AudioSource* source = nullptr;
  AudioFormat format;
  bool paused = true;
  SteadyTime last{};
  std::vector<float> mono;       // every frame read, silence included
  std::size_t media_frames = 0;  // frames that carried media
};

// What the old path (linear-interpolation resampling at `rate`) would play: shows the measure can
// tell 484 Hz from 440 Hz.
std::vector<float> resampled(const std::vector<float>& in, double rate) {
  std::vector<float> out;
  for (double x = 0; x + 1 < static_cast<double>(in.size()); x += rate) {
    const auto i = static_cast<std::size_t>(x);
    out.push_back(static_cast<float>(in[i] + (in[i + 1] - in[i]) * (x - static_cast<double>(i))));
  }
  return out;
}

struct TempoRun {
  bool with_video = false;
  abrplay::test::FakeClock clock;
  CaptureAudioSink audio{clock};
  std::vector<microseconds> drift;  // presented pts minus the master clock
  MediaPipeline* self = nullptr;
  FrameCallbackVideoSink video{[this](const VideoFrame& f) { drift.push_back(f.pts - self->position()); }};
  MediaPipeline pipeline;
  explicit TempoRun(bool video_too)
      : with_video(video_too),
        pipeline(clock, config(video_too), PipelineSinks{video_too ? &video : nullptr, &audio, nullptr}) {
    self = &pipeline;
  }
  // Queues that hold all of the content and playback that starts only once all the audio is
  // decoded: the fake clock runs faster than real time, and a decode thread falling behind it would
  // make rebuffers (stopped clock, silence) that these measurements are not about.
  static PipelineConfig config(bool video_too) {
    PipelineConfig c;
    c.video = video_too;
    c.video_queue_frames = 256;
    c.audio_queue = std::chrono::seconds(10);
    c.prebuffer = milliseconds(7900);
    return c;
  }
  void wait_for_video() {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (pipeline.stats().video_frames_decoded < 200 && std::chrono::steady_clock::now() < deadline) {
      pipeline.wait(milliseconds(50));
    }
  }
  // Audio en (440 Hz) and, with video, the 240p rendition (cheap to decode).
  void feed_all() {
    for (int n = 1; n <= kSegments; ++n) {
      if (with_video) pipeline.feed(TrackType::kVideo).push(load_segment(0, n));
      pipeline.feed(TrackType::kAudio).push(load_segment(6, n));
    }
    if (with_video) pipeline.feed(TrackType::kVideo).end_of_stream();
    pipeline.feed(TrackType::kAudio).end_of_stream();
  }
  // One 10 ms tick of fake time; while buffering, waits (real time) for the decode threads.
  void tick() {
    if (pipeline.state() == PipelineState::kBuffering) {
      pipeline.pump();
      if (pipeline.state() == PipelineState::kBuffering) {
        pipeline.wait(milliseconds(20));
        return;
      }
    }
    clock.advance(milliseconds(10));
    pipeline.pump();
  }
  void play_until(microseconds media_time) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (pipeline.state() != PipelineState::kEnded && pipeline.position() < media_time &&
           std::chrono::steady_clock::now() < deadline) {
      tick();
    }
  }
};

// Plays the en track from 0.5 s of media at `rate` for 3 s of media; returns the tone heard.
double tone_at(double rate, std::size_t* frames_out = nullptr) {
  TempoRun run(false);
  REQUIRE_FALSE(run.pipeline.start());
  run.feed_all();
  run.play_until(milliseconds(500));
  REQUIRE_FALSE(run.pipeline.set_rate(rate));
  const std::size_t from = run.audio.mono.size() + 4800;  // 100 ms after the change
  run.play_until(milliseconds(3500));
  REQUIRE(run.pipeline.position() >= milliseconds(3500));
  if (frames_out != nullptr) *frames_out = run.audio.mono.size() - from;
  CHECK(run.pipeline.stats().audio_time_stretch == (rate != 1.0));
  return dominant_hz(run.audio.mono, from, run.audio.mono.size(), run.audio.format.sample_rate);
}

}  // namespace

TEST_CASE("At 1.1x and 0.9x the 440 Hz tone stays at 440 Hz within 2 percent (pitch kept)", "[media][tempo]") {
  const double at_1 = tone_at(1.0);
  INFO("1.0x: " << at_1 << " Hz");
  CHECK(std::abs(at_1 - 440) < 440 * 0.02);
  const double fast = tone_at(1.1);
  const double slow = tone_at(0.9);
  INFO("1.1x: " << fast << " Hz, 0.9x: " << slow << " Hz");
  CHECK(std::abs(fast - 440) < 440 * 0.02);
  CHECK(std::abs(slow - 440) < 440 * 0.02);
}

TEST_CASE("The measure tells resampled audio apart: linear resampling at 1.1x gives 484 Hz", "[media][tempo]") {
  // The 1.0x output resampled the way the pipeline did before the time-stretch: the pitch follows.
  TempoRun run(false);
  REQUIRE_FALSE(run.pipeline.start());
  run.feed_all();
  run.play_until(milliseconds(3000));
  const auto up = resampled(run.audio.mono, 1.1);
  const double hz = dominant_hz(up, 4800, up.size(), 48'000);
  INFO(hz << " Hz");
  CHECK(std::abs(hz - 484) < 484 * 0.02);
}

TEST_CASE("At 1.1x and 0.9x media is consumed at the rate: samples, clock and video agree", "[media][tempo][sync]") {
  const double rate = GENERATE(1.1, 0.9);
  TempoRun run(true);
  REQUIRE_FALSE(run.pipeline.start());
  run.feed_all();
  run.wait_for_video();
  run.play_until(milliseconds(1000));
  REQUIRE_FALSE(run.pipeline.set_rate(rate));
  run.play_until(milliseconds(1200));  // past the change (filter window and what was ready)
  const auto pos0 = run.pipeline.position();
  const auto t0 = run.clock.elapsed();
  const auto frames0 = run.audio.mono.size();
  const auto drift0 = run.drift.size();
  const auto media0 = run.audio.media_frames;
  run.play_until(pos0 + milliseconds(3000));
  const auto media = run.pipeline.position() - pos0;
  const auto wall = run.clock.elapsed() - t0;
  const double out_s = static_cast<double>(run.audio.mono.size() - frames0) / 48'000;
  const MediaStats s = run.pipeline.stats();
  INFO("rate " << rate << " media " << media.count() << " us, wall " << wall.count() << " us, output " << out_s
               << " s, rebuffers " << s.rebuffers);
  CHECK(s.playback_rate == rate);
  // N s of media in N/rate s of wall time and of output samples.
  const double by_clock = static_cast<double>(media.count()) / static_cast<double>(wall.count());
  const double by_samples = std::chrono::duration<double>(media).count() / out_s;
  CHECK(std::abs(by_clock - rate) < rate * 0.01);
  CHECK(std::abs(by_samples - rate) < rate * 0.01);
  CHECK(s.rebuffers == 0);
  CHECK(run.audio.media_frames - media0 == run.audio.mono.size() - frames0);  // no gap
  // Video shown against the audio clock: never early, never more than a frame late.
  REQUIRE(run.drift.size() > drift0 + 50);
  for (std::size_t i = drift0; i < run.drift.size(); ++i) {
    CHECK(run.drift[i] <= microseconds{0});
    CHECK(run.drift[i] >= -milliseconds(40));
  }
}

TEST_CASE("Rate changes mid-play take effect within 100 ms, and back at 1.0 the filter leaves the path",
          "[media][tempo]") {
  TempoRun run(false);
  REQUIRE_FALSE(run.pipeline.start());
  run.feed_all();
  run.play_until(milliseconds(1000));
  CHECK_FALSE(run.pipeline.stats().audio_time_stretch);
  REQUIRE_FALSE(run.pipeline.set_rate(1.25));
  CHECK(run.pipeline.stats().audio_time_stretch);
  // Within 100 ms of wall time the clock runs at the new rate.
  const auto t_change = run.clock.elapsed();
  run.play_until(run.pipeline.position() + milliseconds(125));
  const auto p1 = run.pipeline.position();
  const auto t1 = run.clock.elapsed();
  CHECK(t1 - t_change <= milliseconds(100 + 10));
  const std::size_t from = run.audio.mono.size();
  run.play_until(p1 + milliseconds(1250));
  const double rate = static_cast<double>((run.pipeline.position() - p1).count()) /
                      static_cast<double>((run.clock.elapsed() - t1).count());
  const double hz = dominant_hz(run.audio.mono, from, run.audio.mono.size(), 48'000);
  INFO("rate " << rate << ", tone " << hz << " Hz");
  CHECK(std::abs(rate - 1.25) < 0.02);
  CHECK(std::abs(hz - 440) < 440 * 0.02);

  // From one stretched rate to another: atempo's tempo command on the running filter. 100 ms after
  // the change the clock runs at the new rate, and the tone is still 440 Hz.
  REQUIRE_FALSE(run.pipeline.set_rate(0.8));
  for (int i = 0; i < 10; ++i) run.tick();
  const auto p3 = run.pipeline.position();
  const auto t3 = run.clock.elapsed();
  const std::size_t from3 = run.audio.mono.size();
  for (int i = 0; i < 90; ++i) run.tick();
  const double slow = static_cast<double>((run.pipeline.position() - p3).count()) /
                      static_cast<double>((run.clock.elapsed() - t3).count());
  const double slow_hz = dominant_hz(run.audio.mono, from3, run.audio.mono.size(), 48'000);
  INFO("after 0.8: rate " << slow << ", tone " << slow_hz << " Hz");
  CHECK(std::abs(slow - 0.8) < 0.02);
  CHECK(std::abs(slow_hz - 440) < 440 * 0.02);

  REQUIRE_FALSE(run.pipeline.set_rate(1.0));
  run.play_until(run.pipeline.position() + milliseconds(200));  // the stretched audio ready plays out
  CHECK_FALSE(run.pipeline.stats().audio_time_stretch);
  const auto p2 = run.pipeline.position();
  const auto t2 = run.clock.elapsed();
  const std::size_t from2 = run.audio.mono.size();
  run.play_until(p2 + milliseconds(1000));
  // A plain copy: exactly 1.0 (up to the rounding of sample times to microseconds).
  CHECK(std::chrono::abs((run.pipeline.position() - p2) - (run.clock.elapsed() - t2)) < microseconds{100});
  CHECK_FALSE(run.pipeline.stats().audio_time_stretch);
  CHECK(std::abs(dominant_hz(run.audio.mono, from2, run.audio.mono.size(), 48'000) - 440) < 440 * 0.02);

  // Refused rates change nothing.
  CHECK(run.pipeline.set_rate(2.01)->code == ErrorCode::kInvalidArgument);
  CHECK(run.pipeline.set_rate(0.49)->code == ErrorCode::kInvalidArgument);
  CHECK(run.pipeline.set_rate(std::nan(""))->code == ErrorCode::kInvalidArgument);
  CHECK(run.pipeline.stats().playback_rate == 1.0);
  CHECK_FALSE(run.pipeline.stats().audio_time_stretch);
  // The bounds themselves are accepted.
  CHECK_FALSE(run.pipeline.set_rate(0.5));
  CHECK_FALSE(run.pipeline.set_rate(2.0));
}

TEST_CASE("At 1.1x audio running dry is a rebuffer: playback resumes in tune with no media lost", "[media][tempo]") {
  abrplay::test::FakeClock clock;
  CaptureAudioSink audio{clock};
  PipelineConfig c;
  c.video = false;
  // Each segment decoded whole before playback (re)starts, so that the only underrun is the missing
  // second segment, not a decode thread behind the fake clock.
  c.audio_queue = std::chrono::seconds(10);
  c.prebuffer = milliseconds(3900);
  MediaPipeline p(clock, c, PipelineSinks{nullptr, &audio, nullptr});
  REQUIRE_FALSE(p.set_rate(1.1));
  REQUIRE_FALSE(p.start());
  p.feed(TrackType::kAudio).push(load_segment(6, 1));  // the second segment comes late
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  const auto tick = [&] {
    if (p.state() == PipelineState::kBuffering) {
      p.pump();
      if (p.state() == PipelineState::kBuffering) return p.wait(milliseconds(20));
    }
    clock.advance(milliseconds(10));
    p.pump();
  };
  while (p.stats().rebuffers == 0 && std::chrono::steady_clock::now() < deadline) tick();
  REQUIRE(p.stats().rebuffers == 1);
  const auto stalled_at = p.position();
  // The first segment (4.011 s of samples) played but for what atempo holds back for its next
  // fragments: up to three 2048-frame windows (128 ms), played once the next samples come.
  CHECK(stalled_at > milliseconds(3850));
  CHECK(stalled_at <= milliseconds(4011));
  p.feed(TrackType::kAudio).push(load_segment(6, 2));
  p.feed(TrackType::kAudio).end_of_stream();
  while (p.state() != PipelineState::kEnded && std::chrono::steady_clock::now() < deadline) tick();
  REQUIRE(p.state() == PipelineState::kEnded);
  const double out_s = static_cast<double>(audio.media_frames) / 48'000;
  INFO("output " << out_s << " s");
  CHECK(std::abs(out_s - kEnAudioSeconds / 1.1) < 0.015);
  CHECK(std::abs(dominant_hz(audio.mono, 4800, audio.mono.size(), 48'000) - 440) < 440 * 0.02);
  CHECK(p.stats().rebuffers == 1);
}

TEST_CASE("Playback at 1.5x plays the whole track to its end with no media lost", "[media][tempo]") {
  TempoRun run(false);
  REQUIRE_FALSE(run.pipeline.set_rate(1.5));
  REQUIRE_FALSE(run.pipeline.start());
  run.feed_all();
  run.play_until(std::chrono::seconds(20));
  REQUIRE(run.pipeline.state() == PipelineState::kEnded);
  // The track's media in media/1.5 of output, within what atempo itself adds (ffmpeg's own
  // -af atempo=1.5 gives 294 frames, 6 ms, more).
  const double out_s = static_cast<double>(run.audio.media_frames) / 48'000;
  INFO("output " << out_s << " s");
  CHECK(std::abs(out_s - kEnAudioSeconds / 1.5) < 0.015);
}

TEST_CASE("TimeStretch: 1 s of 440 Hz at 1.1x is 0.909 s of 440 Hz, bad parameters are errors", "[media][tempo]") {
  std::vector<float> sine(48'000);
  for (std::size_t i = 0; i < sine.size(); ++i)
    sine[i] = 0.5F * static_cast<float>(std::sin(2 * std::numbers::pi * 440 * static_cast<double>(i) / 48'000.0));
  auto made = TimeStretch::create(48'000, 1, 1.1);
  REQUIRE(made.has_value());
  auto& ts = **made;
  std::vector<float> out;
  for (std::size_t at = 0; at < sine.size(); at += 1000) {
    REQUIRE_FALSE(ts.push(std::span<const float>(sine).subspan(at, 1000), out));
  }
  CHECK(out.size() < sine.size() / 1.1);  // the filter holds some back until finish()
  REQUIRE_FALSE(ts.finish(out));
  CHECK(std::abs(static_cast<double>(out.size()) - 48'000 / 1.1) < 48'000 * 0.01);
  CHECK(std::abs(dominant_hz(out, 0, out.size(), 48'000) - 440) < 440 * 0.02);
  // atempo takes 0.5 .. 100 in FFmpeg 5.1: 0.1 is refused, by create() and by the tempo command.
  auto bad = TimeStretch::create(48'000, 1, 0.1);
  REQUIRE_FALSE(bad.has_value());
  CHECK(bad.error().code == ErrorCode::kMediaDecode);
  CHECK(bad.error().message.find("atempo") != std::string::npos);
  auto other = TimeStretch::create(48'000, 2, 0.9);
  REQUIRE(other.has_value());
  const auto e = (*other)->set_tempo(0.1);
  REQUIRE(e);
  CHECK(e->code == ErrorCode::kMediaDecode);
  CHECK_FALSE((*other)->set_tempo(1.3));
}

}  // namespace abrplay::media::test
