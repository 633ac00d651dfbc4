// stats_overlay.h: what abrplay's statistics overlay (key s) shows: the playing bitrate and
// resolution, buffer, throughput, dropped frames, and the last minute of bitrate and buffer as bar
// graphs. Pure: fed PlayerStats samples with their time, it builds a media::SdlOverlay.
#pragma once

#include <chrono>
#include <cstddef>
#include <deque>
#include <optional>

#include "abrplay/player.h"
#include "abrplay/player/media/sdl_sinks.h"

namespace abrplay::demo {

class StatsOverlay {
 public:
  // One graph column per 500 ms over the last 60 s: 120 columns.
  static constexpr std::chrono::milliseconds kSampleInterval{500};
  static constexpr std::size_t kColumns = 120;

  // Keeps `s` for the text; adds a graph column when kSampleInterval passed since the last one.
  // Returns true when the overlay changed (a new column).
  bool sample(const PlayerStats& s, std::chrono::steady_clock::time_point now);
  media::SdlOverlay overlay() const;

 private:
  PlayerStats last_;
  std::optional<std::chrono::steady_clock::time_point> last_column_;
  std::deque<double> bitrate_kbps_;
  std::deque<double> buffer_s_;
};

}  // namespace abrplay::demo
