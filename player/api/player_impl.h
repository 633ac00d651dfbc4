// player/api/player_impl.h: Player::Impl, private to player/api/. One class joins the streaming
// engine, the media pipeline and telemetry (see abrplay/player.h for the threading contract); its
// methods live in one file per job:
//   player.cpp             the public Player, the command queue and the visible state (caller side)
//   pipeline_feed.cpp      the engine's SegmentConsumer: builds the sinks and the pipeline, feeds it,
//                          carries its position and events to the engine every kTick
//   engine_events.cpp      EngineObserver: engine events become visible state, stats and PlayerEvents
//   session.cpp            a session: load (direct, or through the playback API), CMCD, teardown
//   session_telemetry.cpp  the telemetry session: recorder, reporter, heartbeats, final report
//   presentation.cpp       the presentation thread, and pump() for external sinks
//   thumbnails.cpp         thumbnail_at(): tile lookup, image fetch and decode, the image cache
//   preload.cpp            preload(): the preload pool (preload_pool.h) and its events
//
// Threads:
//  - caller threads: commands update the visible (cached) state under visible_mu_ and post to the loop;
//  - "abrplay-player" (EventLoop): the engine, the SegmentConsumer side (feeds the pipeline, reports
//    the position every kTick), telemetry, listener calls;
//  - "abrplay-present": pumps the current pipeline (null and frame-callback sinks need no main thread);
//  - the pipeline's decode threads and the HttpClient's net thread.
#pragma once

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "abrplay/abr/algorithm/abr_algorithm.h"
#include "abrplay/core/clock.h"
#include "abrplay/net/caching_transport.h"
#include "abrplay/net/http_client.h"
#include "abrplay/net/request.h"
#include "abrplay/player.h"
#include "abrplay/player/engine/event_loop.h"
#include "abrplay/player/engine/streaming_engine.h"
#include "abrplay/player/manifest/thumbnails.h"
#include "abrplay/player/media/pipeline.h"
#include "abrplay/player/media/sinks.h"
#include "abrplay/player/telemetry/engine_telemetry.h"
#include "abrplay/player/telemetry/reporter.h"
#include "abrplay/player/telemetry/session_recorder.h"
#include "preload_pool.h"
#include "thumbnail_cache.h"

namespace abrplay {

using std::chrono::microseconds;
using std::chrono::milliseconds;

namespace player_impl {

inline PlayerState from_engine(engine::EngineState s) {
  switch (s) {
    case engine::EngineState::kIdle: return PlayerState::kIdle;
    case engine::EngineState::kLoading: return PlayerState::kLoading;
    case engine::EngineState::kBuffering: return PlayerState::kBuffering;
    case engine::EngineState::kPlaying: return PlayerState::kPlaying;
    case engine::EngineState::kPaused: return PlayerState::kPaused;
    case engine::EngineState::kSeeking: return PlayerState::kSeeking;
    case engine::EngineState::kEnded: return PlayerState::kEnded;
    case engine::EngineState::kError: return PlayerState::kError;
  }
  return PlayerState::kError;
}

// "fixed:N" or a registry name; null when neither.
std::unique_ptr<abr::AbrAlgorithm> make_abr(std::string_view spec, bool pensieve_compat);

// The engine owns its algorithm for its whole life; this one lets set_abr() swap the inside.
// Player thread only (the engine asks it there, set() runs there).
class SwitchableAbr final : public abr::AbrAlgorithm {
 public:
  explicit SwitchableAbr(std::unique_ptr<abr::AbrAlgorithm> inner) : inner_(std::move(inner)) {}
  void set(std::unique_ptr<abr::AbrAlgorithm> inner) { inner_ = std::move(inner); }
  [[nodiscard]] abr::Decision choose(const abr::AbrInput& input) override { return inner_->choose(input); }
  [[nodiscard]] abr::AbandonDecision should_abandon(const abr::AbandonInput& input) const override {
    return inner_->should_abandon(input);
  }
  void reset() override { inner_->reset(); }
  std::string_view name() const override { return inner_->name(); }
  bool pinned() const override { return inner_->pinned(); }

