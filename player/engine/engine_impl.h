// engine_impl.h (private): StreamingEngine::Impl, split over streaming_engine.cpp (state machine,
// consumer side, events) and engine_manifest.cpp (manifest load and refresh, clock sync, periods).
// Player thread only.
#pragma once
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "abrplay/abr/estimator/estimators.h"
#include "abrplay/net/fetcher.h"
#include "abrplay/net/transport.h"
#include "abrplay/player/engine/content_steering.h"
#include "abrplay/player/engine/event_loop.h"
#include "abrplay/player/engine/liveness.h"
#include "abrplay/player/engine/streaming_engine.h"
#include "abrplay/player/manifest/model.h"
#include "abrplay/player/manifest/xlink.h"
#include "loader_host.h"
#include "track_loader.h"

namespace abrplay::engine {

class StreamingEngine::Impl final : public LoaderHost, public SegmentSource {
 public:
  Impl(EngineDeps deps, EngineConfig config);
  ~Impl() override;

  // --- public API (streaming_engine.cpp) ---
  std::vector<EngineObserver*> observers;  // not owned
  Error load(std::string url);
  void play();
  void pause();
  Error seek(MediaTime target);
  void stop();
  Error select_languages(TrackType track, std::vector<std::string> languages);
  EngineState state() const { return state_; }
  TrackLoader* loader(TrackType t) const;
  std::chrono::microseconds offset() const { return clock_offset_; }
  const manifest::Mpd* mpd_ptr() const { return mpd_ ? &*mpd_ : nullptr; }
  void fetch_resource(ResourceFetch request, ResourceDone done);  // resource_fetch.cpp

  // --- LoaderHost ---
  EventLoop& loop() override { return loop_; }
  const EngineConfig& config() const override { return config_; }
  const manifest::Mpd& mpd() const override { return *mpd_; }
  net::Fetcher& fetcher_for(const std::vector<std::string>& base_urls,
                            const std::vector<manifest::BaseUrlHost>& hosts) override;
  MediaTime play_position() const override { return position_; }
  WallTime live_now() const override;
  bool rebuffering() const override { return state_ == EngineState::kBuffering && after_stall_; }
  abr::AbrAlgorithm& abr() override { return *abr_; }
  std::optional<DataRate> throughput() const override { return estimator_->estimate(); }
  int media_samples() const override { return media_samples_; }
  Seconds latency() const override { return latency_.estimate(); }
  std::span<const abr::ThroughputSample> recent_samples() const override { return recent_; }
  Seconds session_time() const override;
  void record_sample(TrackType track, const abr::ThroughputSample& sample) override;
  void emit(const AbrDecisionEvent& event) override;
  void emit(const DownloadEvent& event) override;
  void warn(Error error) override;
  void chunked_first_byte(TrackType track, const std::string& url, bool whole) override;
  void fatal(Error error) override;
  void segment_buffered(TrackType track) override;
  bool may_start_media(TrackType track, MediaTime level) const override;
  void download_ended(TrackType track) override;
  void period_ended(TrackType track, std::size_t period) override;

  // --- SegmentSource ---
  std::optional<BufferedSegment> read(TrackType track) override;
  bool end_of_stream(TrackType track) const override;
  void report_position(MediaTime position) override;
  void report_starved() override;
  void report_ended() override;

 private:
  // streaming_engine.cpp
  void set_state(EngineState to);
  void check_ready();
  void pump_all();
  void emit_buffer_levels();
  // engine_manifest.cpp
  void fetch_manifest(bool refresh);
  void on_manifest(std::uint64_t generation, bool refresh, net::FetchOutcome outcome);
  // Remote elements (xlink) of the MPD just fetched, then the parse: engine_xlink.cpp.
  void resolve_remote_elements(std::uint64_t generation);
  void fetch_remote_element(manifest::XlinkRequest request, std::uint64_t generation);
  void apply_manifest(const std::string& text, const std::string& document_url, bool refresh);
  void sync_clock(std::size_t utc_index, std::uint64_t generation);
  void start_presentation();
  void schedule_refresh();
  // The selection for `period`, computed once; null (after fatal()) on error.
  const TrackSelection* selection(std::size_t period);
  std::size_t period_at(MediaTime t) const;
  void enter(TrackLoader& loader, std::size_t period, MediaTime from);
  // engine_latency.cpp: live latency control (live_catchup.h)
  std::optional<CatchupParams> catchup_params() const;  // none: no target latency, or not live
  void control_latency();                               // at every position report
  // engine_steering.cpp: DASH-IF Content Steering (content_steering.h). begin_steering() runs
  // `start` (clock sync or start_presentation) at once, or after the first steering answer when the
  // MPD asks for queryBeforeStart.
  void begin_steering(std::function<void()> start);
  void fetch_steering(std::uint64_t generation, std::function<void()> then);
  void apply_steering(SteeringUpdate update, std::uint64_t generation);
  void end_steering();
  // track_switch.cpp
  void switch_track(TrackType type);
  MediaTime audio_cut(const TrackBuffer& buffer) const;
  BufferLimits limits_of(TrackType type) const;

