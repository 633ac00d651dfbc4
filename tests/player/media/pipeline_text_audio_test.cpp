// WebVTT cues reach the text sink with their times; volume and mute scale what the sink reads.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>

#include "abrplay/player/media/pipeline.h"
#include "media_test_support.h"

namespace abrplay::media::test {
namespace {

using std::chrono::microseconds;

struct CueRecorder final : TextSink {
  std::vector<TextCue> cues;
  int clears = 0;
  void cue(const TextCue& c) override { cues.push_back(c); }
  void clear() override { ++clears; }
};

// Reads everything like NullAudioSink(kAsFastAsPossible), keeping the peak amplitude.
struct PeakAudioSink final : AudioSink {
  AudioSource* source = nullptr;
  float peak = 0;
  std::size_t frames = 0;
  Expected<AudioFormat, Error> open(const AudioFormat& preferred, AudioSource& s) override {
    source = &s;
    return preferred;
  }
  void set_paused(bool) override {}
  void pump() override {
    std::vector<float> buf(2 * 480);
    for (;;) {
      const std::size_t got = source->read(buf);
      for (std::size_t i = 0; i < got * 2; ++i) peak = std::max(peak, std::abs(buf[i]));
      frames += got;
      if (got < 480) return;
    }
  }
  std::chrono::microseconds latency() const override { return microseconds{0}; }
  void close() override { source = nullptr; }
};

float peak_with(float volume, bool muted) {
  SystemClock clock;
  PeakAudioSink audio;
  PipelineConfig c;
  c.mode = PresentMode::kAsFastAsPossible;
  c.video = false;
  MediaPipeline p(clock, c, PipelineSinks{nullptr, &audio, nullptr});
  p.set_volume(volume);
  p.set_muted(muted);
  REQUIRE_FALSE(p.start());
  p.feed(TrackType::kAudio).push(load_segment(6, 1));
  p.feed(TrackType::kAudio).end_of_stream();
  REQUIRE(run_to_end(p));
  CHECK(audio.frames > 3 * 48'000);
  return audio.peak;
}

}  // namespace

TEST_CASE("WebVTT cues are delivered with their start and end times and plain text", "[media][text]") {
  SystemClock clock;
  CueRecorder text;
  PipelineConfig c;
  c.mode = PresentMode::kAsFastAsPossible;
  c.video = false;
  c.audio = false;
  c.text = true;
  MediaPipeline p(clock, c, PipelineSinks{nullptr, nullptr, &text});
  REQUIRE_FALSE(p.start());
  MediaSegment vtt;
  vtt.data = read_bytes(content_dir() + "subs_en.vtt");
  vtt.duration = std::chrono::seconds(8);
  vtt.representation_id = "sub-en";
  p.feed(TrackType::kText).push(vtt);
  p.feed(TrackType::kText).end_of_stream();
  REQUIRE(run_to_end(p));
  REQUIRE(text.cues.size() == 4);
  for (std::size_t i = 0; i < 4; ++i) {
    const auto start = std::chrono::seconds(2 * static_cast<int>(i));
    CHECK(text.cues[i].start == start);
    CHECK(text.cues[i].end == start + std::chrono::seconds(2));
    CHECK(text.cues[i].text == "Subtitle at " + std::to_string(2 * i) + " s");
  }
}

TEST_CASE("Volume scales the samples read by the sink and mute silences them", "[media][controls]") {
  const float full = peak_with(1.0f, false);
  REQUIRE(full > 0.05f);  // the 440 Hz beep is there
  CHECK(peak_with(0.5f, false) == Approx(full * 0.5f).epsilon(0.01));
  CHECK(peak_with(1.0f, true) == 0.0f);
}

}  // namespace abrplay::media::test