 private:
  std::unique_ptr<abr::AbrAlgorithm> inner_;
};

// The pipeline with the sinks it needs (declared first, so they outlive it).
struct Output {
  std::unique_ptr<media::NullAudioSink> audio;
  std::unique_ptr<media::VideoSink> video;
  std::unique_ptr<media::TextSink> text;
  std::unique_ptr<media::MediaPipeline> pipeline;
};

}  // namespace player_impl

class Player::Impl final : public engine::EngineObserver, public engine::SegmentConsumer {
  using Output = player_impl::Output;
  using SwitchableAbr = player_impl::SwitchableAbr;

  // What the playback API said for a session (load(PlaybackRequest)).
  struct ApiSession {
    std::string session_id, telemetry_url;
    std::optional<milliseconds> telemetry_interval;
  };

 public:
  explicit Impl(PlayerConfig config);

  ~Impl() override { shutdown(); }

  void shutdown();

  // ---- caller side (player.cpp) -----------------------------------------------------------------

  void set_listener(PlayerListener* listener);
  Error load(std::string url);
  Error load_playback(PlaybackRequest request);
  Error preload(std::string url, PreloadOptions options);
  void cancel_preload(std::string url);
  void api_play();
  void api_pause();
  Error seek(microseconds target);
  void stop();
  Error set_abr(std::string_view name);
  void set_volume(float volume);
  Error set_playback_rate(double rate);
  Error select_audio_language(std::string language);
  Error select_text_language(std::string language);
  PlayerState state() const;
  microseconds api_position() const;
  bool play_when_ready() const;
  TrackLanguages languages() const;

  // Player thread, once the engine has the manifest: what languages() reports.
  void capture_languages();

  // Thumbnails (thumbnails.cpp): any thread posts; the rest runs on the player thread.
  using ThumbnailDone = std::function<void(ThumbnailResult)>;
  void thumbnail_at(microseconds time, ThumbnailDone done);
  PlayerStats stats() const;

  // ---- SegmentConsumer (player thread; pipeline_feed.cpp) ---------------------------------------

  void attach(engine::SegmentSource& source, std::span<const TrackType> tracks, MediaTime start) override;

  void on_data() override;
  void play() override;
  void pause() override;
  void flush(MediaTime position) override;
  void splice(TrackType track, MediaTime at) override;
  void set_rate(double rate) override;
  MediaTime position() const override;
  // The pipeline plays at set_playback_rate() x the engine's catch-up rate, within 0.5 .. 2.
  void apply_rate(media::MediaPipeline& pipeline);

  // ---- EngineObserver (player thread; engine_events.cpp) ----------------------------------------

  void on_state(const engine::StateChange& change) override;
  void on_abr_decision(const engine::AbrDecisionEvent& ev) override;
  void on_download(const engine::DownloadEvent& ev) override;
  void on_error(const Error& error) override;
  void on_warning(const Error& error) override;
  void on_cdn_change(const engine::CdnChangeEvent& ev) override;
  void on_live_latency(const engine::LiveLatencyEvent& ev) override;

 private:
  static double seconds(microseconds t) { return static_cast<double>(t.count()) / 1e6; }
  static TrackType to_media(TrackType t) {
    return t == TrackType::kVideo ? TrackType::kVideo : t == TrackType::kAudio ? TrackType::kAudio : TrackType::kText;
  }
  bool has(TrackType t) const { return std::find(tracks_.begin(), tracks_.end(), t) != tracks_.end(); }

  void log(LogLevel level, std::string_view text) const {
    if (config_.log) config_.log(level, text);
  }

  // Runs `fn` on the player thread; the visible state is held until every queued command ran.
  template <class Fn>
  void command(Fn fn) {
    {
      std::lock_guard lock(visible_mu_);
      ++pending_;
    }
    loop_->post([this, fn = std::move(fn)]() mutable {
      fn();
      {
        std::lock_guard lock(visible_mu_);
        --pending_;
      }
      sync_visible();
    });
  }

