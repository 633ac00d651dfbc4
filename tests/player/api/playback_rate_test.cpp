// Player::set_playback_rate through the public API, against abrplay-origin on 127.0.0.1 with real
// decoding of the test content (audio en: a 440 Hz tone): the test's own sinks read everything as
// fast as it is decoded, so the samples tell the pitch and how much output 8 s of media made.
#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "abrplay/abrplay.h"
#include "abrplay/player.h"
#include "abrplay/player/media/sinks.h"
#include "api_test_support.h"
#include "media_test_support.h"

using namespace std::chrono_literals;

namespace abrplay::test {

namespace {

// Reads all the audio there is on every pump; keeps channel 0 of each frame that carried media.
class AllAudioSink final : public media::AudioSink {
 public:
  Expected<media::AudioFormat, Error> open(const media::AudioFormat& preferred, media::AudioSource& source) override {
    format = preferred;
    source_ = &source;
    return format;
  }
  void set_paused(bool paused) override { paused_ = paused; }
  void pump() override {
    if (source_ == nullptr || paused_) return;
    const auto ch = static_cast<std::size_t>(format.channels);
    std::vector<float> block(480 * ch);
    for (;;) {
      const std::size_t got = source_->read(block);
      for (std::size_t i = 0; i < got; ++i) mono.push_back(block[i * ch]);
      if (got < 480) return;
    }
  }
  std::chrono::microseconds latency() const override { return std::chrono::microseconds{0}; }
  void close() override { source_ = nullptr; }

  media::AudioFormat format;
  std::vector<float> mono;

 private:
  media::AudioSource* source_ = nullptr;
  bool paused_ = true;
};

}  // namespace

TEST_CASE("set_playback_rate 1.25: the tone stays 440 Hz and 8 s of media make 6.4 s of samples", "[api][tempo]") {
  auto origin = serve();
  media::NullVideoSink video;
  AllAudioSink audio;
  PlayerConfig c;
  c.sinks.kind = SinkKind::kExternal;
  c.sinks.max_speed = true;
  c.sinks.video = &video;
  c.sinks.audio = &audio;
  PlayerSession p(c);
  // Refused rates change nothing.
  CHECK(p.player.set_playback_rate(2.01).code == ErrorCode::kInvalidArgument);
  CHECK(p.player.set_playback_rate(0.49).code == ErrorCode::kInvalidArgument);
  CHECK(p.player.set_playback_rate(std::nan("")).code == ErrorCode::kInvalidArgument);
  REQUIRE(p.player.set_playback_rate(1.25).code == ErrorCode::kOk);  // before load: kept for it
  p.load(manifest_url(*origin));
  const auto deadline = std::chrono::steady_clock::now() + kWaitLimit;
  while (p.player.state() != PlayerState::kEnded && std::chrono::steady_clock::now() < deadline) p.player.pump(20ms);
  REQUIRE(p.player.state() == PlayerState::kEnded);
  CHECK(p.player.stats().playback_rate == 1.25);
  const double out_s = static_cast<double>(audio.mono.size()) / audio.format.sample_rate;
  const double hz = media::test::dominant_hz(audio.mono, 4800, audio.mono.size(), audio.format.sample_rate);
  INFO("output " << out_s << " s, tone " << hz << " Hz");
  // The en track is 8.021 s (385024 sample frames); atempo itself adds a few ms (ffmpeg's own
  // -af atempo=1.25 gives 114 frames more).
  CHECK(std::abs(out_s - 385'024 / 48'000.0 / 1.25) < 0.015);
  CHECK(std::abs(hz - 440) < 440 * 0.02);
  CHECK(video.presented() == 200);
}

TEST_CASE("C API: abrplay_set_playback_rate refuses rates outside 0.5..2.0 and the stats show the rate",
          "[api][c][tempo]") {
  abrplay_handle* h = abrplay_create(nullptr);
  REQUIRE(h != nullptr);
  CHECK(abrplay_set_playback_rate(h, 2.5) == ABRPLAY_ERROR_INVALID_ARGUMENT);
  CHECK(abrplay_set_playback_rate(nullptr, 1.0) == ABRPLAY_ERROR_INVALID_ARGUMENT);
  abrplay_stats s{};
  REQUIRE(abrplay_get_stats(h, &s) == ABRPLAY_OK);
  CHECK(s.playback_rate == 1.0);
  CHECK(abrplay_set_playback_rate(h, 0.8) == ABRPLAY_OK);
  // Applied by the player thread: visible once the queued command ran.
  const auto deadline = std::chrono::steady_clock::now() + kWaitLimit;
  while (s.playback_rate != 0.8 && std::chrono::steady_clock::now() < deadline) {
    abrplay_event ev;
    (void)abrplay_wait_event(h, 0.01, &ev);  // a bounded wait (no event is expected)
    REQUIRE(abrplay_get_stats(h, &s) == ABRPLAY_OK);
  }
  CHECK(s.playback_rate == 0.8);
  abrplay_destroy(h);
}

}  // namespace abrplay::test
