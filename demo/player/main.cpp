// abrplay: the demo player.
//
//   abrplay URL|PATH [--abr NAME|fixed:N] [--headless] [--no-decode] [--speed realtime|max|X]
//               [--max-height N] [--start S] [--duration S] [--telemetry URL] [--cmcd query|header]
//               [--json-summary FILE] [--log-level L] [--stats] [--screenshot-at S --screenshot FILE]
//               [--preload-wait S]
//
// URL|PATH: an http(s):// or file:// URL of the MPD, or a local path (made a file:// URL with
// net::url_from_argument). A local MPD reads its media from disk or over http(s); a remote MPD never
// reads local files (docs/security.md).
// Decoding (default): through the public Player API (decoded_session.h), in an SDL window when a
// display exists (DISPLAY or WAYLAND_DISPLAY) and --headless is not given, else headless.
// --no-decode: the streaming engine with the virtual consumer, which plays time only (the
// download side alone; --speed X runs its clock X times faster).
// One progress line on stderr, updated in place; a summary at the end (startup time, average
// bitrate, switches, stalls and stall time, dropped frames, QoE_lin), also as JSON with
// --json-summary. --screenshot-at S --screenshot FILE (window only): once playback reaches S
// seconds the window is read back and saved as PPM, and a "screenshot" line goes to stdout.
// --preload-wait S (decoding only): Player::preload(URL), wait S seconds, then press Play (load);
// the summary adds press->first frame and how the preload went (docs/embedding.md, "Preload").
// Exit status: 0 when playback ended or --duration was played, 1 on a playback
// error, 2 for a bad command line.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include "abrplay/abr/algorithm/fixed.h"
#include "abrplay/abr/algorithm/registry.h"
#include "abrplay/core/clock.h"
#include "abrplay/net/http_client.h"
#include "abrplay/net/url.h"
#include "abrplay/player/engine/event_loop.h"
#include "abrplay/player/engine/streaming_engine.h"
#include "abrplay/player/engine/virtual_consumer.h"
#include "decoded_session.h"
#include "progress_line.h"
#include "session_stats.h"

