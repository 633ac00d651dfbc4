// Seeks land on the exact frame (decode from the segment start, discard before the target).
#include <catch2/catch.hpp>

#include "abrplay/player/media/pipeline.h"
#include "media_test_support.h"

namespace abrplay::media::test {
namespace {

using std::chrono::microseconds;

// Video: the 240p rendition, decoded many times faster than the 1080p ones (decoding at 1080p is
// tested in pipeline_frames_test.cpp). make-test-stream encodes every rendition with the same x264
// settings: a keyframe every 100 frames and B-frames between (x264 places them by content and
// rate, so frame types differ from one rendition to another in places; the targets below land on
// B-frames, P-frames and the keyframe in each).
struct SeekRun : FastRun {
  void feed_from(int first_segment) {
    for (int n = first_segment; n <= kSegments; ++n) {
      pipeline.feed(TrackType::kVideo).push(load_segment(0, n));
      pipeline.feed(TrackType::kAudio).push(load_segment(6, n));
    }
    pipeline.feed(TrackType::kVideo).end_of_stream();
    pipeline.feed(TrackType::kAudio).end_of_stream();
  }
};

// The pts of every frame, from a plain run; decoded once per process (a test case with sections
// runs again from the top for each section, and the plain run is the same every time).
const std::vector<microseconds>& reference_pts() {
  static const std::vector<microseconds> pts = [] {
    SeekRun run;
    REQUIRE_FALSE(run.pipeline.start());
    run.feed_from(1);
    REQUIRE(run_to_end(run.pipeline));
    std::vector<microseconds> out;
    for (const auto& f : run.frames) out.push_back(f.pts);
    return out;
  }();
  return pts;
}

}  // namespace

TEST_CASE("A seek lands on the frame whose interval contains the target", "[media][seek]") {
  const auto& pts = reference_pts();
  REQUIRE(pts.size() == 200);
  struct Case {
    microseconds target;
    int frame;
  };
  const std::vector<Case> cases{
      {pts[137], 137},                         // exactly on a frame
      {pts[137] + microseconds{39'999}, 137},  // last microsecond of it
      {pts[137] - microseconds{1}, 136},       // just before it
      {pts[100], 100},                         // the first frame of a segment
      {pts[199], 199},                         // the last frame
      {pts[42] + microseconds{20'000}, 42},    // inside the first segment
  };
  for (const auto& c : cases) {
    DYNAMIC_SECTION("target " << c.target.count() << " us -> frame " << c.frame) {
      SeekRun run;
      REQUIRE_FALSE(run.pipeline.start());
      run.pipeline.seek(c.target);
      run.feed_from(c.frame < 100 ? 1 : 2);
      REQUIRE(run_to_end(run.pipeline));
      REQUIRE_FALSE(run.frames.empty());
      CHECK(run.frames.front().code == c.frame);
      CHECK(run.frames.size() == static_cast<std::size_t>(200 - c.frame));
      CHECK(run.pipeline.stats().video_frames_discarded_seek == static_cast<std::uint64_t>(c.frame % 100));
      // Audio starts at the target's sample: 8 s minus the target, to within one AAC frame.
      const double audio_s = static_cast<double>(run.pipeline.stats().audio_frames_played) / 48'000.0;
      const double expect_s = 8.0 - static_cast<double>(c.target.count()) / 1e6;
      CHECK(audio_s == Approx(expect_s).margin(1024.0 / 48'000.0));
    }
  }
}

TEST_CASE("A seek during playback drops what was queued and restarts at the target", "[media][seek]") {
  const auto& pts = reference_pts();
  SeekRun run;
  REQUIRE_FALSE(run.pipeline.start());
  run.feed_from(1);
  while (run.frames.size() < 30) {  // play some of the first segment
    run.pipeline.pump();
    run.pipeline.wait(std::chrono::milliseconds(50));
  }
  run.pipeline.seek(pts[150]);
  const std::size_t before = run.frames.size();
  run.feed_from(2);
  REQUIRE(run_to_end(run.pipeline));
  REQUIRE(run.frames.size() > before);
  CHECK(run.frames[before].code == 150);
  CHECK(run.frames.back().code == 199);
  CHECK(run.frames.size() - before == 50);
}

}  // namespace abrplay::media::test
