// The player's cache of decoded thumbnail grids (player/api/thumbnail_cache.h): bounded by the bytes
// of its pixels, least recently used out first.
#include <catch2/catch.hpp>

#include "thumbnail_cache.h"

namespace abrplay::test {
namespace {

// A frame of `w` x `h` (the cache counts w*h + 2 * ceil(w/2) * ceil(h/2) bytes of I420).
media::VideoFrame frame(int w, int h) {
  media::VideoFrame f;
  f.width = w;
  f.height = h;
  return f;
}

}  // namespace

TEST_CASE("thumbnail cache: bounded by bytes, least recently used out, too large never kept", "[api][thumbnails]") {
  player_impl::ThumbnailCache cache(1000);
  CHECK(player_impl::ThumbnailCache::bytes_of(frame(20, 20)) == 600);
  CHECK(player_impl::ThumbnailCache::bytes_of(frame(3, 3)) == 9 + 2 * 4);
  cache.put("a", frame(10, 20));  // 300 bytes
  cache.put("b", frame(10, 20));
  cache.put("c", frame(10, 20));
  CHECK(cache.bytes() == 900);
  REQUIRE(cache.find("a"));       // a is now the most recent
  cache.put("d", frame(10, 20));  // 1200 > 1000: b, the least recent, goes
  CHECK(cache.size() == 3);
  CHECK(cache.bytes() == 900);
  CHECK_FALSE(cache.find("b"));
  CHECK(cache.find("a"));
  CHECK(cache.find("c"));
  CHECK(cache.find("d"));
  cache.put("huge", frame(40, 40));  // 2400 bytes: larger than the whole cache, not kept
  CHECK_FALSE(cache.find("huge"));
  CHECK(cache.size() == 3);
  cache.put("a", frame(20, 20));  // replaced: 600 instead of 300, c (least recent) goes
  CHECK(cache.bytes() == 900);
  CHECK(cache.find("a")->width == 20);
  CHECK_FALSE(cache.find("c"));
  cache.clear();
  CHECK(cache.size() == 0);
  CHECK(cache.bytes() == 0);
}

}  // namespace abrplay::test