namespace {

// "fixed:N", or a registry name. Null (with a message on stderr) when neither.
std::unique_ptr<abrplay::abr::AbrAlgorithm> make_abr(const std::string& spec) {
  if (spec.rfind("fixed:", 0) == 0) {
    const std::string n = spec.substr(6);
    if (n.empty() || n.size() > 3 || n.find_first_not_of("0123456789") != std::string::npos) {
      std::cerr << "abrplay: --abr " << spec << ": expected fixed:N with N a representation index (0 = lowest)\n";
      return nullptr;
    }
    return std::make_unique<abrplay::abr::FixedAlgorithm>(std::stoul(n));
  }
  auto algo = abrplay::abr::make_algorithm(spec);
  if (!algo) {
    std::cerr << "abrplay: --abr " << spec << ": unknown algorithm; known:";
    for (auto name : abrplay::abr::algorithm_names()) std::cerr << ' ' << name;
    std::cerr << " fixed:N\n";
  }
  return algo;
}

void print_progress(abrplay::demo::ProgressLine& line, const abrplay::demo::SessionSummary& s, bool final = false) {
  char text[160];
  std::snprintf(text, sizeof text, "%-9s pos %7.1f s  buffer %5.1f s  %7.0f kbit/s  switches %d  stalls %d   ",
                std::string(abrplay::engine::to_string(s.figures.state)).c_str(), s.position_s, s.buffer_s,
                s.last_bitrate_kbps, s.figures.switches, s.figures.stalls);
  line.show(text, final);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"abrplay: plays an MPEG-DASH stream with adaptive bitrate"};
  std::string url, abr_spec = "default", json_path, speed_text = "realtime", telemetry, cmcd, log_level = "warning";
  bool no_decode = false, headless = false, stats_overlay = false;
  std::optional<double> duration, start, screenshot_at, target_latency, preload_wait;
  bool no_catchup = false;
  std::string screenshot_path, cdn_choice = "measured", ca_file;
  unsigned max_height = 0;
  bool no_cache = false;
  std::string cache_dir;
  unsigned cache_mb = 64;
  app.add_option("url", url,
                 "the MPD: an http://, https:// or file:// URL, or a local path (relative or absolute); "
                 "a local MPD may name local or http(s) media, a remote one only http(s)")
      ->required();
  app.add_flag("--no-decode", no_decode, "download only: play time with the virtual consumer");
  app.add_flag("--headless", headless, "decode without a window (null sinks)");
  app.add_option("--abr", abr_spec, "ABR algorithm: a name from abrplay-sim, or fixed:N");
  app.add_option("--cacert", ca_file, "extra CA bundle (PEM) for https, e.g. a test server's certificate")
      ->check(CLI::ExistingFile);
  app.add_option("--cdn-choice", cdn_choice,
                 "between the MPD's CDNs: measured (default: move to one measured twice as fast) or first "
                 "(keep the DVB-weighted first choice; failover only)")
      ->check(CLI::IsMember({"measured", "first"}));
  app.add_option("--target-latency", target_latency,
                 "live: hold playback this many seconds behind the live edge (default: the MPD's "
                 "ServiceDescription target, if any), by playing up to 10 % faster or slower")
      ->check(CLI::Range(0.1, 3600.0));
  app.add_flag("--no-catchup", no_catchup, "live: no playback-rate catch-up to the target latency");
  app.add_option("--duration", duration, "stop after this many seconds of media")->check(CLI::PositiveNumber);
  app.add_option("--start", start, "start at this position (seconds)")->check(CLI::NonNegativeNumber);
  app.add_option("--max-height", max_height, "play no representation taller than this");
  app.add_option("--speed", speed_text,
                 "realtime (default) or max (decode as fast as possible); with --no-decode a factor 0.1-64");
  app.add_option("--telemetry", telemetry, "POST telemetry heartbeats and the final report to this URL");
  app.add_option("--cmcd", cmcd, "send CMCD on every request")->check(CLI::IsMember({"query", "header"}));
  app.add_flag("--no-cache", no_cache, "decoded playback: no HTTP cache of manifests and segments");
  app.add_option("--cache-dir", cache_dir, "decoded playback: keep the HTTP cache on disk too, in this directory");
  app.add_option("--cache-mb", cache_mb, "decoded playback: the HTTP cache's memory budget in MiB (default 64)")
      ->check(CLI::Range(1u, 65536u));
  app.add_option("--json-summary", json_path, "write the summary as JSON to this file");
  app.add_option("--log-level", log_level, "debug, info, warning (default) or error");
  app.add_flag("--stats", stats_overlay, "window: start with the statistics overlay shown (key s toggles it)");
  auto* shot_at = app.add_option("--screenshot-at", screenshot_at,
                                 "window only: save the window when playback reaches this position (seconds)")
                      ->check(CLI::NonNegativeNumber);
  auto* shot = app.add_option("--screenshot", screenshot_path, "the screenshot file (binary PPM)");
  auto* preload_opt = app.add_option("--preload-wait", preload_wait,
                                     "preload the title, wait this many seconds, then press Play (decoding only)")
                          ->check(CLI::NonNegativeNumber);
  preload_opt->excludes("--no-decode");
  shot_at->needs(shot);
  shot->needs(shot_at);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);  // prints help or the error
    return rc == 0 ? 0 : 2;      // every bad command line is status 2
  }
  // A local path becomes its file:// URL (percent-encoded); a URL stays as it is.
  if (auto as_url = abrplay::net::url_from_argument(url)) {
    url = std::move(*as_url);
  } else {
    std::cerr << "abrplay: " << url << ": " << as_url.error().message << "\n";
    return 1;
  }
  double speed = 1.0;
  if (speed_text == "max") {
    speed = 64.0;
  } else if (speed_text != "realtime") {
    try {
      std::size_t used = 0;
      speed = std::stod(speed_text, &used);
      if (used != speed_text.size() || !(speed >= 0.1 && speed <= 64.0)) throw std::invalid_argument(speed_text);
    } catch (const std::exception&) {
      std::cerr << "abrplay: --speed " << speed_text << ": expected realtime, max or a factor from 0.1 to 64\n";
      return 2;
    }
  }
  if (!no_decode) {
    if (speed_text != "realtime" && speed_text != "max") {
      std::cerr << "abrplay: --speed " << speed_text << ": a factor needs --no-decode; use realtime or max\n";
      return 2;
    }
    if (abr_spec.rfind("fixed:", 0) != 0 && !make_abr(abr_spec)) return 2;
    abrplay::demo::DecodeOptions o;
    o.url = url;
    o.abr = abr_spec;
    o.measured_cdn_choice = cdn_choice == "measured";
    o.target_latency_s = target_latency;
    o.live_catchup = !no_catchup;
    o.ca_file = ca_file;
    o.cache = !no_cache;
    o.cache_dir = cache_dir;
    o.cache_mb = cache_mb;
    o.window = !headless && (std::getenv("DISPLAY") != nullptr || std::getenv("WAYLAND_DISPLAY") != nullptr);
    o.max_speed = speed_text == "max";
    o.max_height = max_height;
    o.start_s = start;
    o.duration_s = duration;
    o.telemetry_url = telemetry;
    o.cmcd = cmcd;
    o.json_summary = json_path;
    o.log_level = log_level;
    o.screenshot_at_s = screenshot_at;
    o.screenshot_path = screenshot_path;
    o.stats_overlay = stats_overlay;
    o.preload_wait_s = preload_wait;
    if (screenshot_at && !o.window) {
      std::cerr << "abrplay: --screenshot needs a window (a DISPLAY, without --headless)\n";
      return 2;
    }
    return abrplay::demo::run_decoded(o);
  }
  auto algorithm = make_abr(abr_spec);
  if (!algorithm) return 2;

  abrplay::SystemClock clock;
  abrplay::engine::EventLoop loop(clock, abrplay::engine::EventLoop::Mode::kOwnThread);
  abrplay::net::ClientOptions http_options;
  http_options.ca_file = ca_file;
  auto http = std::make_unique<abrplay::net::HttpClient>(std::move(http_options));
  abrplay::demo::SessionStats stats(clock);
  std::unique_ptr<abrplay::engine::VirtualConsumer> consumer;
  std::unique_ptr<abrplay::engine::StreamingEngine> engine;
  abrplay::Error load_error;
  loop.run_sync([&] {
    consumer = std::make_unique<abrplay::engine::VirtualConsumer>(loop, speed);
    abrplay::engine::EngineDeps deps{loop, *http, *consumer, std::move(algorithm), nullptr, nullptr};
    abrplay::engine::EngineConfig ec;
    ec.hosts.measured_choice = cdn_choice == "measured";
    if (target_latency)
      ec.target_latency = std::chrono::duration_cast<abrplay::MediaTime>(
          std::chrono::duration<double>(*target_latency));
    ec.live_catchup = !no_catchup;
    engine = std::make_unique<abrplay::engine::StreamingEngine>(std::move(deps), ec);
    engine->add_observer(stats);
    load_error = engine->load(url);
  });
  if (load_error.code != abrplay::ErrorCode::kOk) {
    std::cerr << "abrplay: " << load_error.describe() << "\n";
    return 1;
  }
  // The progress line is refreshed twice a second; the wait ends at once when the session does.
  abrplay::demo::ProgressLine progress;
  while (!stats.wait_done(duration, std::chrono::milliseconds(500))) print_progress(progress, stats.snapshot());
  auto summary = stats.snapshot();
  summary.abr = std::string(abrplay::abr::resolve_algorithm_name(abr_spec));
  print_progress(progress, summary, true);
  loop.run_sync([&] {
    engine->remove_observer(stats);
    engine.reset();
    consumer.reset();
  });
  http.reset();
  loop.stop();

  const abrplay::engine::SessionFigures& f = summary.figures;
  std::printf("startup      %s\n", f.startup_s ? (std::to_string(*f.startup_s) + " s").c_str() : "never");
  std::printf("played       %.1f s\n", summary.position_s);
  std::printf("bitrate      %.0f kbit/s average (video, per second played)\n", f.bitrate.kbps());
  std::printf("switches     %d\n", f.switches);
  std::printf("stalls       %d (%.2f s)\n", f.stalls, f.stall_s);
  std::printf("QoE_lin      %.2f (Pensieve weights, sampled every second)\n", f.qoe_lin);
  std::printf("downloaded   %d segments, %.1f MB\n", f.media_segments, static_cast<double>(f.bytes.bytes()) / 1e6);
  if (f.live_latency_s)
    std::printf("latency      %.2f s median behind the live edge (sd %.2f s)\n", *f.live_latency_s,
                f.live_latency_sd_s.value_or(0));
  if (!f.error.empty()) std::printf("error        %s\n", f.error.c_str());
  if (!json_path.empty()) {
    std::ofstream out(json_path);
    out << abrplay::demo::to_json(summary, url) << "\n";
    if (!out.good()) {
      std::cerr << "abrplay: cannot write " << json_path << "\n";
      return 1;
    }
  }
  return f.error.empty() ? 0 : 1;
}
