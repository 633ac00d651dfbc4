// SegmentBase files indexed by chained sidx boxes (make-test-stream's segmentbase-chained: a 2-level
// hierarchy in the video files, a daisy chain in the audio files), played through the public API
// from abrplay-origin on 127.0.0.1 with FFmpeg decoding every frame.
#include <catch2/catch.hpp>

#include <mutex>
#include <vector>

#include "abrplay/player.h"
#include "api_test_support.h"
#include "media_test_support.h"
#include "origin.h"

namespace abrplay::test {

TEST_CASE("SegmentBase with chained and hierarchical sidx plays to the end: every frame once, in order",
          "[api][sidx]") {
  auto origin = serve();
  std::mutex mu;
  std::vector<int> codes;
  PlayerConfig c;
  c.sinks.kind = abrplay::SinkKind::kFrameCallback;
  c.sinks.max_speed = true;
  c.sinks.on_frame = [&](const abrplay::media::VideoFrame& f) {
    const int code = abrplay::media::test::read_frame_code(f);
    std::lock_guard lock(mu);
    codes.push_back(code);
  };
  PlayerSession p(c);
  p.load(manifest_url(*origin, "segmentbase-chained"));
  REQUIRE(p.rec.wait_state(PlayerState::kEnded));
  const auto s = p.player.stats();
  CHECK(s.frames_presented == 200);
  CHECK(s.segments_downloaded >= 4);  // 2 video + 2 audio fragments, each found through the chain
  CHECK_FALSE(s.audio_representation.empty());
  CHECK(Recorder::first_error(p.rec.events()) == nullptr);
  std::lock_guard lock(mu);
  REQUIRE(codes.size() == 200);
  for (int k = 0; k < 200; ++k) CHECK(codes[static_cast<std::size_t>(k)] == k);
}

}  // namespace abrplay::test
