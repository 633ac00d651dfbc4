// Player::thumbnail_at and abrplay_thumbnail_at end to end: the test content's thumbnail track (2x2
// grids of 320x180 tiles, one JPEG per 4 s segment, tile k = the frame at second k) served by
// abrplay-origin, fetched on demand and decoded by FFmpeg; the frame code inside each tile tells
// which frame it shows. Bad input: a missing image (HTTP 404), an image that is not JPEG, a JPEG
// that does not decode, a PNG declaring 60000x60000 pixels, a time past the end, no thumbnail track.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "abrplay/abrplay.h"
#include "abrplay/player.h"
#include "api_test_support.h"

namespace abrplay::test {
namespace {

namespace fs = std::filesystem;
using std::chrono::microseconds;
using std::chrono::milliseconds;
using std::chrono::seconds;

ThumbnailResult thumbnail(Player& player, microseconds t) {
  auto promise = std::make_shared<std::promise<ThumbnailResult>>();
  auto answer = promise->get_future();
  player.thumbnail_at(t, [promise](ThumbnailResult r) { promise->set_value(std::move(r)); });
  REQUIRE(answer.wait_for(kWaitLimit) == std::future_status::ready);
  return answer.get();
}

// The 20-bit frame code (docs/test-bench.md) in the tile: cell k is 1/32 of the tile wide, in the
// bottom 1/18 of it; its centre's luma above 128 is a 1 bit.
int frame_code(const Thumbnail& t) {
  int value = 0;
  for (int k = 0; k < 20; ++k) {
    const int x = t.tile_x + (2 * k + 1) * t.tile_width / 64;
    const int y = t.tile_y + t.tile_height * 35 / 36;
    if (t.image.luma(x, y) > 128) value |= 1 << k;
  }
  return value;
}

// A session on the number variant, paused, with the manifest loaded.
struct LoadedSession {
  // `http_cache` false: every image request reaches the origin (a test that rewrites a file under
  // the same URL, which the origin's max-age says never happens, and the HTTP cache believes).
  explicit LoadedSession(const std::string& url, bool http_cache = true)
      : session([http_cache] {
          PlayerConfig c = max_speed();
          c.play_when_ready = false;
          c.cache.enabled = http_cache;
          return c;
        }()) {
    session.load_until(url, PlayerState::kBuffering);
  }
  PlayerSession session;
};

// A root served before the test content: it replaces some of number/'s thumbnail grids.
struct BadImages {
  BadImages() {
    dir = fs::path(ABRPLAY_BINARY_DIR) / "api_thumbnail_scratch" / std::to_string(::getpid());
    fs::remove_all(dir);
    fs::create_directories(dir / "number");
    // thumb_1: not an image at all; thumb_2: a JPEG start and end with nothing between.
    write("thumb_1.jpg", "<html>not found</html>");
    write("thumb_2.jpg", std::string("\xFF\xD8\xFF\xD9", 4));
  }
  ~BadImages() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
  void write(const std::string& name, const std::string& bytes) const {
    std::ofstream(dir / "number" / name, std::ios::binary) << bytes;
  }
  fs::path dir;
};

// A PNG signature and IHDR declaring `w` x `h` (CRC not checked by the size check), then nothing.
std::string png_header(std::uint32_t w, std::uint32_t h) {
  std::string s("\x89PNG\r\n\x1A\n\0\0\0\x0DIHDR", 16);
  for (std::uint32_t v : {w, h}) {
    for (int shift = 24; shift >= 0; shift -= 8) s.push_back(static_cast<char>((v >> shift) & 0xFF));
  }
  s += std::string("\x08\x02\0\0\0\0\0\0\0", 9);
  return s;
}

}  // namespace

TEST_CASE("thumbnail_at: the tile of a time, decoded, showing the frame of that second", "[api][thumbnails]") {
  auto origin = serve();
  LoadedSession s(manifest_url(*origin));
  Player& player = s.session.player;
  // t -> the frame its tile shows: segment floor(t / 4) + 1, tile floor(t) % 4, frame 25 * floor(t).
  for (const double t : {0.0, 1.5, 2.0, 3.99, 4.0, 7.5}) {
    CAPTURE(t);
    const auto r = thumbnail(player, microseconds(static_cast<long long>(t * 1e6)));
    REQUIRE(r);
    const int second = static_cast<int>(t);
    CHECK(r->image.width == 640);
    CHECK(r->image.height == 360);
    CHECK(r->tile_width == 320);
    CHECK(r->tile_height == 180);
    CHECK(r->tile_x == (second % 2) * 320);
    CHECK(r->tile_y == (second % 4 / 2) * 180);
    CHECK(r->start == seconds(second));
    CHECK(r->duration == seconds(1));
    CHECK(r->image.pts == seconds(second));
    CHECK(r->representation_id == "thumbs");
    CHECK(r->url == origin->url(0) + "number/thumb_" + std::to_string(second / 4 + 1) + ".jpg");
    CHECK(frame_code(*r) == 25 * second);
  }
  // Two tiles of one grid share the cached image: one fetch, one decode.
  const auto a = thumbnail(player, seconds(4));
  const auto b = thumbnail(player, seconds(6));
  REQUIRE(a);
  REQUIRE(b);
  CHECK(a->image.planes[0] == b->image.planes[0]);

  SECTION("the SegmentTimeline variant gives the same tiles") {
    LoadedSession tl(manifest_url(*origin, "timeline"));
    const auto r = thumbnail(tl.session.player, milliseconds(6'500));
    REQUIRE(r);
    CHECK(r->url == origin->url(0) + "timeline/thumb_2.jpg");
    CHECK(frame_code(*r) == 150);
  }
  SECTION("past the last image: kInvalidArgument") {
    const auto r = thumbnail(player, seconds(9));
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::kInvalidArgument);
    CHECK(r.error().message.find("past the last image") != std::string::npos);
  }
  SECTION("after stop(): kInvalidState") {
    player.stop();
    const auto r = thumbnail(player, seconds(1));
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::kInvalidState);
  }
}

TEST_CASE("thumbnail_at: no presentation, no thumbnail track", "[api][thumbnails]") {
  PlayerSession idle;
  const auto none = thumbnail(idle.player, seconds(1));
  REQUIRE_FALSE(none);
  CHECK(none.error().code == ErrorCode::kInvalidState);

  auto origin = serve();
  LoadedSession s(manifest_url(*origin, "segmentbase"));
  const auto r = thumbnail(s.session.player, seconds(1));
  REQUIRE_FALSE(r);
  CHECK(r.error().code == ErrorCode::kUnsupported);
  CHECK(r.error().message == "thumbnail_at: the presentation has no thumbnail track");
}

TEST_CASE("thumbnail_at: HTTP 404 names the status and the image: playback goes on", "[api][thumbnails][faults]") {
  auto config = origin_serving();
  config.cdns[0].faults = fault_plan(
      R"({"rules": [{"match": "*thumb_2.jpg", "every_nth": 1, "fault": "status", "status": 404}]})");
  auto origin = start_origin(std::move(config));
  LoadedSession s(manifest_url(*origin));
  Player& player = s.session.player;
  const auto r = thumbnail(player, seconds(5));
  REQUIRE_FALSE(r);
  CHECK(r.error().code == ErrorCode::kNetworkHttpStatus);
  CHECK(r.error().message.find("404") != std::string::npos);
  CHECK(r.error().message.find("thumb_2.jpg") != std::string::npos);
  CHECK(thumbnail(player, seconds(1)));  // the other grid is fine
  player.play();
  REQUIRE(s.session.rec.wait_state(PlayerState::kEnded));
}

TEST_CASE("thumbnail_at: a body that is no image, a JPEG that does not decode, a PNG of 60000x60000",
          "[api][thumbnails][faults]") {
  BadImages bad;
  auto origin = serve({bad.dir.string(), ABRPLAY_TEST_CONTENT_DIR});
  LoadedSession s(manifest_url(*origin), false);  // thumb_2.jpg changes below, under the same URL
  Player& player = s.session.player;
  const auto not_image = thumbnail(player, seconds(1));
  REQUIRE_FALSE(not_image);
  CHECK(not_image.error().code == ErrorCode::kMediaDecode);
  CHECK(not_image.error().message ==
        origin->url(0) + "number/thumb_1.jpg: image: neither JPEG nor PNG (unknown first bytes)");
  const auto broken = thumbnail(player, seconds(5));
  REQUIRE_FALSE(broken);
  CHECK(broken.error().code == ErrorCode::kMediaDecode);
  CHECK(broken.error().message.find("number/thumb_2.jpg: image: JPEG decode") != std::string::npos);
  // Errors are not cached: the same image asked again is fetched again, now a PNG header declaring
  // 60000 x 60000, refused from its header before any pixel is allocated.
  bad.write("thumb_2.jpg", png_header(60000, 60000));
  const auto huge = thumbnail(player, seconds(5));
  REQUIRE_FALSE(huge);
  CHECK(huge.error().code == ErrorCode::kMediaDecode);
  CHECK(huge.error().message.find("PNG of 60000x60000 px, more than the limit of 16777216 pixels") !=
        std::string::npos);
  player.play();
  REQUIRE(s.session.rec.wait_state(PlayerState::kEnded));
}

TEST_CASE("a malformed thumbnail grid is a warning at load: the presentation still plays", "[api][thumbnails]") {
  const fs::path dir = fs::path(ABRPLAY_BINARY_DIR) / "api_thumbnail_grid" / std::to_string(::getpid());
  fs::remove_all(dir);
  fs::create_directories(dir / "number");
  std::ifstream in(fs::path(ABRPLAY_TEST_CONTENT_DIR) / "number" / "manifest.mpd");
  std::string mpd((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto at = mpd.find("value=\"2x2\"");
  REQUIRE(at != std::string::npos);
  mpd.replace(at, 11, "value=\"0x0\"");
  std::ofstream(dir / "number" / "manifest.mpd") << mpd;
  auto origin = serve({dir.string(), ABRPLAY_TEST_CONTENT_DIR});
  PlayerSession p;
  p.load_until(manifest_url(*origin), PlayerState::kEnded);
  bool warned = false;
  for (const auto& e : p.rec.events()) {
    warned |= e.kind == PlayerEvent::Kind::kWarning && e.error.code == ErrorCode::kManifestInvalidValue &&
              e.error.message.find("thumbnail_tile @value '0x0'") != std::string::npos;
  }
  CHECK(warned);
  CHECK(p.player.stats().frames_presented == 200);
  fs::remove_all(dir);
}

TEST_CASE("thumbnail_at: a manifest served over http never reaches a file: thumbnail template",
          "[api][thumbnails][security]") {
  const fs::path dir = fs::path(ABRPLAY_BINARY_DIR) / "api_thumbnail_file" / std::to_string(::getpid());
  fs::remove_all(dir);
  fs::create_directories(dir / "number");
  std::ifstream in(fs::path(ABRPLAY_TEST_CONTENT_DIR) / "number" / "manifest.mpd");
  std::string mpd((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto at = mpd.find("media=\"thumb_$Number$.jpg\"");
  REQUIRE(at != std::string::npos);
  const std::string local = (fs::path(ABRPLAY_TEST_CONTENT_DIR) / "number").string();
  mpd.replace(at, 26, "media=\"file://" + local + "/thumb_$Number$.jpg\"");
  std::ofstream(dir / "number" / "manifest.mpd") << mpd;
  auto origin = serve({dir.string(), ABRPLAY_TEST_CONTENT_DIR});
  LoadedSession s(manifest_url(*origin));
  const auto r = thumbnail(s.session.player, seconds(1));
  REQUIRE_FALSE(r);
  CHECK(r.error().code == ErrorCode::kNetworkBadUrl);
  CHECK(r.error().message.find("file://" + local + "/thumb_1.jpg") != std::string::npos);
  fs::remove_all(dir);
}

TEST_CASE("thumbnail_at: a burst of requests for 8 images: every one answered once, the newest served, "
          "at most 2 fetching and 2 queued",
          "[api][thumbnails]") {
  // The number variant with one grid image per second (thumb_1..8, copies of the two real ones).
  const fs::path dir = fs::path(ABRPLAY_BINARY_DIR) / "api_thumbnail_burst" / std::to_string(::getpid());
  fs::remove_all(dir);
  fs::create_directories(dir / "number");
  std::ifstream in(fs::path(ABRPLAY_TEST_CONTENT_DIR) / "number" / "manifest.mpd");
  std::string mpd((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::string from = R"(media="thumb_$Number$.jpg" timescale="1" duration="4")";
  const auto at = mpd.find(from);
  REQUIRE(at != std::string::npos);
  mpd.replace(at, from.size(), R"(media="thumb_$Number$.jpg" timescale="1" duration="1")");
  std::ofstream(dir / "number" / "manifest.mpd") << mpd;
  for (int i = 1; i <= 8; ++i) {
    fs::copy_file(fs::path(ABRPLAY_TEST_CONTENT_DIR) / "number" / ("thumb_" + std::to_string(1 + (i - 1) % 2) + ".jpg"),
                  dir / "number" / ("thumb_" + std::to_string(i) + ".jpg"));
  }
  auto origin = serve({dir.string(), ABRPLAY_TEST_CONTENT_DIR});
  LoadedSession s(manifest_url(*origin));
  std::vector<std::shared_ptr<std::promise<ThumbnailResult>>> promises;
  std::vector<std::future<ThumbnailResult>> answers;
  for (int i = 0; i < 8; ++i) {
    promises.push_back(std::make_shared<std::promise<ThumbnailResult>>());
    answers.push_back(promises.back()->get_future());
    s.session.player.thumbnail_at(milliseconds(500 + 1000 * i),
                                  [p = promises.back()](ThumbnailResult r) { p->set_value(std::move(r)); });
  }
  int superseded = 0;
  for (int i = 0; i < 8; ++i) {
    CAPTURE(i);
    REQUIRE(answers[static_cast<std::size_t>(i)].wait_for(kWaitLimit) == std::future_status::ready);
    const ThumbnailResult r = answers[static_cast<std::size_t>(i)].get();
    if (r) {
      CHECK(r->url == origin->url(0) + "number/thumb_" + std::to_string(i + 1) + ".jpg");
      CHECK(r->start == milliseconds(500 + 1000 * i));
      CHECK(r->duration == milliseconds(250));
    } else {
      CHECK(r.error().code == ErrorCode::kNetworkCancelled);
      CHECK(r.error().message ==
            origin->url(0) + "number/thumb_" + std::to_string(i + 1) + ".jpg: superseded by newer thumbnail requests");
      CHECK(i >= 2);  // the first two start fetching at once
      CHECK(i < 6);   // the last two are the queue's newest
      ++superseded;
    }
  }
  CHECK(superseded <= 4);
  fs::remove_all(dir);
}

namespace {

struct CThumb {
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  int error = 1;
  std::string message;
  int width = 0, height = 0, tile_x = 0, tile_y = 0, tile_w = 0, tile_h = 0;
  int64_t start_us = -1, duration_us = -1;
  int luma_corner = -1;
};

void on_c_thumbnail(void* data, const abrplay_thumbnail* t) {
  auto* c = static_cast<CThumb*>(data);
  std::lock_guard lock(c->mu);
  c->error = t->error;
  c->message = t->message;
  c->width = t->image.width;
  c->height = t->image.height;
  c->tile_x = t->tile_x;
  c->tile_y = t->tile_y;
  c->tile_w = t->tile_width;
  c->tile_h = t->tile_height;
  c->start_us = t->start_us;
  c->duration_us = t->duration_us;
  if (t->error == 0) c->luma_corner = t->image.planes[0][0];
  c->done = true;
  c->cv.notify_all();
}

bool wait_c(CThumb& c) {
  std::unique_lock lock(c.mu);
  return c.cv.wait_for(lock, kWaitLimit, [&] { return c.done; });
}

}  // namespace

TEST_CASE("C API: abrplay_thumbnail_at gives the image and the tile, or a negative code", "[api][c][thumbnails]") {
  auto origin = serve();
  abrplay_config* cfg = abrplay_config_create();
  REQUIRE(abrplay_config_set_string(cfg, "sinks", "null-max-speed") == ABRPLAY_OK);
  REQUIRE(abrplay_config_set_int(cfg, "play-when-ready", 0) == ABRPLAY_OK);
  abrplay_handle* p = abrplay_create(cfg);
  abrplay_config_destroy(cfg);
  CHECK(abrplay_thumbnail_at(p, 0, nullptr, nullptr) == ABRPLAY_ERROR_INVALID_ARGUMENT);
  CThumb before;
  REQUIRE(abrplay_thumbnail_at(p, 0, on_c_thumbnail, &before) == ABRPLAY_OK);
  REQUIRE(wait_c(before));
  CHECK(before.error == ABRPLAY_ERROR_INVALID_STATE);
  CHECK(before.message.find("no presentation loaded") != std::string::npos);

  REQUIRE(abrplay_load(p, manifest_url(*origin).c_str()) == ABRPLAY_OK);
  for (;;) {
    abrplay_event ev;
    REQUIRE(abrplay_wait_event(p, 30.0, &ev) == ABRPLAY_OK);
    REQUIRE(ev.type != ABRPLAY_EVENT_ERROR);
    if (ev.type == ABRPLAY_EVENT_STATE_CHANGED && ev.previous_state == ABRPLAY_STATE_LOADING) break;
  }
  CThumb t;
  REQUIRE(abrplay_thumbnail_at(p, 7'200'000, on_c_thumbnail, &t) == ABRPLAY_OK);
  REQUIRE(wait_c(t));
  CHECK(t.error == 0);
  CHECK(t.message.empty());
  CHECK(t.width == 640);
  CHECK(t.height == 360);
  CHECK(t.tile_x == 320);
  CHECK(t.tile_y == 180);
  CHECK(t.tile_w == 320);
  CHECK(t.tile_h == 180);
  CHECK(t.start_us == 7'000'000);
  CHECK(t.duration_us == 1'000'000);
  CHECK(t.luma_corner >= 0);

  CThumb past;
  REQUIRE(abrplay_thumbnail_at(p, 60'000'000, on_c_thumbnail, &past) == ABRPLAY_OK);
  REQUIRE(wait_c(past));
  CHECK(past.error == ABRPLAY_ERROR_INVALID_ARGUMENT);
  abrplay_destroy(p);
}

}  // namespace abrplay::test