  // Player thread: when no command is queued, the visible state follows the engine.
  void sync_visible();
  void emit(const PlayerEvent& e);
  void emit_warning(const Error& error);
  // What the engine and thumbnails fetch through: the cache, or the HTTP client without one.
  net::Transport& transport() { return cache_ ? static_cast<net::Transport&>(*cache_) : *http_; }
  // Player thread: the cache on for this presentation, or off (a live one, unless configured).
  void apply_cache_policy();
  void fill_cache_stats(PlayerStats& s) const;
  // Player thread: hands the language preferences of `track` to the engine (a switch in place).
  void apply_languages(TrackType track);
  telemetry::RepresentationInfo rep_info(const std::string& id, DataRate bandwidth) const;

  // ---- sessions (player thread; session.cpp) ----------------------------------------------------

  void do_load_playback(PlaybackRequest request);
  void on_playback_answer(net::Result result);
  void do_load(std::string url, std::optional<ApiSession> api = std::nullopt);
  // The engine configuration of a session (do_load) and of a preload (preload.cpp).
  engine::EngineConfig engine_config();

  // ---- preload (player thread; preload.cpp) -----------------------------------------------------

  // The preload's engine: a session's configuration, paused, loading only the startup buffer.
  std::unique_ptr<engine::StreamingEngine> make_preload_engine(net::Transport& transport,
                                                               engine::SegmentConsumer& consumer);
  void on_preload(const player_impl::PreloadReport& report);
  // The transport of a new session on `url`: answers from its preload when there is one.
  net::Transport& session_transport(const std::string& url);

  // Player thread, before every engine request: request headers, then CMCD (CTA-5004).
  void decorate(net::Request& req, const engine::RequestInfo& info);
  void teardown_engine();

  // The telemetry session (session_telemetry.cpp).
  void start_session(const std::string& url);
  void schedule_heartbeat();
  telemetry::Snapshot snapshot() const;
  void end_session(telemetry::EndReason reason);

  // ---- thumbnails (player thread; thumbnails.cpp) -----------------------------------------------

  struct ThumbnailWaiter {
    manifest::ThumbnailTile tile;
    manifest::TileGrid grid;
    std::string representation_id;
    ThumbnailDone done;
  };
  // At most 2 image fetches at a time and 2 more images queued (the oldest queued one is answered
  // kNetworkCancelled, superseded, when a third arrives): 4 MiB each, so thumbnails hold at most
  // 8 MiB of bodies and 2 transfers beside the segments, however fast a seek bar asks.
  static constexpr int kMaxThumbnailFetches = 2;
  static constexpr std::size_t kMaxQueuedThumbnailImages = 2;
  void do_thumbnail(microseconds time, ThumbnailDone done);
  void start_thumbnail_fetch(const std::string& key, engine::ResourceFetch fetch);
  void on_thumbnail_image(const std::string& key, Expected<std::vector<std::uint8_t>, Error> body);
  static void answer_thumbnail(ThumbnailWaiter& waiter, const media::VideoFrame& image);
  // Answers every waiting request with kNetworkCancelled (teardown_engine: the fetches die with
  // the engine).
  void cancel_thumbnails(const std::string& why);
  // A kWarning event per thumbnail representation whose signalling is unusable.
  void report_thumbnail_problems();

  // ---- position and pipeline events (player thread; pipeline_feed.cpp) --------------------------

  void schedule_tick();
  void cancel_tick();
  void on_tick();
  void update_on_screen(const media::MediaStats& ms);

  // ---- presentation thread (presentation.cpp) ---------------------------------------------------

  std::shared_ptr<Output> output() const;
  void set_output(std::shared_ptr<Output> out);

  // The embedder's thread (SinkKind::kExternal).
 public:
  void pump(microseconds max_wait);

 private:
  void present_main();

  // ---- fields -----------------------------------------------------------------------------

  const PlayerConfig config_;
  const std::shared_ptr<const Clock> clock_owner_;  // PlayerConfig::clock, or a SystemClock
  const Clock& clock_;
  std::unique_ptr<net::HttpClient> http_;
  std::unique_ptr<engine::EventLoop> loop_;  // after http_ in code order; destroyed explicitly
  // The HTTP cache in front of http_ (null when PlayerConfig::cache is off); destroyed after
  // http_->shutdown() (its completions call into it) and before http_.
  std::unique_ptr<net::CachingTransport> cache_;
  net::CacheStats cache_base_;  // player thread: the cache's figures at the last load()
  bool shut_down_ = false;

