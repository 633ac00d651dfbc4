// A track switch in place (MediaPipeline::splice): the feed's splice mark, the audio queue's cut,
// and the pipeline end to end on the real content (audio en = 440 Hz, fr = 660 Hz): the old track
// exactly up to the cut, the new one from it, nothing lost or played twice, in every interleaving
// of the decode thread with the switch.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdlib>

#include "abrplay/player/media/pipeline.h"
#include "abrplay/player/media/segment_feed.h"
#include "frame_queues.h"
#include "media_test_support.h"

namespace abrplay::media::test {
namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;
using std::chrono::seconds;

MediaSegment at(int seconds_start) {
  MediaSegment s;
  s.start = seconds(seconds_start);
  s.duration = seconds(4);
  s.number = static_cast<std::uint64_t>(seconds_start);
  return s;
}

// Reads everything as fast as possible, keeping channel 0.
struct ToneSink final : AudioSink {
  AudioSource* source = nullptr;
  AudioFormat format;
  std::vector<float> mono;
  Expected<AudioFormat, Error> open(const AudioFormat& preferred, AudioSource& s) override {
    source = &s;
    format = preferred;
    return preferred;
  }
  void set_paused(bool) override {}
  void pump() override {
    const auto ch = static_cast<std::size_t>(format.channels);
    std::vector<float> buf(480 * ch);
    for (;;) {
      const std::size_t got = source->read(buf);
      for (std::size_t i = 0; i < got; ++i) mono.push_back(buf[i * ch]);
      if (got < 480) return;
    }
  }
  microseconds latency() const override { return microseconds{0}; }
  void close() override { source = nullptr; }
  // 440, 660 or 0 (a beep or anything else) for the 50 ms window starting at `w` samples.
  int tone(std::size_t w) const {
    int crossings = 0;
    for (std::size_t i = w + 1; i < w + static_cast<std::size_t>(format.sample_rate / 20); ++i)
      crossings += (mono[i - 1] < 0) != (mono[i] < 0);
    const double hz = crossings * 10.0;
    return std::abs(hz - 440) < 40 ? 440 : std::abs(hz - 660) < 40 ? 660 : 0;
  }
};

// Plays en segments 1-2, switches at `cut`, feeds fr from the segment containing the cut. With
// `before_start`, the switch is made before the decode thread runs (it then meets the switch only
// at the feed's mark, after the en segment kept: the case a slow thread start hits at random).
void switch_at(microseconds cut, bool before_start = false) {
  SystemClock clock;
  ToneSink audio;
  PipelineConfig c;
  c.mode = PresentMode::kAsFastAsPossible;
  c.video = false;
  MediaPipeline p(clock, c, PipelineSinks{nullptr, &audio, nullptr});
  if (!before_start) REQUIRE_FALSE(p.start());
  p.feed(TrackType::kAudio).push(load_segment(6, 1));
  p.feed(TrackType::kAudio).push(load_segment(6, 2));
  p.splice(TrackType::kAudio, cut);
  if (before_start) REQUIRE_FALSE(p.start());
  for (int n = cut < kSegmentDuration ? 1 : 2; n <= 2; ++n) p.feed(TrackType::kAudio).push(load_segment(7, n, true));
  p.feed(TrackType::kAudio).end_of_stream();
  REQUIRE(run_to_end(p));
  // 8 s of samples: nothing lost, nothing twice (AAC frames of 1024 samples: within one).
  CHECK(std::abs(static_cast<long>(audio.mono.size()) - 8 * 48'000) <= 1024);
  const auto window = static_cast<std::size_t>(audio.format.sample_rate / 20);
  int en = 0, fr = 0;
  for (std::size_t w = 0; w + window <= audio.mono.size(); w += window) {
    const microseconds t{static_cast<std::int64_t>(w) * 1'000'000 / audio.format.sample_rate};
    const int tone = audio.tone(w);
    CAPTURE(t.count(), tone);
    if (t + milliseconds(50) <= cut - milliseconds(60)) {  // the new track may start where the old ended
      CHECK(tone != 660);
      en += tone == 440;
    } else if (t >= cut) {
      CHECK(tone != 440);
      fr += tone == 660;
    }
  }
  CHECK(en > 0);
  CHECK(fr > 0);
}

}  // namespace

TEST_CASE("SegmentFeed::splice drops the segments from the cut and reports a flush after those kept",
          "[media][feed][switch]") {
  SegmentFeed f;
  f.push(at(0));
  f.push(at(4));
  f.push(at(8));
  f.end_of_stream();
  f.splice(seconds(4));
  CHECK(f.queued() == 1);
  f.push(at(4));  // the new track
  MediaSegment out;
  REQUIRE(f.pop(out) == SegmentFeed::PopStatus::kSegment);
  CHECK(out.start == seconds(0));
  REQUIRE(f.pop(out) == SegmentFeed::PopStatus::kSpliced);
  REQUIRE(f.pop(out) == SegmentFeed::PopStatus::kSegment);
  CHECK(out.start == seconds(4));
  CHECK_FALSE(f.try_pop(out).has_value());  // the old end of stream went with the old track

  SegmentFeed g;  // a flush (seek) supersedes a pending splice: one flush only
  g.push(at(0));
  g.splice(seconds(4));
  g.flush();
  REQUIRE(g.pop(out) == SegmentFeed::PopStatus::kFlushed);
  CHECK_FALSE(g.try_pop(out).has_value());
}

TEST_CASE("AudioQueue::trim cuts at the exact sample and refuses the old generation's samples past the cut",
          "[media][switch]") {
  AudioQueue q(seconds(10), nullptr);
  q.set_format(1000, 1);
  REQUIRE(q.push(microseconds{0}, std::vector<float>(1000, 0.1F), 0));
  REQUIRE(q.push(seconds(1), std::vector<float>(1000, 0.2F), 0));
  q.trim(milliseconds(1500), 1);
  CHECK(q.buffered() == milliseconds(1500));
  CHECK_FALSE(q.push(milliseconds(1500), std::vector<float>(100, 0.3F), 0));  // old track past the cut
  CHECK(q.buffered() == milliseconds(1500));
  REQUIRE(q.push(milliseconds(1500), std::vector<float>(500, 0.4F), 0, 1));  // the new track
  CHECK(q.buffered() == seconds(2));
  std::vector<float> out(2000);
  CHECK(q.read(out, 1.0F) == 2000);
  CHECK(out[1499] == Approx(0.2F));
  CHECK(out[1500] == Approx(0.4F));
  // A cut behind what was read keeps what the reader is in.
  AudioQueue r(seconds(10), nullptr);
  r.set_format(1000, 1);
  REQUIRE(r.push(microseconds{0}, std::vector<float>(1000, 0.1F), 0));
  std::vector<float> some(300);
  CHECK(r.read(some, 1.0F) == 300);
  r.trim(milliseconds(100), 1);
  CHECK(r.buffered() == microseconds{0});
  CHECK_FALSE(r.push(milliseconds(1000), std::vector<float>(10, 0.5F), 0));
}

TEST_CASE("audio switch at a segment boundary: the old language to the cut, the new one from it", "[media][switch]") {
  switch_at(seconds(4));
}

TEST_CASE("audio switch inside a segment, whatever the decode thread had done: exact at the cut", "[media][switch]") {
  switch_at(milliseconds(1300));
}

TEST_CASE("audio switch made before the decode thread started: the old segment still plays to the cut",
          "[media][switch]") {
  switch_at(seconds(4), true);
  switch_at(milliseconds(1300), true);
}

}  // namespace abrplay::media::test
