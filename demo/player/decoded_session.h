// decoded_session.h: abrplay's decoding modes, through the public Player API (player.h).
//
// Headless: null sinks paced by the wall clock (--speed realtime) or as fast as decoding allows
// (--speed max). Window: SDL2 video and audio sinks, presented on the main thread by
// Player::pump(); keys as in mpv/ffplay (space pause, left/right seek 10 s, f fullscreen, 0-9 pin
// a representation, q quit). One progress line on stderr, updated in place; a summary at the end.
#pragma once

#include <optional>
#include <string>

namespace abrplay::demo {

struct DecodeOptions {
  std::string url;
  std::string abr = "dynamic";
  bool window = false;
  bool max_speed = false;
  unsigned max_height = 0;
  std::optional<double> start_s, duration_s;
  std::string telemetry_url;
  std::string cmcd;  // "", "query" or "header"
  std::string json_summary;
  std::string log_level = "warning";  // debug, info, warning, error
};

// Plays until the end, --duration, q or an error. Exit status: 0 played, 1 playback error.
int run_decoded(const DecodeOptions& options);

}  // namespace abrplay::demo
