#include "decoded_session.h"

#include "progress_line.h"

#include <atomic>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>
#include <utility>

#include "abrplay/player.h"
#include "abrplay/player/engine/session_metrics.h"
#include "abrplay/player/media/sdl_sinks.h"
#include "abrplay/player/telemetry/cmcd.h"
#include "screenshot.h"
#include "stats_overlay.h"
#include "track_cycle.h"

namespace abrplay::demo {
namespace {

using namespace std::chrono_literals;

// Records the fatal error and the end; wakes the main loop.
class Listener final : public PlayerListener {
 public:
  void on_event(const PlayerEvent& e) override {
    std::lock_guard lock(mu_);
    if (e.kind == PlayerEvent::Kind::kError) error_ = e.error.describe();
    if (e.kind == PlayerEvent::Kind::kWarning) warnings_.push_back(e.error.describe());
    if (e.kind == PlayerEvent::Kind::kEnded || e.kind == PlayerEvent::Kind::kError) done_ = true;
    const bool preload_end = e.kind == PlayerEvent::Kind::kPreloadReady ||
                             e.kind == PlayerEvent::Kind::kPreloadFailed ||
                             e.kind == PlayerEvent::Kind::kPreloadDiscarded;
    if (preload_end && !preload_) preload_ = std::make_pair(e, std::chrono::steady_clock::now());
    cv_.notify_all();
  }
  // How the preload ended (the event) and when; empty while it runs.
  std::optional<std::pair<PlayerEvent, std::chrono::steady_clock::time_point>> preload() {
    std::lock_guard lock(mu_);
    return preload_;
  }
  bool wait_done(std::chrono::milliseconds limit) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, limit, [&] { return done_; });
  }
  bool done() {
    std::lock_guard lock(mu_);
    return done_;
  }
  std::string error() {
    std::lock_guard lock(mu_);
    return error_;
  }
  std::vector<std::string> warnings() {
    std::lock_guard lock(mu_);
    return warnings_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool done_ = false;
  std::string error_;
  std::vector<std::string> warnings_;
  std::optional<std::pair<PlayerEvent, std::chrono::steady_clock::time_point>> preload_;
};

// Pensieve's QoE_lin weights on a 1 s sampling of what is on screen: each second of media counts a
// quarter of a 4 s segment's bitrate (Mbps), taken in the middle of the second (away from segment
// boundaries), each stall second costs 4.3, each switch the bitrate change (Mbps).
// The latest thumbnail answer, handed from the player thread to the window's loop.
class ThumbnailSlot {
 public:
  void put(ThumbnailResult r) {
    std::lock_guard lock(mu_);
    result_.emplace(std::move(r));
  }
  std::optional<ThumbnailResult> take() {
    std::lock_guard lock(mu_);
    std::optional<ThumbnailResult> r = std::move(result_);
    result_.reset();
    return r;
  }

 private:
  std::mutex mu_;
  std::optional<ThumbnailResult> result_;
};

// QoE_lin and the average bitrate from what is on screen, sampled once per second of media played.
// The slots run from where playback began, and again from where a seek (the session's own, or the
// engine's jump to the live edge) landed: media never played is not counted (a live session used to
// count every second from the stream's zero at the first rendition shown).
class QoeSampler {
 public:
  // The session's own seek: the slots start at its target, or where the next sample while playing
  // finds the position.
  void seeked(std::chrono::microseconds target) {
    from_here_ = true;
    next_slot_ = std::chrono::duration<double>(target).count() + 0.5;
  }
  void sample(const PlayerStats& s) {
    const double pos = std::chrono::duration<double>(s.position).count();
    const double mbps = static_cast<double>(s.video_bitrate_bps) / 1e6;
    if (s.state == PlayerState::kSeeking) from_here_ = true;
    if (s.state == PlayerState::kPlaying && mbps > 0 && from_here_) {
      next_slot_ = pos + 0.5;
      from_here_ = false;
    }
    // At the end, the seconds since the last sample were played too. A session that ended between
    // two samples (--speed max) never showed one while playing: its slots run from the start of the
    // stream, or from its own seek's target.
    const bool played = s.state == PlayerState::kPlaying || s.state == PlayerState::kEnded;
    while (played && mbps > 0 && pos >= next_slot_) {
      utility_ += mbps / 4.0;
      weighted_kbps_ += mbps * 1000;
      ++slots_;
      next_slot_ += 1.0;
    }
    if (mbps > 0 && last_mbps_ > 0 && std::abs(mbps - last_mbps_) > 1e-9) smooth_ += std::abs(mbps - last_mbps_);
    if (mbps > 0) last_mbps_ = mbps;
  }
  double qoe(double stall_s) const { return utility_ - 4.3 * stall_s - smooth_; }
  double average_kbps() const { return slots_ ? weighted_kbps_ / slots_ : 0; }

