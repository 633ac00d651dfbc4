// The SDL sinks in a real window: run under Xvfb by the CTest entry abrplay_media_tests:sdl-xvfb
// (xvfb-run -a), or with SDL's offscreen video driver when there is no DISPLAY. Audio goes to SDL's
// disk driver writing to /dev/null, which consumes samples in real time, so the audio callback is
// the master clock, as with a sound card.
#include <catch2/catch.hpp>

#include <array>
#include <cstdio>
#include <cstdlib>

#include "abrplay/player/media/image_decoder.h"
#include "abrplay/player/media/pipeline.h"
#include "abrplay/player/media/sdl_sinks.h"
#include "media_test_support.h"

namespace abrplay::media::test {
namespace {

using std::chrono::microseconds;

// The frame code read from a window capture whose picture fills it (no letterbox bars).
int read_code(const RgbImage& img) {
  int code = 0;
  const int y = img.height - img.height / 36;  // centre row of the strip
  for (int k = 0; k < 20; ++k) {
    const int x = (2 * k + 1) * img.width / 64;  // centre column of cell k
    const std::size_t at =
        (static_cast<std::size_t>(y) * static_cast<std::size_t>(img.width) + static_cast<std::size_t>(x)) * 3;
    const int luma = (img.rgb[at] + img.rgb[at + 1] + img.rgb[at + 2]) / 3;
    if (luma > 128) code |= 1 << k;
  }
  return code;
}

std::size_t differing_pixels(const RgbImage& a, const RgbImage& b, int y0, int y1) {
  std::size_t n = 0;
  for (int y = y0; y < y1; ++y) {
    for (int x = 0; x < a.width; ++x) {
      const std::size_t at =
          (static_cast<std::size_t>(y) * static_cast<std::size_t>(a.width) + static_cast<std::size_t>(x)) * 3;
      if (a.rgb[at] != b.rgb[at] || a.rgb[at + 1] != b.rgb[at + 1] || a.rgb[at + 2] != b.rgb[at + 2]) ++n;
    }
  }
  return n;
}

}  // namespace

TEST_CASE("SDL sinks: the window shows the frame the audio clock is at, cues as boxes, the last frame at the end",
          "[.][media][sdl]") {
  if (std::getenv("DISPLAY") == nullptr) setenv("SDL_VIDEODRIVER", "offscreen", 0);
  // SDL's disk driver paces the callback in real time (the dummy driver does not); to /dev/null.
  setenv("SDL_AUDIODRIVER", "disk", 0);
  setenv("SDL_DISKAUDIOFILE", "/dev/null", 0);
  auto video = SdlVideoSink::create(SdlVideoOptions{"abrplay test", 640, 360, false});
  REQUIRE(video.has_value());
  SdlVideoSink& window = **video;
  SdlAudioSink audio;
  SystemClock clock;
  PipelineConfig config;
  config.text = true;
  MediaPipeline p(clock, config, PipelineSinks{&window, &audio, &window});
  REQUIRE_FALSE(p.start());
  REQUIRE_FALSE(p.set_rate(2.0));                      // 4 s of content in 2 s
  p.feed(TrackType::kVideo).push(load_segment(1, 1));  // 640x360: the picture fills the window
  p.feed(TrackType::kAudio).push(load_segment(6, 1));
  MediaSegment vtt;
  vtt.data = read_bytes(content_dir() + "subs_en.vtt");
  p.feed(TrackType::kText).push(vtt);
  for (auto t : {TrackType::kVideo, TrackType::kAudio, TrackType::kText}) p.feed(t).end_of_stream();

  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  bool checked_mid = false;
  while (p.state() != PipelineState::kEnded && std::chrono::steady_clock::now() < deadline) {
    window.pump_events();
    const auto next = p.pump();
    if (!checked_mid && p.state() == PipelineState::kPlaying && p.position() >= microseconds{1'000'000}) {
      checked_mid = true;
      p.pause();
      const auto pos = p.position();
      auto shot = window.read_pixels();
      REQUIRE(shot.has_value());
      REQUIRE(shot->width == 640);
      REQUIRE(shot->height == 360);
      if (const char* path = std::getenv("ABRPLAY_MEDIA_TEST_SCREENSHOT")) {  // a PPM, for eyes
        if (std::FILE* f = std::fopen(path, "wb")) {
          std::fprintf(f, "P6 %d %d 255\n", shot->width, shot->height);
          std::fwrite(shot->rgb.data(), 1, shot->rgb.size(), f);
          std::fclose(f);
        }
      }
      // The frame on screen is the one due at the clock: frame n starts at n*40 ms + 21 ms.
      const double expected = static_cast<double>((pos - microseconds{21'333}).count()) / 40'000.0;
      INFO("position " << pos.count() << " us");
      CHECK(std::abs(read_code(*shot) - expected) <= 1.5);
      // The cue "Subtitle at 0 s" is on screen as a box in the lower part of the picture only.
      window.clear();
      auto without = window.read_pixels();
      REQUIRE(without.has_value());
      CHECK(differing_pixels(*shot, *without, 240, 340) > 500);
      CHECK(differing_pixels(*shot, *without, 0, 180) == 0);
      p.resume();
    }
    if (next.count() > 0) p.wait(next);
  }
  REQUIRE(checked_mid);
  REQUIRE(p.state() == PipelineState::kEnded);
  auto last = window.read_pixels();
  REQUIRE(last.has_value());
  CHECK(read_code(*last) == 99);  // the last frame of the segment stays on screen
  const MediaStats s = p.stats();
  CHECK(s.av_drift_max_abs <= std::chrono::milliseconds(40));
  CHECK(s.audio_frames_played > 0);
}

}  // namespace abrplay::media::test

namespace abrplay::media::test {

TEST_CASE("SDL sink: a seek thumbnail shows framed at the bottom centre of the picture and hides", "[.][media][sdl]") {
  if (std::getenv("DISPLAY") == nullptr) setenv("SDL_VIDEODRIVER", "offscreen", 0);
  auto video = SdlVideoSink::create(SdlVideoOptions{"abrplay thumbnail test", 640, 360, false});
  REQUIRE(video.has_value());
  SdlVideoSink& window = **video;
  // A mid-grey 640x360 picture fills the window.
  auto pixels = std::make_shared<std::vector<std::uint8_t>>(640 * 360 * 3 / 2, 128);
  VideoFrame grey;
  grey.width = 640;
  grey.height = 360;
  grey.planes = {pixels->data(), pixels->data() + 640 * 360, pixels->data() + 640 * 360 + 320 * 180};
  grey.strides = {640, 320, 320};
  grey.owner = pixels;
  REQUIRE_FALSE(window.present(grey));
  auto image = decode_image(*read_bytes(content_dir() + "thumb_2.jpg"));
  REQUIRE(image);
  // Tile 1 (top right) of the grid; drawn 160 px wide (a quarter of the picture), 90 px high, in a
  // 2 px white frame whose bottom is 1/6 of the picture above the picture's bottom.
  REQUIRE_FALSE(window.set_thumbnail(SdlThumbnail{*image, 320, 0, 320, 180}));
  auto shot = window.read_pixels();
  REQUIRE(shot);
  auto rgb = [&](const RgbImage& img, int x, int y) {
    const std::size_t at =
        (static_cast<std::size_t>(y) * static_cast<std::size_t>(img.width) + static_cast<std::size_t>(x)) * 3;
    return std::array<int, 3>{img.rgb[at], img.rgb[at + 1], img.rgb[at + 2]};
  };
  const int fx = (640 - 160) / 2 - 2, fy = 360 - 360 / 6 - 90 - 2;
  CHECK(rgb(*shot, fx, fy) == std::array<int, 3>{255, 255, 255});             // the frame's corner
  CHECK(rgb(*shot, fx + 163, fy + 93) == std::array<int, 3>{255, 255, 255});  // the opposite one
  CHECK(rgb(*shot, fx - 2, fy - 2) == rgb(*shot, 10, 10));                    // outside: the grey picture
  std::size_t not_grey = 0;
  for (int y = fy + 2; y < fy + 92; ++y) {
    for (int x = fx + 2; x < fx + 162; ++x) not_grey += rgb(*shot, x, y) != rgb(*shot, 10, 10);
  }
  CHECK(not_grey > 160 * 90 / 2);  // the tile: testsrc2's colours, not the grey

  REQUIRE_FALSE(window.set_thumbnail(std::nullopt));
  auto hidden = window.read_pixels();
  REQUIRE(hidden);
  CHECK(rgb(*hidden, fx, fy) == rgb(*hidden, 10, 10));
  CHECK(rgb(*hidden, fx + 80, fy + 45) == rgb(*hidden, 10, 10));
}

}  // namespace abrplay::media::test