  // Player thread.
  std::unique_ptr<engine::StreamingEngine> engine_;
  SwitchableAbr* abr_ = nullptr;  // owned by engine_
  std::string abr_spec_;
  bool play_when_ready_;
  float volume_;
  double playback_rate_ = 1.0;  // set_playback_rate() (the viewer's speed)
  std::vector<std::string> audio_languages_;
  std::vector<std::string> text_languages_;
  std::string url_;
  ApiSession api_;                        // what the playback API said for this session
  std::optional<PlayerState> api_state_;  // loading / error while no engine exists (playback API)
  std::uint64_t generation_ = 0;          // bumped by every load() and stop()
  // The preloaded titles; the current session's transport when it plays a preload (it must outlive
  // engine_: teardown_engine() resets it after the engine).
  std::unique_ptr<player_impl::PreloadPool> preload_pool_;
  std::unique_ptr<player_impl::PooledTransport> pooled_transport_;
  // The press (PlayerStats::press_to_first_frame): the load() call with play_when_ready, else the
  // first play() after it. Set on the caller's thread, carried in the command.
  std::optional<SteadyTime> press_time_;
  milliseconds telemetry_interval_{10'000};
  std::string session_id_;  // per load(): telemetry session_id and CMCD sid
  std::string content_id_;
  std::map<TrackType, bool> starved_;  // CMCD bs: a stall since that track's last request
  PlayerState engine_state_ = PlayerState::kIdle;
  microseconds position_{0};
  SteadyTime load_time_{};
  bool first_playing_ = false;
  std::optional<SteadyTime> stall_start_;
  telemetry::RepresentationInfo video_rep_, audio_rep_;
  std::unique_ptr<telemetry::SessionRecorder> recorder_;
  // The engine's events as telemetry (the mapping the fleet load generator shares); feeds recorder_.
  std::unique_ptr<telemetry::EngineTelemetry> engine_telemetry_;
  std::unique_ptr<telemetry::Reporter> reporter_;
  engine::EventLoop::TimerId heartbeat_timer_ = 0, tick_timer_ = 0;
  engine::SegmentSource* source_ = nullptr;
  std::vector<TrackType> tracks_;
  std::map<TrackType, bool> eos_;
  std::map<TrackType, bool> gap_after_;  // a skipped segment came before the next one
  bool consumer_playing_ = false;
  double consumer_rate_ = 1.0;  // the engine's set_rate (live catch-up), kept for a new pipeline
  std::uint64_t last_rebuffers_ = 0, last_dropped_ = 0, last_underruns_ = 0;
  microseconds start_position_{0};
  // Video segments fed to the pipeline whose start the screen has not reached yet, and the rendition
  // on screen (PlayerStats' video fields follow the screen, not the ABR's downloads).
  struct FedVideo {
    MediaTime start{0};
    std::string representation_id;
    DataRate bandwidth;
  };
  std::deque<FedVideo> fed_video_;
  std::string shown_video_;
  bool first_frame_seen_ = false;
  // Thumbnails: decoded grid images, and the requests waiting for an image being fetched (by URL).
  player_impl::ThumbnailCache thumb_cache_;
  std::map<std::string, std::vector<ThumbnailWaiter>> thumb_waiting_;  // fetching or queued
  std::deque<std::pair<std::string, engine::ResourceFetch>> thumb_queue_;
  int thumb_fetching_ = 0;

  // Visible (cached) state: any thread.
  mutable std::mutex visible_mu_;
  int pending_ = 0;
  PlayerState visible_state_ = PlayerState::kIdle;
  microseconds visible_position_{0};
  bool visible_pwr_;
  PlayerStats stats_;
  TrackLanguages languages_;                                                  // languages() without audio_playing
  std::vector<std::pair<std::string, std::vector<std::string>>> audio_sets_;  // @lang, representation ids

  // Listener.
  std::mutex listener_mu_;
  PlayerListener* listener_ = nullptr;

  // Presentation.
  mutable std::mutex present_mu_;
  std::condition_variable present_cv_;
  std::shared_ptr<Output> output_;
  bool present_stop_ = false;
  std::thread present_thread_;  // last: starts once everything above exists
};

}  // namespace abrplay
