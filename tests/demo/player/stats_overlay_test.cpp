// abrplay's statistics overlay (key s): the text lines and the graph columns it builds from stats.
#include <catch2/catch.hpp>

#include "stats_overlay.h"

namespace abrplay::demo::test {

using namespace std::chrono_literals;

TEST_CASE("stats overlay: bitrate, resolution, buffer, throughput, dropped frames as text", "[demo][stats]") {
  PlayerStats s;
  s.video_bitrate_bps = 750'000;
  s.video_width = 640;
  s.video_height = 360;
  s.video_buffer = 12'340ms;
  s.audio_buffer = 12'000ms;
  s.throughput_kbps = 4500.4;
  s.frames_presented = 98;
  s.frames_dropped = 2;
  s.stalls = 1;
  s.stall_time = 1'500ms;
  s.switches = 3;
  s.abr = "dynamic";
  StatsOverlay o;
  CHECK(o.sample(s, std::chrono::steady_clock::time_point{}));
  const media::SdlOverlay out = o.overlay();
  REQUIRE(out.lines.size() == 6);
  CHECK(out.lines[0] == "BITRATE 750 KBIT/S  640X360");
  CHECK(out.lines[1] == "BUFFER 12.3 S  AUDIO 12.0 S");
  CHECK(out.lines[2] == "THROUGHPUT 4500 KBIT/S");
  CHECK(out.lines[3] == "DROPPED 2 OF 100 FRAMES");
  CHECK(out.lines[4] == "STALLS 1 (1.5 S)  SWITCHES 3");
  CHECK(out.lines[5] == "ABR dynamic");  // drawn upper case by the font
  s.throughput_kbps.reset();
  o.sample(s, std::chrono::steady_clock::time_point{} + 100ms);
  CHECK(o.overlay().lines[2] == "THROUGHPUT -");  // before the first ABR decision
}

TEST_CASE("stats overlay: one graph column per 500 ms, the last 60 s (120 columns) kept", "[demo][stats]") {
  StatsOverlay o;
  const auto t0 = std::chrono::steady_clock::time_point{};
  PlayerStats s;
  for (int i = 0; i < 130; ++i) {
    s.video_bitrate_bps = static_cast<std::uint64_t>(i) * 1000;
    s.video_buffer = std::chrono::seconds(i % 20);
    CHECK(o.sample(s, t0 + i * StatsOverlay::kSampleInterval));
    CHECK_FALSE(o.sample(s, t0 + i * StatsOverlay::kSampleInterval + 499ms));  // text only
  }
  const media::SdlOverlay out = o.overlay();
  REQUIRE(out.graphs.size() == 2);
  REQUIRE(out.graphs[0].values.size() == StatsOverlay::kColumns);
  CHECK(out.graphs[0].values.front() == 10.0);  // columns 0..9 scrolled out: 10 kbit/s is the oldest
  CHECK(out.graphs[0].values.back() == 129.0);
  REQUIRE(out.graphs[1].values.size() == StatsOverlay::kColumns);
  CHECK(out.graphs[1].values.back() == 129 % 20);
  CHECK(out.graphs[0].max <= 0);  // scaled to the largest value shown
}

}  // namespace abrplay::demo::test
