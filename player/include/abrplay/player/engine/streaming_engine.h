// abrplay/player/engine/streaming_engine.h: manifest in, a steady stream of segments out.
//
// The engine fetches the MPD (net::Fetcher), parses it (parse_mpd + make_playable), selects tracks
// per period (track_selection.h), runs one loader per track (video asks the abr::AbrAlgorithm,
// audio and text follow rate_rules.h), keeps a TrackBuffer per track and feeds a SegmentConsumer
// (segment_consumer.h) which reports the playback position back.
//
// State machine (every transition is an on_state event):
//
//            load()                 manifest, clock sync,           ready_to_play()
//   ┌──────┐ ─────► ┌─────────┐    tracks and indices ready ┌───────────┐ ──────────► ┌─────────┐
//   │ idle │        │ loading │ ──────────────────────────► │ buffering │             │ playing │
//   └──────┘        └─────────┘                             └───────────┘ ◄────────── └─────────┘
//                        │                                    ▲     │ ready,  consumer   │  ▲  │
//                        │ any fatal error                    │     │ paused  starved    │  │  │ consumer
//                        ▼ (from every state)        play(),  │     ▼                    │  │  │ played
//                   ┌─────────┐                     not ready │ ┌────────┐   pause()     │  │  │ to the end
//                   │  error  │                               └─│ paused │ ◄─────────────┘  │  ▼
//                   └─────────┘                                 └────────┘ ── play(), ready ┘ ┌───────┐
//                                                                                             │ ended │
//   seek() from buffering, playing, paused or ended:  ──► ┌─────────┐  ready_to_play()        └───────┘
//                                                         │ seeking │ ──────────────► playing (or paused)
//                                                         └─────────┘
//   stop() from any state ──► idle (everything cancelled and flushed).
//
// Loading runs in buffering, playing, paused and seeking, under the load-control hysteresis.
// Startup: the first video segments use the fast-start rule (rate_rules.h); audio and video load
// in parallel; playback starts at LoadControlParams::startup_buffer.
// Abandonment: while a video segment downloads, should_abandon() is asked on every received chunk
// and every `abandon_check_every`; an abandoned download is cancelled and the segment fetched again
// at the representation the algorithm names.
// Seek: a target inside what is buffered keeps the buffers (only the read cursors move); otherwise
// the buffers are flushed and the loaders restart at the segment containing the target.
// Live (type="dynamic"): the clock is synced through UTCTiming; playback starts at the live edge
// minus suggestedPresentationDelay (or EngineConfig::live_delay); the MPD is refetched every
// minimumUpdatePeriod; a segment not yet available is waited for with a timer at its availability
// time; a loader that fell out of the time-shift window jumps forward to the oldest available one.
// Track switches in place (select_languages): the audio or text track changes to another
// adaptation set without touching video. Audio keeps what it has buffered from the play position up
// to the first segment boundary at least `switch_margin` ahead (so the old track plays on while the
// new one loads: no gap, no stall), drops the rest, and the loader starts the new set at that
// boundary; the consumer is told to splice the track there (SegmentConsumer::splice). Text switches
// at the play position (cues of the old language are dropped at once). Subtitles turned on start a
// text loader; turned off, its loader goes and the text track ends.
// Multi-period: at the end of a period each loader moves to the next one, whose tracks are
// selected again; the first segment of a period is a discontinuity (with its own init segment).
//
// Threads: the engine belongs to the EventLoop's thread ("abrplay-player"): construct it, call it,
// and destroy it there (EventLoop::run_sync from elsewhere). Observers are called there too.
// Time: every timer, timeout and throughput sample is measured on the EventLoop's Clock, so the
// whole download side runs on virtual time when the loop has a manual clock (player/lab).
// Lifetimes: the EventLoop outlives the Transport, which outlives the engine; the consumer and the
// observers outlive the engine (or are removed first).
#pragma once
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "abrplay/abr/algorithm/abr_algorithm.h"
#include "abrplay/abr/estimator/throughput_estimator.h"
#include "abrplay/core/expected.h"
#include "abrplay/core/units.h"
#include "abrplay/net/host_selector.h"
#include "abrplay/net/retry_policy.h"
#include "abrplay/player/engine/engine_events.h"
#include "abrplay/player/engine/live_catchup.h"
#include "abrplay/player/engine/load_control.h"
#include "abrplay/player/engine/rate_rules.h"
#include "abrplay/player/engine/segment_consumer.h"
#include "abrplay/player/engine/track_buffer.h"
#include "abrplay/player/engine/track_selection.h"
#include "abrplay/player/error.h"
#include "abrplay/player/manifest/model.h"

namespace abrplay::net {
class Transport;
struct Request;
}
namespace abrplay::manifest {
struct Mpd;
}