 private:
  bool from_here_ = true;  // the next sample while playing starts the slots
  double next_slot_ = 0.5, utility_ = 0, smooth_ = 0, last_mbps_ = 0, weighted_kbps_ = 0;
  int slots_ = 0;
};

void print_progress(ProgressLine& line, const PlayerStats& s, bool final = false) {
  char text[200];
  std::snprintf(text, sizeof text,
                "%-9s pos %7.1f s  buffer %5.1f s  %7.0f kbit/s %4dp  tput %7.0f kbit/s  dropped %llu   ",
                std::string(to_string(s.state)).c_str(), std::chrono::duration<double>(s.position).count(),
                std::chrono::duration<double>(s.video_buffer).count(), static_cast<double>(s.video_bitrate_bps) / 1000,
                s.video_height, s.throughput_kbps.value_or(0), static_cast<unsigned long long>(s.frames_dropped));
  line.show(text, final);
}

std::optional<LogLevel> parse_level(const std::string& s) {
  if (s == "debug") return LogLevel::kDebug;
  if (s == "info") return LogLevel::kInfo;
  if (s == "warning") return LogLevel::kWarning;
  if (s == "error") return LogLevel::kError;
  return std::nullopt;
}

// Reads the window back and writes it to `path`; the line on stdout says which frame it shows.
bool take_screenshot(media::SdlVideoSink& video, const std::string& path, std::chrono::microseconds position) {
  auto image = video.read_pixels();
  if (!image) {
    std::cerr << "\nabrplay: screenshot: " << image.error().describe() << "\n";
    return false;
  }
  if (auto e = write_ppm(*image, path)) {
    std::cerr << "\nabrplay: " << e->describe() << "\n";
    return false;
  }
  std::printf("screenshot   %s %dx%d frame-pts %.6f position %.6f\n", path.c_str(), image->width, image->height,
              image->frame_pts ? std::chrono::duration<double>(*image->frame_pts).count() : -1.0,
              std::chrono::duration<double>(position).count());
  std::fflush(stdout);
  return true;
}

}  // namespace