  EventLoop& loop_;
  net::Transport& transport_;
  SegmentConsumer& consumer_;
  std::unique_ptr<abr::AbrAlgorithm> abr_;
  std::unique_ptr<abr::ThroughputEstimator> estimator_;
  std::unique_ptr<CodecSupport> codecs_;
  const EngineConfig config_;
  const SteadyTime session_start_;
  TrackPreferences prefs_;  // config_.tracks, then as select_languages() changed them

  abr::LatencyEstimator latency_;
  std::vector<abr::ThroughputSample> recent_;  // the last 16 media samples, oldest first
  int media_samples_ = 0;

  EngineState state_ = EngineState::kIdle;
  bool after_stall_ = false;
  bool play_when_ready_ = true;
  std::uint64_t generation_ = 0;  // bumped by stop(): callbacks of an older load are ignored
  std::string url_;
  std::optional<manifest::Mpd> mpd_;
  // The MPD being completed with its remote elements (set while they are fetched), and the
  // warnings of the last version (a refresh repeats only new ones).
  struct PendingManifest {
    manifest::XlinkResolver resolver;
    std::string document_url;
    bool refresh = false;
  };
  std::optional<PendingManifest> pending_manifest_;
  std::vector<std::string> last_xlink_warnings_;
  std::map<std::size_t, TrackSelection> selections_;
  std::chrono::microseconds clock_offset_{0};  // server wall clock - ours, at the UTCTiming sync
  // Live time runs on the monotonic clock from the moment of the sync: live_now() = the server's
  // time then + steady time since. So a jump of this machine's wall clock (NTP step, manual change)
  // cannot move the live edge (a suspend, which stops the monotonic clock, leaves it behind: safe,
  // the player then plays further from the edge). Unset for static MPDs.
  struct LiveAnchor {
    WallTime server_time;
    SteadyTime at;
  };
  std::optional<LiveAnchor> live_anchor_;
  void anchor_live_time();  // after clock_offset_ is set (or known to stay 0)
  MediaTime position_{0};
  // A seek's target until playback has moved past it: nothing of what the consumer read there has
  // been heard yet, so an audio switch cuts at the position (audio_cut).
  std::optional<MediaTime> seek_target_;
  double rate_ = 1.0;  // the playback rate given to the consumer (live catch-up)
  // Low-latency live fallback: the server sent whole segments twice in a row, so there is no target
  // latency to hold; the stream plays as plain live (catchup_params() gives none).
  int whole_segments_in_a_row_ = 0;
  bool low_latency_off_ = false;
  EventLoop::TimerId refresh_timer_ = 0;

  // Whether this session's requests may read file: URLs: decided once per load() from the
  // manifest's URL (net::file_access_for), the local-file rule of docs/security.md.
  net::FileAccess file_access_ = net::FileAccess::kRefused;
  // Fetchers before loaders: loaders cancel their downloads first when destroyed. Kept apart by
  // file access, so a fetcher of a local presentation is never reused by a later load() of a remote
  // one, then by base URLs (none: the fetcher of absolute URLs).
  using Fetchers = std::map<std::vector<std::string>, std::unique_ptr<net::Fetcher>>;
  std::map<net::FileAccess, Fetchers> fetchers_;
  std::vector<std::unique_ptr<TrackLoader>> loaders_;  // video, audio, text (those selected)
  // Content steering (engine_steering.cpp): the policy while the MPD has a ContentSteering element,
  // the order it put in force and why (new fetchers start with it), the pathway the last host
  // choice used (_DASH_pathway), and the reload timer.
  std::optional<SteeringPolicy> steering_;
  std::vector<std::string> steering_priority_;
  std::string steering_why_;
  std::string steering_pathway_;
  EventLoop::TimerId steering_timer_ = 0;
  Liveness alive_;            // tasks posted to the loop check it before touching this
  bool pump_posted_ = false;  // a pump_all() is posted (download_ended)
};

}  // namespace abrplay::engine
