// SegmentFeed: order, end of stream once, flush before queued data, close wakes a blocked pop.
#include <catch2/catch.hpp>

#include <thread>

#include "abrplay/player/media/segment_feed.h"

namespace abrplay::media {
namespace {

MediaSegment seg(std::uint64_t n) {
  MediaSegment s;
  s.number = n;
  s.duration = std::chrono::seconds(4);
  return s;
}

}  // namespace

TEST_CASE("Segments come out in the order pushed, then end of stream exactly once", "[media][feed]") {
  SegmentFeed f;
  f.push(seg(1));
  f.push(seg(2));
  f.end_of_stream();
  CHECK(f.queued() == 2);
  CHECK(f.queued_duration() == std::chrono::seconds(8));
  MediaSegment out;
  REQUIRE(f.pop(out) == SegmentFeed::PopStatus::kSegment);
  CHECK(out.number == 1);
  REQUIRE(f.pop(out) == SegmentFeed::PopStatus::kSegment);
  CHECK(out.number == 2);
  CHECK(f.pop(out) == SegmentFeed::PopStatus::kEndOfStream);
  CHECK_FALSE(f.try_pop(out).has_value());  // reported once; then nothing until a push
}

TEST_CASE("Flush drops queued segments and is reported before anything pushed after it", "[media][feed]") {
  SegmentFeed f;
  f.push(seg(1));
  f.end_of_stream();
  f.flush();
  f.push(seg(7));
  MediaSegment out;
  CHECK(f.pop(out) == SegmentFeed::PopStatus::kFlushed);
  REQUIRE(f.pop(out) == SegmentFeed::PopStatus::kSegment);
  CHECK(out.number == 7);
  CHECK_FALSE(f.try_pop(out).has_value());
}

TEST_CASE("close() wakes a consumer blocked in pop() with kClosed", "[media][feed]") {
  SegmentFeed f;
  SegmentFeed::PopStatus status = SegmentFeed::PopStatus::kSegment;
  std::thread consumer([&] {
    MediaSegment out;
    status = f.pop(out);
  });
  f.close();
  consumer.join();
  CHECK(status == SegmentFeed::PopStatus::kClosed);
}

TEST_CASE("A push wakes a consumer blocked in pop()", "[media][feed]") {
  SegmentFeed f;
  std::uint64_t got = 0;
  std::thread consumer([&] {
    MediaSegment out;
    if (f.pop(out) == SegmentFeed::PopStatus::kSegment) got = out.number;
  });
  f.push(seg(42));
  consumer.join();
  CHECK(got == 42);
}

}  // namespace abrplay::media
