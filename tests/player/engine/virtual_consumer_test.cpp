#include "abrplay/player/engine/virtual_consumer.h"

#include <catch2/catch.hpp>
#include <map>
#include <vector>

#include "fake_clock.h"
#include "support/loop_driver.h"

namespace abrplay::engine::test {

namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// A source backed by TrackBuffers that records what the consumer reports.
class BufferSource final : public SegmentSource {
 public:
  std::map<TrackType, TrackBuffer> buffers;
  std::map<TrackType, bool> eos;
  std::vector<MediaTime> positions;
  int starved = 0;
  int ended = 0;

  std::optional<BufferedSegment> read(TrackType t) override { return buffers[t].read_next(); }
  bool end_of_stream(TrackType t) const override {
    auto it = eos.find(t);
    return it != eos.end() && it->second;
  }
  void report_position(MediaTime p) override { positions.push_back(p); }
  void report_starved() override { ++starved; }
  void report_ended() override { ++ended; }

  void add(TrackType t, int start_s, int dur_s) {
    BufferedSegment s;
    s.start = seconds(start_s);
    s.duration = seconds(dur_s);
    s.media = std::make_shared<const std::vector<std::uint8_t>>(10, std::uint8_t{0});
    REQUIRE(buffers[t].push(s));
  }
};

constexpr TrackType kBoth[] = {TrackType::kVideo, TrackType::kAudio};

// The set-up of every case: a consumer at `speed` on a kManual loop and a fake clock, reading a
// BufferSource (the consumer is declared last, so it goes first).
struct ConsumerRig {
  explicit ConsumerRig(double speed = 1.0) : c(loop, speed) {}
  abrplay::test::FakeClock clock;
  EventLoop loop{clock, EventLoop::Mode::kManual};
  BufferSource src;
  VirtualConsumer c;
};

struct DoubleSpeedRig : ConsumerRig {
  DoubleSpeedRig() : ConsumerRig(2.0) {}
};

}  // namespace

TEST_CASE_METHOD(ConsumerRig, "the virtual consumer plays at real speed and stalls where the shorter track ends",
                 "[engine][consumer]") {
  c.attach(src, kBoth, seconds(0));
  src.add(TrackType::kVideo, 0, 4);
  src.add(TrackType::kAudio, 0, 2);
  c.on_data();
  c.play();
  advance(loop, clock, milliseconds(1000));
  CHECK(c.position() == seconds(1));
  CHECK(src.positions.back() == seconds(1));
  advance(loop, clock, milliseconds(1500));
  CHECK(c.position() == seconds(2));  // audio ran dry at 2 s
  CHECK(src.starved == 1);
  CHECK_FALSE(c.playing());
  src.add(TrackType::kAudio, 2, 2);
  c.on_data();
  c.play();
  advance(loop, clock, milliseconds(500));
  CHECK(c.position() == milliseconds(2500));
}

TEST_CASE_METHOD(DoubleSpeedRig, "at twice the speed, eight seconds play in four and the end is reported once",
                 "[engine][consumer]") {
  c.attach(src, kBoth, seconds(0));
  for (int i = 0; i < 4; ++i) {
    src.add(TrackType::kVideo, i * 2, 2);
    src.add(TrackType::kAudio, i * 2, 2);
  }
  src.eos[TrackType::kVideo] = src.eos[TrackType::kAudio] = true;
  c.on_data();
  c.play();
  advance(loop, clock, milliseconds(3999));
  CHECK(src.ended == 0);
  advance(loop, clock, milliseconds(1));
  CHECK(src.ended == 1);
  CHECK(c.position() == seconds(8));
  CHECK(src.starved == 0);
  CHECK(c.segments_read() == 8);
}

TEST_CASE_METHOD(ConsumerRig, "a gap in every track is skipped at once instead of stalling", "[engine][consumer]") {
  const TrackType video_only[] = {TrackType::kVideo};
  c.attach(src, video_only, seconds(0));
  src.add(TrackType::kVideo, 0, 2);
  src.add(TrackType::kVideo, 10, 2);
  c.on_data();
  c.play();
  advance(loop, clock, milliseconds(2500));
  CHECK(c.position() == milliseconds(10'500));
  CHECK(src.starved == 0);
}

TEST_CASE_METHOD(ConsumerRig, "pause holds the position and flush restarts at the seek target", "[engine][consumer]") {
  const TrackType video_only[] = {TrackType::kVideo};
  c.attach(src, video_only, seconds(0));
  for (int i = 0; i < 5; ++i) src.add(TrackType::kVideo, i * 2, 2);
  c.on_data();
  c.play();
  advance(loop, clock, seconds(1));
  c.pause();
  advance(loop, clock, seconds(5));
  CHECK(c.position() == seconds(1));
  REQUIRE(src.buffers[TrackType::kVideo].seek(seconds(6)));
  c.flush(seconds(6));
  c.play();
  advance(loop, clock, seconds(1));
  CHECK(c.position() == seconds(7));
}

}  // namespace abrplay::engine::test

namespace abrplay::engine::test {

TEST_CASE_METHOD(ConsumerRig, "a text track without segments neither stalls playback nor holds its end",
                 "[engine][consumer]") {
  const TrackType with_text[] = {TrackType::kVideo, TrackType::kText};
  c.attach(src, with_text, seconds(0));
  src.add(TrackType::kVideo, 0, 2);
  src.eos[TrackType::kVideo] = true;
  c.on_data();
  c.play();
  advance(loop, clock, seconds(3));
  CHECK(src.starved == 0);
  CHECK(src.ended == 1);
  CHECK(c.position() == seconds(2));
}

}  // namespace abrplay::engine::test