namespace abrplay::engine {

class EventLoop;

// What a request is for, given to EngineConfig::decorate_request.
struct RequestInfo {
  DownloadKind kind = DownloadKind::kMedia;
  TrackType track = TrackType::kVideo;  // meaningful for kIndex, kInit, kMedia
  DataRate bandwidth{};                 // the representation's declared bandwidth (segments)
  MediaTime duration{0};                // kMedia only
};

struct EngineConfig {
  LoadControlParams load;
  BufferLimits video_limits;
  // Audio at 256 kbit/s holds 20 s in 640 KB: 8 MiB is generous and still bounds a lying manifest.
  BufferLimits audio_limits{8ull << 20, std::chrono::seconds(10)};
  BufferLimits text_limits{4ull << 20, std::chrono::seconds(10)};
  RateRuleParams rates;
  TrackPreferences tracks;
  net::RetryParams retry;
  net::HostSelectorParams hosts;
  abr::AbandonParams abandon;
  // How often an in-flight video download is judged when no chunk arrives (a stalled transfer
  // delivers no chunk to trigger it). 250 ms: a quarter of the grace period is fine enough.
  std::chrono::milliseconds abandon_check_every{250};
  // Live: the distance behind the live edge; empty = the MPD's suggestedPresentationDelay, else
  // 3 x the longest segment (DASH-IF IOP's default for a missing SPD is similar).
  std::optional<MediaTime> live_delay;
  // Live: the latency to hold (live_catchup.h). Empty: the MPD's ServiceDescription Latency@target,
  // if any. With a target the session starts that far behind the live edge (live_delay still wins)
  // and, with live_catchup, plays faster or slower within the ServiceDescription's PlaybackRate
  // bounds (else catchup's) to hold it, seeking to the edge beyond its max latency.
  std::optional<MediaTime> target_latency;
  bool live_catchup = true;
  CatchupParams catchup;  // the defaults; the ServiceDescription's values replace them
  bool play_when_ready = true;
  // Audio track switch: the old audio plays on to the first segment boundary at least this far
  // ahead of the play position while the new track's first segment loads and decodes there. 1 s:
  // a segment request and an audio decoder start take far less on any link the player can play on;
  // a smaller margin would cut at a boundary the new segment may miss (an audio underrun is a stall).
  MediaTime switch_margin = std::chrono::seconds(1);
  // Audio and video media segments are fetched one at a time, the track with the least media
  // buffered first (video on a tie); init and index fetches still go in parallel. On a scarce link
  // the track about to run dry gets all of it (in parallel, small audio segments ran ten ahead while
  // video crawled and stalled), and every throughput sample measures the whole link instead of a
  // share of it. The cost: a round trip per segment that parallel requests would overlap. false:
  // every track loads on its own (the behaviour before).
  bool serial_media = true;
  // Called on the player thread just before every request is submitted (manifest, clock sync,
  // index, init, media), e.g. to add request headers or CMCD. A segment's url may be relative to
  // the CDN the fetcher picks. Empty: requests go out as built.
  std::function<void(net::Request&, const RequestInfo&)> decorate_request;
};

// A resource of the presentation that no loader fetches (thumbnail images): see fetch_resource().
struct ResourceFetch {
  std::string url;                     // absolute, as SegmentIndex::segment() builds it
  std::vector<std::string> base_urls;  // SegmentIndex::base_urls(): CDN alternatives for `url`
  std::optional<manifest::ByteRange> range;
  std::uint64_t max_bytes = 4u << 20;  // a larger body fails with kNetworkTooLarge
  DownloadKind kind = DownloadKind::kThumbnail;
  TrackType track = TrackType::kVideo;  // for decorate_request
};
// The body, or the error naming the URL (2xxx codes; kNetworkCancelled when stop() came first).
using ResourceDone = std::function<void(Expected<std::vector<std::uint8_t>, Error>)>;

struct EngineDeps {
  EventLoop& loop;
  net::Transport& transport;  // net::HttpClient, or the lab's LabNetwork on virtual time
  SegmentConsumer& consumer;
  std::unique_ptr<abr::AbrAlgorithm> abr;               // null: abr::kDefaultAlgorithm
  std::unique_ptr<abr::ThroughputEstimator> estimator;  // null: EwmaEstimator
  std::unique_ptr<CodecSupport> codecs;                 // null: make_ffmpeg_codec_support()
};

class StreamingEngine {
 public:
  StreamingEngine(EngineDeps deps, EngineConfig config = {});
  ~StreamingEngine();
  StreamingEngine(const StreamingEngine&) = delete;
  StreamingEngine& operator=(const StreamingEngine&) = delete;

  void add_observer(EngineObserver& observer);
  void remove_observer(EngineObserver& observer);

  // Starts loading `mpd_url`. kOk, or kInvalidState when not idle (call stop() first).
  Error load(std::string mpd_url);
  void play();
  void pause();
  // kInvalidState before the manifest is loaded; the target is clamped to the presentation.
  Error seek(MediaTime target);
  void stop();
  // The language preferences of audio or text (TrackPreferences::audio_languages / text_languages;
  // an empty text list turns subtitles off), applied at once: when the adaptation set they select
  // in the current period differs from the one playing, the track is switched in place (see the file
  // comment); later periods and seeks select with them too. Before the manifest is loaded they apply
  // to the first selection. kInvalidArgument for video (it has no language choice).
  Error select_languages(TrackType track, std::vector<std::string> languages);

  EngineState state() const;
  MediaTime position() const;
  MediaTime buffer_ahead(TrackType track) const;
  const TrackBuffer* buffer(TrackType track) const;  // null when the track is not playing
  const manifest::Mpd* manifest() const;             // null before the manifest is loaded
  // Fetches `request` through the session's fetchers, as segments are: CDN choice and failover over
  // its base_urls, retries, the file-access rule of the manifest's URL (a remote manifest never
  // reaches file:), decorate_request. Emits no DownloadEvent (it is not a segment). `done` runs
  // once on the player thread, unless the engine is destroyed first.
  void fetch_resource(ResourceFetch request, ResourceDone done);
  // Wall-clock offset found by UTCTiming (server minus local), 0 before or without a sync.
  std::chrono::microseconds clock_offset() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace abrplay::engine
