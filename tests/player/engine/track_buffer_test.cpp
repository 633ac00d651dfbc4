#include "abrplay/player/engine/track_buffer.h"

#include <catch2/catch.hpp>

namespace abrplay::engine::test {

namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

Bytes bytes(std::size_t n) { return std::make_shared<const std::vector<std::uint8_t>>(n, std::uint8_t{7}); }

BufferedSegment seg(int start_s, int dur_s, std::size_t size = 1000, std::string rep = "r", Bytes init = nullptr,
                    std::size_t period = 0) {
  BufferedSegment s;
  s.start = seconds(start_s);
  s.duration = seconds(dur_s);
  s.media = bytes(size);
  s.init = std::move(init);
  s.representation_id = std::move(rep);
  s.period = period;
  return s;
}

}  // namespace

TEST_CASE("segments keep presentation order: one starting before the previous end is refused", "[engine][buffer]") {
  TrackBuffer b;
  CHECK(b.push(seg(0, 2)));
  CHECK(b.push(seg(2, 2)));
  CHECK_FALSE(b.push(seg(1, 2)));
  CHECK_FALSE(b.push(BufferedSegment{}));  // no media
  CHECK(b.size() == 2);
  CHECK(b.end() == seconds(4));
  CHECK(b.bytes() == 2000);
}

TEST_CASE("ahead counts contiguous media from the play position and stops at a gap", "[engine][buffer]") {
  TrackBuffer b;
  REQUIRE(b.push(seg(0, 2)));
  REQUIRE(b.push(seg(2, 2)));
  REQUIRE(b.push(seg(6, 2)));  // gap 4..6
  CHECK(b.ahead(seconds(0)) == seconds(4));
  CHECK(b.ahead(milliseconds(3500)) == milliseconds(500));
  CHECK(b.ahead(seconds(4)) == seconds(0));
  CHECK(b.ahead(seconds(6)) == seconds(2));
  CHECK(b.ahead(seconds(9)) == seconds(0));
}

TEST_CASE("discontinuity is flagged after a gap, at a period boundary and first: switches flag a new init",
          "[engine][buffer]") {
  TrackBuffer b;
  auto init_a = bytes(10), init_b = bytes(10);
  REQUIRE(b.push(seg(0, 2, 100, "a", init_a)));
  REQUIRE(b.push(seg(2, 2, 100, "a", init_a)));
  REQUIRE(b.push(seg(4, 2, 100, "b", init_b)));
  REQUIRE(b.push(seg(6, 2, 100, "b", init_b, 1)));
  REQUIRE(b.push(seg(10, 2, 100, "b", init_b, 1)));
  const auto& s = b.segments();
  CHECK(s[0].discontinuity);
  CHECK(s[0].representation_changed);
  CHECK_FALSE(s[1].discontinuity);
  CHECK_FALSE(s[1].representation_changed);
  CHECK_FALSE(s[2].discontinuity);
  CHECK(s[2].representation_changed);
  CHECK(s[3].discontinuity);  // period 1
  CHECK(s[4].discontinuity);  // gap 8..10
}

TEST_CASE("eviction removes only read segments behind the position: time cap first, then byte cap",
          "[engine][buffer]") {
  TrackBuffer b;
  for (int i = 0; i < 10; ++i) REQUIRE(b.push(seg(i * 2, 2, 1000)));
  BufferLimits limits;
  limits.max_behind = seconds(4);
  limits.max_bytes = 100'000;
  // Nothing read yet: nothing may go, even far behind.
  CHECK(b.evict(seconds(18), limits) == 0);
  for (int i = 0; i < 6; ++i) REQUIRE(b.read_next());
  // Read 0..12; position 11: segments ending <= 7 are more than 4 s behind -> [0,2) [2,4) [4,6).
  CHECK(b.evict(seconds(11), limits) == 3);
  CHECK(b.start() == seconds(6));
  // Byte cap 3000: evict read segments behind (ending <= 11) until at most 3000 bytes... [6,8) [8,10)
  limits.max_bytes = 3000;
  CHECK(b.evict(seconds(11), limits) == 2);
  CHECK(b.start() == seconds(10));  // [10,12) holds the position: it stays although over the cap
  CHECK(b.bytes() == 5000);
  CHECK_FALSE(b.has_room(1, seconds(11), limits));
  CHECK(b.read_next()->start == seconds(12));  // the read cursor survived eviction
}

TEST_CASE("has_room counts what eviction will free behind the position", "[engine][buffer]") {
  TrackBuffer b;
  for (int i = 0; i < 3; ++i) REQUIRE(b.push(seg(i * 2, 2, 1000)));
  BufferLimits limits;
  limits.max_bytes = 3500;
  CHECK(b.has_room(500, seconds(0), limits));
  CHECK_FALSE(b.has_room(501, seconds(0), limits));
  REQUIRE(b.read_next());
  CHECK(b.has_room(1500, seconds(2), limits));  // [0,2) was read and is behind
}

TEST_CASE("a seek into the buffer keeps it and rereads from the segment containing the target", "[engine][buffer]") {
  TrackBuffer b;
  for (int i = 0; i < 5; ++i) REQUIRE(b.push(seg(i * 2, 2)));
  for (int i = 0; i < 5; ++i) REQUIRE(b.read_next());
  CHECK(b.seek(milliseconds(4500)));
  auto s = b.read_next();
  REQUIRE(s);
  CHECK(s->start == seconds(4));
  CHECK(s->discontinuity);
  CHECK(b.size() == 5);
  CHECK_FALSE(b.seek(seconds(30)));  // outside: flushed
  CHECK(b.size() == 0);
  CHECK(b.bytes() == 0);
  REQUIRE(b.push(seg(30, 2)));
  CHECK(b.segments().front().discontinuity);
}

}  // namespace abrplay::engine::test