int run_decoded(const DecodeOptions& o) {
  const auto level = parse_level(o.log_level);
  if (!level) {
    std::cerr << "abrplay: --log-level " << o.log_level << ": expected debug, info, warning or error\n";
    return 2;
  }
  PlayerConfig config;
  config.abr = o.abr;
  config.measured_cdn_choice = o.measured_cdn_choice;
  if (o.target_latency_s)
    config.target_latency = std::chrono::milliseconds(static_cast<long long>(std::llround(*o.target_latency_s * 1000)));
  config.live_catchup = o.live_catchup;
  config.ca_file = o.ca_file;
  config.cache.enabled = o.cache;
  config.cache.disk_dir = o.cache_dir;
  config.cache.memory_bytes = std::uint64_t{o.cache_mb} << 20;
  config.max_height = o.max_height;
  config.telemetry_url = o.telemetry_url;
  config.cmcd = telemetry::parse_cmcd_mode(o.cmcd).value_or(CmcdMode::kOff);  // "" (no --cmcd): off
  config.log = [min = *level](LogLevel l, std::string_view text) {
    if (l >= min) std::cerr << "\nabrplay: " << text << "\n";
  };
  std::unique_ptr<media::SdlVideoSink> video;
  std::unique_ptr<media::SdlAudioSink> audio;
  if (o.window) {
    auto v = media::SdlVideoSink::create(
        {.title = "abrplay " + o.url, .width = 960, .height = 540, .fullscreen = false});
    if (!v) {
      std::cerr << "abrplay: " << v.error().describe() << "\n";
      return 1;
    }
    video = std::move(*v);
    audio = std::make_unique<media::SdlAudioSink>();
    config.sinks.kind = SinkKind::kExternal;
    config.sinks.video = video.get();
    config.sinks.audio = audio.get();
    // With kExternal, cues are due on this thread (in pump()): the window draws them.
    config.sinks.on_cue = [v = video.get()](const media::TextCue& cue) { v->cue(cue); };
  } else {
    config.sinks.kind = o.max_speed ? SinkKind::kNullMaxSpeed : SinkKind::kNullRealTime;
  }
  Listener listener;
  Player player(std::move(config));
  player.set_listener(&listener);
  // --preload-wait S: preload, let S seconds pass as a viewer browsing would (the wait is the
  // scenario, not a synchronisation), then press Play: load() of the same URL.
  const auto preload_start = std::chrono::steady_clock::now();
  if (o.preload_wait_s) {
    if (Error e = player.preload(o.url); e.code != ErrorCode::kOk) {
      std::cerr << "abrplay: " << e.describe() << "\n";
      return 1;
    }
    std::this_thread::sleep_for(std::chrono::duration<double>(*o.preload_wait_s));
  }
  if (Error e = player.load(o.url); e.code != ErrorCode::kOk) {
    std::cerr << "abrplay: " << e.describe() << "\n";
    return 1;
  }
  QoeSampler qoe;
  std::vector<double> live_latencies;  // s, while playing live with a target latency
  bool started = false;
  bool screenshot_taken = false;
  bool screenshot_failed = false;
  std::string text_language;  // the subtitles asked for with v; "" off
  StatsOverlay overlay;
  bool show_stats = o.stats_overlay;
  bool pending_audio = false, pending_text = false;
  ProgressLine progress;
  auto last_print = std::chrono::steady_clock::now();
  // Seek-bar thumbnails: each arrow key asks for the target's thumbnail (answered on the player
  // thread into `thumb`); the window shows it until 1 s after the last seek key.
  auto thumb = std::make_shared<ThumbnailSlot>();
  // When the seek thumbnail goes away; max() while none is shown. (Not an optional: GCC 12 at -O2
  // warns that the optional's time point may be used uninitialized.)
  constexpr auto kNoThumb = std::chrono::steady_clock::time_point::max();
  auto thumb_until = kNoThumb;
  while (!listener.done()) {
    if (o.window) {
      player.pump(10ms);
      const media::SdlInput in = video->pump_events();
      if (in.quit) break;
      if (in.toggle_pause) player.play_when_ready() ? player.pause() : player.play();
      if (in.seek_s != 0) {
        const auto target = player.position() + std::chrono::microseconds(static_cast<long long>(in.seek_s * 1e6));
        const auto at = std::max(target, std::chrono::microseconds(0));
        (void)player.seek(at);
        qoe.seeked(at);
        player.thumbnail_at(at, [thumb](ThumbnailResult r) { thumb->put(std::move(r)); });
        thumb_until = std::chrono::steady_clock::now() + 1s;
      }
      if (auto r = thumb->take(); r && thumb_until != kNoThumb) {
        if (*r) {
          (void)video->set_thumbnail(media::SdlThumbnail{r->value().image, r->value().tile_x, r->value().tile_y,
                                                         r->value().tile_width, r->value().tile_height});
        }
      }
      if (thumb_until != kNoThumb && std::chrono::steady_clock::now() >= thumb_until) {
        thumb_until = kNoThumb;
        (void)video->set_thumbnail(std::nullopt);
      }
      if (in.pin) player.pin_representation(*in.pin);
      // a and v act once the session knows its languages (the manifest, and for a the audio
      // language playing); a key pressed before that, or during the reload of another, waits.
      pending_audio = pending_audio || in.cycle_audio;
      pending_text = pending_text || in.cycle_text;
      if (in.toggle_stats) {
        show_stats = !show_stats;
        video->set_overlay(show_stats ? overlay.overlay() : media::SdlOverlay{});
      }
      if (pending_audio || pending_text) {
        const TrackLanguages langs = player.languages();
        if (pending_text && !(langs.audio.empty() && langs.text.empty())) {
          pending_text = false;
          if (auto next = next_text_language(langs.text, text_language)) {
            std::cerr << "\nabrplay: subtitles " << (next->empty() ? "off" : *next) << "\n";
            text_language = *next;
            video->clear();
            player.select_text_language(*next);
          }
        } else if (pending_audio && !langs.audio_playing.empty()) {
          pending_audio = false;
          if (auto next = next_audio_language(langs.audio, langs.audio_playing)) {
            std::cerr << "\nabrplay: audio " << *next << "\n";
            player.select_audio_language(*next);
          }
        }
      }
      if (o.screenshot_at_s && !screenshot_taken && player.state() == PlayerState::kPlaying &&
          std::chrono::duration<double>(player.position()).count() >= *o.screenshot_at_s) {
        screenshot_taken = true;
        screenshot_failed = !take_screenshot(*video, o.screenshot_path, player.position());
        if (screenshot_failed) break;
      }
    } else {
      listener.wait_done(50ms);
    }
    const PlayerStats s = player.stats();
    qoe.sample(s);
    if (s.live_latency && s.state == PlayerState::kPlaying)
      live_latencies.push_back(std::chrono::duration<double>(*s.live_latency).count());
    if (o.window && overlay.sample(s, std::chrono::steady_clock::now()) && show_stats)
      video->set_overlay(overlay.overlay());
    if (!started && o.start_s && (s.state == PlayerState::kPlaying || s.state == PlayerState::kBuffering)) {
      const std::chrono::microseconds target(static_cast<long long>(*o.start_s * 1e6));
      started = player.seek(target).code == ErrorCode::kOk;
      qoe.seeked(target);
    }
    if (o.duration_s && std::chrono::duration<double>(s.position).count() >= *o.duration_s + o.start_s.value_or(0))
      break;
    if (std::chrono::steady_clock::now() - last_print >= 500ms) {
      print_progress(progress, s);
      last_print = std::chrono::steady_clock::now();
    }
  }
  const PlayerStats s = player.stats();
  qoe.sample(s);
  print_progress(progress, s, true);
  const std::string error = listener.error();
  const std::string audio_language = player.languages().audio_playing;
  player.stop();  // sends the final telemetry report

  const double stall_s = std::chrono::duration<double>(s.stall_time).count();
  nlohmann::json j = {{"url", o.url},
                      {"abr", s.abr},
                      {"state", to_string(s.state)},
                      {"played_s", std::chrono::duration<double>(s.position).count()},
                      {"average_bitrate_kbps", std::round(qoe.average_kbps())},
                      {"switches", s.switches},
                      {"stalls", s.stalls},
                      {"stall_s", stall_s},
                      {"frames_presented", s.frames_presented},
                      {"frames_dropped", s.frames_dropped},
                      {"segments", s.segments_downloaded},
                      {"cache",
                       {{"hits", s.cache_hits},
                        {"revalidations", s.cache_revalidations},
                        {"misses", s.cache_misses},
                        {"bytes", s.cache_bytes}}},
                      {"qoe_lin", std::round(qoe.qoe(stall_s) * 1000) / 1000},
                      {"audio_language", audio_language},
                      {"text_language", text_language}};
  if (s.startup_time) j["startup_s"] = std::chrono::duration<double>(*s.startup_time).count();
  if (s.first_frame_time) j["first_frame_s"] = std::chrono::duration<double>(*s.first_frame_time).count();
  if (s.press_to_first_frame) {
    j["press_to_first_frame_s"] = std::chrono::duration<double>(*s.press_to_first_frame).count();
  }
  if (o.preload_wait_s) {
    nlohmann::json p = {{"wait_s", *o.preload_wait_s}, {"responses_used", s.preload_responses_used}};
    if (const auto ended = listener.preload()) {
      const PlayerEvent& e = ended->first;
      p["outcome"] = e.kind == PlayerEvent::Kind::kPreloadReady    ? "ready"
                     : e.kind == PlayerEvent::Kind::kPreloadFailed ? "failed"
                                                                   : "discarded";
      p["ready_s"] = std::chrono::duration<double>(ended->second - preload_start).count();
      p["bytes"] = e.bytes;
      if (e.kind == PlayerEvent::Kind::kPreloadFailed) p["error"] = e.error.describe();
    } else {
      p["outcome"] = "loading";  // still running at the press: it handed over what it had
    }
    j["preload"] = p;
  }
  if (!error.empty()) j["error"] = error;
  // Live with a target latency: the latency behind the live edge while playing, over the session.
  if (!live_latencies.empty()) {
    const auto l = engine::median_and_sd(live_latencies);
    j["live_latency_s"] = l->median;
    j["live_latency_sd_s"] = l->sd;
    std::printf("latency      %.2f s median behind the live edge (sd %.2f s)\n", l->median, l->sd);
  }
  // Not fatal: ignored manifest attributes, remote elements left out, skipped segments...
  j["warnings"] = listener.warnings();
  std::printf("startup      %s\n",
              s.startup_time ? (std::to_string(j["startup_s"].get<double>()) + " s").c_str() : "never");
  if (s.press_to_first_frame) std::printf("press->frame %f s\n", j["press_to_first_frame_s"].get<double>());
  if (o.preload_wait_s) {
    const auto& p = j["preload"];
    std::printf("preload      %s, %llu responses used", p["outcome"].get<std::string>().c_str(),
                static_cast<unsigned long long>(s.preload_responses_used));
    if (p.contains("ready_s")) {
      std::printf(" (ended after %.3f s, %llu bytes)", p["ready_s"].get<double>(),
                  static_cast<unsigned long long>(p["bytes"].get<std::uint64_t>()));
    }
    std::printf("\n");
  }
  std::printf("played       %.1f s\n", j["played_s"].get<double>());
  std::printf("bitrate      %.0f kbit/s average (video on screen, per second played)\n", qoe.average_kbps());
  std::printf("switches     %d\n", s.switches);
  std::printf("stalls       %d (%.2f s)\n", s.stalls, stall_s);
  std::printf("frames       %llu presented, %llu dropped\n", static_cast<unsigned long long>(s.frames_presented),
              static_cast<unsigned long long>(s.frames_dropped));
  if (o.cache) {
    std::printf("cache        %llu hits, %llu revalidated, %llu misses, %llu bytes served\n",
                static_cast<unsigned long long>(s.cache_hits), static_cast<unsigned long long>(s.cache_revalidations),
                static_cast<unsigned long long>(s.cache_misses), static_cast<unsigned long long>(s.cache_bytes));
  }
  std::printf("QoE_lin      %.2f (Pensieve weights, 4 s segments, sampled every second)\n", qoe.qoe(stall_s));
  if (!error.empty()) std::printf("error        %s\n", error.c_str());
  if (!o.json_summary.empty()) {
    std::ofstream out(o.json_summary);
    out << j.dump(2) << "\n";
    if (!out.good()) {
      std::cerr << "abrplay: cannot write " << o.json_summary << "\n";
      return 1;
    }
  }
  return error.empty() && !screenshot_failed ? 0 : 1;
}

}  // namespace abrplay::demo
