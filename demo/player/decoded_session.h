// decoded_session.h: abrplay's decoding modes, through the public Player API (player.h).
//
// Headless: null sinks paced by the wall clock (--speed realtime) or as fast as decoding allows
// (--speed max). Window: SDL2 video and audio sinks, presented on the main thread by
// Player::pump(); keys as in mpv/ffplay: space pause, left/right seek 10 s, f fullscreen, 0-9 pin
// a representation, a the next audio language, v subtitles (off, each language, off),
// s the statistics overlay (stats_overlay.h), q quit.
// --screenshot-at/--screenshot save the window once. One progress line on stderr, updated in place;
// a summary at the end.
#pragma once

#include <optional>
#include <string>

namespace abrplay::demo {

struct DecodeOptions {
  std::string url;
  std::string abr = "default";
  bool window = false;
  bool max_speed = false;
  unsigned max_height = 0;
  std::optional<double> start_s, duration_s;
  std::string telemetry_url;
  std::string cmcd;                        // "", "query" or "header"
  bool measured_cdn_choice = true;         // --cdn-choice measured (default) or first
  std::optional<double> target_latency_s;  // --target-latency
  bool live_catchup = true;                // --no-catchup
  std::string ca_file;                     // --cacert
  bool cache = true;                       // --no-cache turns the HTTP cache off
  std::string cache_dir;                   // --cache-dir: the HTTP cache on disk too
  unsigned cache_mb = 64;                  // --cache-mb: its memory budget
  std::string json_summary;
  std::string log_level = "warning";  // debug, info, warning, error
  // Window only: once the position reaches screenshot_at_s while playing, the window is read back
  // and written to screenshot_path as PPM; a line "screenshot   PATH WxH frame-pts S position S"
  // goes to stdout at once (flushed), so a script can act on it (tests send a key then).
  std::optional<double> screenshot_at_s;
  bool stats_overlay = false;  // window: start with the statistics overlay shown (the key s toggles it)
  std::string screenshot_path;
  // --preload-wait S: Player::preload(url), S seconds, then load(url) (the press).
  std::optional<double> preload_wait_s;
};

// Plays until the end, --duration, q or an error. Exit status: 0 played, 1 playback error.
int run_decoded(const DecodeOptions& options);

}  // namespace abrplay::demo
