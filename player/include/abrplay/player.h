// abrplay/player.h: the public C++ API for embedders.
//
//   abrplay::PlayerConfig config;
//   config.sinks.kind = abrplay::SinkKind::kNullMaxSpeed;    // headless, as fast as decoding allows
//   abrplay::Player player(config);
//   player.set_listener(&my_listener);                        // events on the player thread
//   player.load("http://127.0.0.1:8080/number/manifest.mpd"); // plays when ready (play_when_ready)
//   ...
//   abrplay::PlayerStats s = player.stats();
//
// A Player owns an HTTP client (its own "abrplay-net" thread), an event loop ("abrplay-player" thread)
// running the streaming engine, a media pipeline (decode threads) with the sinks of the config, and a
// presentation thread ("abrplay-present") that pumps the pipeline. No FFmpeg, SDL or curl type is
// reachable from this header.
//
// THREADING CONTRACT
//  - Every public method may be called from any thread, including from inside a listener callback or
//    a frame callback, EXCEPT the destructor and set_listener(): never destroy the Player or change the
//    listener from inside one of its callbacks (it would wait for itself).
//  - Commands (load, preload, cancel_preload, play, pause, seek, stop, set_abr, pin_representation, set_volume,
//    select_audio_language, select_text_language) never block: they are queued to the player thread in call order.
//  - State is visible immediately after each call (ExoPlayer's promise): state(), position() and
//    play_when_ready() return what the command asked for (e.g. kPaused right after pause(), kSeeking
//    and the target right after seek(), kIdle right after stop()) until the player thread has
//    carried out every queued command; from then on they follow the engine again.
//  - PlayerListener methods are called on the player thread ("abrplay-player"), one at a time, in the
//    order things happened; a listener must return quickly (the engine waits for it). Events that
//    describe the past may arrive after a command changed the visible state.
//  - The frame callback (SinkKind::kFrameCallback) and the cue callback run on the presentation
//    thread ("abrplay-present"), or with SinkKind::kExternal on the thread that calls pump().
//  - The log callback may run on any player-owned thread, concurrently.
//  - The destructor stops playback, sends the final telemetry report (bounded by
//    telemetry_flush_deadline), joins every thread and returns; no callback runs after it returned.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "abrplay/core/expected.h"
#include "abrplay/player/cmcd_mode.h"
#include "abrplay/player/error.h"
#include "abrplay/player/media/frame.h"

namespace abrplay::media {
class VideoSink;
class AudioSink;
}  // namespace abrplay::media

namespace abrplay {

class Clock;

// The engine's states (docs/engine.md): idle, loading, buffering, playing, paused, seeking, ended, error.
enum class PlayerState { kIdle, kLoading, kBuffering, kPlaying, kPaused, kSeeking, kEnded, kError };
std::string_view to_string(PlayerState state);

enum class SinkKind {
  kNullRealTime,   // headless: decode and discard, paced by the wall clock (a sound card's pace)
  kNullMaxSpeed,   // headless: decode and discard every frame as fast as possible (benchmarks, tests)
  kFrameCallback,  // every presented video frame goes to SinkConfig::on_frame; audio is discarded
  kExternal,       // the embedder's own sinks (e.g. media::SdlVideoSink / SdlAudioSink from
                   // sdl_sinks.h), presented on the embedder's thread by Player::pump()
};

struct SinkConfig {
  SinkKind kind = SinkKind::kNullRealTime;
  // kFrameCallback: called on the presentation thread with each frame; it may keep the frame.
  std::function<void(const media::VideoFrame&)> on_frame;
  // With kFrameCallback or kExternal: true = present every frame as soon as decoded (no pacing,
  // none dropped).
  bool max_speed = false;
  // kExternal: not owned, must outlive the Player. Null video: frames are discarded; null audio: a
  // wall-clock null sink. open()/close() of the audio sink run on the player thread; present(),
  // cue() and AudioSink::pump() on the thread that calls Player::pump().
  media::VideoSink* video = nullptr;
  media::AudioSink* audio = nullptr;
  // Subtitles (any sink kind): each cue when it becomes due, on the presentation thread. Subtitles
  // are loaded only when PlayerConfig::preferred_text_languages (or select_text_language) names one.
  std::function<void(const media::TextCue&)> on_cue;
};

enum class LogLevel { kDebug, kInfo, kWarning, kError };

// The HTTP cache of manifests and segments (docs/net.md, "Cache"): responses are reused as their
// Cache-Control, ETag and Age allow, so seeking back into played content and playing a title again
// come from it. On by default for on-demand presentations, in memory only; off for live (dynamic)
// ones unless `live` is set (a live edge is new bytes every time, and a stored MPD must be
// revalidated at every refresh anyway). A cache directory that cannot be used, a failed write or a
// corrupted entry is a kWarning event (kNetworkCache); playback goes on (from memory, or the network).
struct CacheConfig {
  bool enabled = true;
  std::uint64_t memory_bytes = 64ull << 20;  // bodies kept in memory (LRU)
  std::string disk_dir;                      // non-empty: also on disk, in this directory (created)
  std::uint64_t disk_bytes = 512ull << 20;   // bodies kept on disk (LRU by last use)
  bool live = false;                         // also for live presentations
};

struct PlayerConfig {
  // ABR: a name accepted by abr::make_algorithm() ("default" = abr::kDefaultAlgorithm, the one the
  // player ships; "dynamic", "scenario-mpc", "bb", "bola", "robustmpc", ...) or
  // "fixed:N" to pin representation N of the video ladder (0 = lowest).
  std::string abr = "default";
  bool abr_pensieve_compat = true;  // abr::RegistryOptions::pensieve_compat
  // Buffer goals (engine/load_control.h).
  std::chrono::milliseconds min_buffer{40'000};
  std::chrono::milliseconds max_buffer{50'000};
  std::chrono::milliseconds startup_buffer{3'500};
  std::chrono::milliseconds rebuffer_buffer{4'000};
  // Live: the latency to hold behind the live edge (low-latency live). Empty: the MPD's
  // ServiceDescription Latency@target, if any, else no control (suggestedPresentationDelay). With a
  // target the player starts that far behind the edge and, with live_catchup, plays up to the MPD's
  // PlaybackRate bounds (default 0.9 .. 1.1) faster or slower to hold it (pitch kept), seeking to
  // the edge beyond the ServiceDescription's max latency (default: twice the target).
  std::optional<std::chrono::milliseconds> target_latency;
  bool live_catchup = true;
  // Representations larger than this are not played (0 = no limit).
  std::uint32_t max_width = 0;
  std::uint32_t max_height = 0;
  std::vector<std::string> preferred_audio_languages;  // best first ("en" matches "en-US")
  std::vector<std::string> preferred_text_languages;   // empty: no subtitles
  // Telemetry: heartbeats to `telemetry_url` every `telemetry_interval`, a final report when the
  // session ends (end of stream, stop, error, destruction). Empty URL: no telemetry.
  std::string telemetry_url;
  std::chrono::milliseconds telemetry_interval{10'000};
  std::chrono::milliseconds telemetry_flush_deadline{1'000};
  std::string content_id;  // telemetry content id; empty: the manifest URL's last path segment
  // CMCD (CTA-5004) on every manifest and segment request: as a CMCD= query argument or as the four
  // CMCD-* headers. sid is the session id (as in telemetry), cid the content id.
  CmcdMode cmcd = CmcdMode::kOff;
  // CDN choice between the MPD's BaseURLs (docs/net.md): true measures the alternatives and moves
  // the traffic to one measured at twice the throughput; false keeps the DVB-weighted first choice
  // (failover only).
  bool measured_cdn_choice = true;
  // DASH-IF Content Steering: an MPD's ContentSteering server ranks its CDNs (BaseURL@serviceLocation)
  // and is asked again after each TTL; a failing or bad server is a kWarning, the last good order
  // stays (docs/net.md, "Content steering"). false: the element is ignored.
  bool content_steering = true;
  // An extra CA bundle (PEM) for https, e.g. a test server's self-signed certificate; empty: the
  // system's trust store only.
  std::string ca_file;
  // Added to every manifest, segment and telemetry request (e.g. an API key or a token).
  std::vector<std::pair<std::string, std::string>> request_headers;
  std::function<void(LogLevel, std::string_view)> log;
  CacheConfig cache;
  SinkConfig sinks;
  bool play_when_ready = true;  // start playing once loaded (else stays paused until play())
  float volume = 1.0F;
  // The time source of the player thread: timers, timeouts, throughput samples, load control and
  // telemetry stamps. Null: the machine's clocks (SystemClock). A manual clock only makes sense
  // where something moves it and wakes the loop; the engine alone runs on virtual time in the ABR lab
  // (player/lab/lab_session.h), with a lab transport on the same clock.
  std::shared_ptr<const Clock> clock;
};

struct PlayerStats {
  PlayerState state = PlayerState::kIdle;
  std::chrono::microseconds position{0};
  std::chrono::microseconds video_buffer{0};  // media ahead of the position
  std::chrono::microseconds audio_buffer{0};
  // The video rendition on screen (the frame presented, or before the first frame the one at the
  // position): id, @bandwidth and size; empty before the first segment. What the ABR is downloading
  // runs ahead by the buffer: PlayerEvent::kRepresentationChanged says that.
  std::string video_representation;
  std::string audio_representation;  // the audio being downloaded
  std::uint64_t video_bitrate_bps = 0;
  int video_width = 0, video_height = 0;
  std::optional<double> throughput_kbps;                      // the estimator's value at the last ABR decision
  std::optional<std::chrono::microseconds> startup_time;      // load() to the first playing state
  std::optional<std::chrono::microseconds> first_frame_time;  // load() to the first video frame presented
  // The press to the first video frame presented: from the load() call (with play_when_ready) or
  // else the first play() call after it, to that frame. For a preloaded title this is what the
  // viewer waits; first_frame_time and startup_time count from load() too (docs/embedding.md).
  std::optional<std::chrono::microseconds> press_to_first_frame;
  std::uint64_t preload_responses_used = 0;  // requests of this session answered from a preload
  int stalls = 0;
  std::chrono::microseconds stall_time{0};
  int switches = 0;                    // changes of the video rendition on screen
  std::uint64_t frames_presented = 0;  // video
  std::uint64_t frames_dropped = 0;    // late video frames
  std::uint64_t segments_downloaded = 0;
  std::string abr;  // the algorithm in use
  // The HTTP cache since the last load() (zeros with the cache off): requests answered from it
  // without a transfer, conditional requests answered 304 (then served from it), requests that went
  // to the network, and the body bytes it served (hits and 304s).
  std::uint64_t cache_hits = 0, cache_revalidations = 0, cache_misses = 0, cache_bytes = 0;
  // Live with a target latency (PlayerConfig::target_latency or the MPD's ServiceDescription): how
  // far behind the live edge playback is, and the catch-up's playback rate; empty otherwise.
  std::optional<std::chrono::microseconds> live_latency;
  std::optional<double> live_playback_rate;
  double playback_rate = 1.0;  // set_playback_rate(), once the player thread applied it
};

// The languages a session offers (Player::languages()): the @lang of the audio and text adaptation
// sets of the manifest's first period, in document order, each once (sets without @lang are left
// out), and the audio language of the representation playing ("" before its first segment).
struct TrackLanguages {
  std::vector<std::string> audio;
  std::vector<std::string> text;
  std::string audio_playing;
};

// A thumbnail for a seek bar (Player::thumbnail_at), from the presentation's thumbnail track (an
// image AdaptationSet, DASH-IF IOP thumbnails): the whole grid image as fetched and decoded, the
// tile inside it that stands for the time asked, and the span of media that tile stands for.
struct Thumbnail {
  media::VideoFrame image;  // the grid image, I420; image.pts = start; shared with the player's cache
  int tile_x = 0, tile_y = 0, tile_width = 0, tile_height = 0;  // pixels, inside `image`
  std::chrono::microseconds start{0};                           // MPD timeline
  std::chrono::microseconds duration{0};
  std::string representation_id;  // the thumbnail representation
  std::string url;                // the grid image's URL
};
using ThumbnailResult = Expected<Thumbnail, Error>;

struct PlayerEvent {
  enum class Kind {
    kStateChanged,           // state, position
    kRepresentationChanged,  // track ("video"/"audio"), representation_id, bandwidth_bps
    kError,                  // fatal for the session: error (state is kError)
    kWarning,                // not fatal: error
    kEnded,                  // played to the end (after kStateChanged to kEnded)
    kTelemetrySent,          // the final report was delivered (error.code kOk) or not (kNetworkTimeout)
    kCdnChanged,             // cdn (base URL, redacted) now serves, for reason (why, in words)
    // Player::preload (url = the title, bytes = body bytes kept; not tied to the current session):
    kPreloadReady,      // manifest, init and first segment(s) are in memory (reason: why it stopped)
    kPreloadFailed,     // the preload failed (error names what and where); nothing is kept
    kPreloadDiscarded,  // freed unplayed: cancel_preload(), expiry or destruction (reason says which)
  };
  Kind kind = Kind::kStateChanged;
  PlayerState state = PlayerState::kIdle;
  PlayerState previous_state = PlayerState::kIdle;
  std::chrono::microseconds position{0};
  std::string track;
  std::string representation_id;
  std::uint64_t bandwidth_bps = 0;
  Error error;
  std::string cdn, reason;  // kCdnChanged; reason also for kPreloadReady / kPreloadDiscarded
  std::string url;          // kPreload*: the preloaded title's URL
  std::uint64_t bytes = 0;  // kPreload*: body bytes kept
};

// Player::preload: how much of a title may be kept in memory, and for how long.
struct PreloadOptions {
  // Body bytes kept at most (manifest, index, init and media): 8 MiB holds the startup segments
  // of a 1080p title (two 4 s segments at 6 Mbit/s are 6 MB); a response that does not fit ends
  // the preload with what it has. 0: kInvalidArgument.
  std::uint64_t byte_budget = 8ull << 20;
  // An unplayed preload is freed after this long (kPreloadDiscarded). 5 minutes: a viewer still
  // browsing after that is not about to press Play on this title, and a CDN token in its URLs may
  // expire soon after.
  std::chrono::milliseconds expiry{300'000};
};

// A playback-API request (abrplay-origin's POST /play, docs in demo/origin/src/playback_api.h): the
// service answers with the manifest URL for this device, a session id and the telemetry endpoint.
struct PlaybackRequest {
  std::string api_url;              // e.g. "http://127.0.0.1:8080/play"
  std::string token;                // sent as "Authorization: Bearer <token>"
  std::string content;              // a content name ("number"); empty: the service chooses
  std::vector<std::string> codecs;  // what this device decodes, e.g. {"avc1", "mp4a"}; empty: omitted
  std::uint32_t max_height = 0;     // 0: omitted
};

class PlayerListener {
 public:
  virtual ~PlayerListener() = default;
  virtual void on_event(const PlayerEvent& event) = 0;
};

class Player {
 public:
  explicit Player(PlayerConfig config = {});
  ~Player();
  Player(const Player&) = delete;
  Player& operator=(const Player&) = delete;

  // Not owned; must outlive the Player or be replaced first. Not from inside a callback.
  void set_listener(PlayerListener* listener);

  // Starts a session on `mpd_url` (stopping the current one). kInvalidArgument for an empty URL;
  // every other failure (bad URL, network, malformed manifest, unplayable content) comes as a kError
  // event with the code (2xxx network, 3xxx manifest, 4xxx media).
  Error load(std::string mpd_url);
  // Asks the playback API first, then loads the manifest it names. The answer's session_id becomes
  // the telemetry/CMCD session id; its telemetry_url and heartbeat interval are used when the config
  // sets no telemetry_url. A refused request (401, 404, ...) is a kError event (kNetworkHttpStatus,
  // with the service's message); an answer without manifest_url is kManifestInvalidValue.
  Error load(PlaybackRequest request);
  // Preloads `mpd_url` for an instant start, without decoding (docs/embedding.md, "Preload"):
  // fetches and parses the manifest, picks the tracks and the first rung as a session would, and
  // keeps the init segments and the first media segment(s) in memory within options.byte_budget.
  // A later load() of the same URL answers those requests from memory. Several titles may be
  // preloaded at once, each within its own budget; the current session is not touched. Ends with
  // kPreloadReady or kPreloadFailed; an unplayed one is freed with kPreloadDiscarded (expiry,
  // cancel_preload, destruction). kInvalidArgument for an empty URL or a zero budget; a URL already
  // preloading or preloaded keeps its entry.
  Error preload(std::string mpd_url, PreloadOptions options = {});
  // Frees the preload of `mpd_url` (kPreloadDiscarded); nothing when there is none.
  void cancel_preload(std::string mpd_url);
  void play();
  void pause();
  // kInvalidState when nothing is loaded (idle, loading, error).
  Error seek(std::chrono::microseconds target);
  void stop();
  // kInvalidArgument for an unknown name; takes effect at the next segment.
  Error set_abr(std::string_view name);
  // Pins video representation `index` of the ladder (0 = lowest); set_abr() unpins.
  void pin_representation(std::size_t index);
  void set_volume(float volume);  // 0 .. 1
  // Playback speed, 0.5 .. 2.0 (kInvalidArgument outside; nothing changes then), pitch kept (FFmpeg's
  // atempo time-stretch; docs/media.md "Controls"). Any thread; queued like the other commands, heard
  // within ~100 ms; kept across load() and seek(); PlayerStats::playback_rate shows it once applied.
  // On live with latency control the pipeline plays at this times the catch-up's rate (0.5 .. 2).
  Error set_playback_rate(double rate);
  // Prefers `language` for audio and switches the audio track in place: video goes on untouched
  // (no reload, no second manifest or video request, no stall); the old audio plays on to a segment
  // boundary at least a second ahead, then the new language's audio follows without a gap (it may
  // have another codec or sample rate). Paused, seeking or ended, the switch is at the position.
  // Several calls in a row: the last one wins. kInvalidArgument (nothing changes) for an empty
  // language, or one the loaded presentation does not offer (languages()); before the manifest is
  // loaded any language is kept as a preference for the first selection.
  Error select_audio_language(std::string language);
  // Subtitles in `language`, switched in place at the position (cues of the old language are
  // dropped, the cue on screen cleared); "" turns them off. kInvalidArgument for a language the
  // loaded presentation offers no subtitles in.
  Error select_text_language(std::string language);

  // The thumbnail standing for `time` (MPD timeline). Any thread, never blocks: `done` is called once
  // on the player thread ("abrplay-player"; return quickly), with the thumbnail or an error:
  //  kInvalidState      nothing loaded yet (before the manifest is in, after stop())
  //  kUnsupported       the presentation has no usable thumbnail track (when its signalling is
  //                     malformed the message says where and why; a kWarning event said so at load)
  //  kInvalidArgument   `time` is past the last thumbnail image
  //  2xxx               the image fetch failed: kNetworkHttpStatus with the status and URL,
  //                     kNetworkTooLarge beyond 4 MiB, kNetworkCancelled when a load() or stop() (or
  //                     the destructor) came before it finished, or when newer requests superseded
  //                     it (2 images fetch at a time and 2 wait; the oldest waiting one gives way)
  //  kMediaDecode       the image is neither JPEG nor PNG, fails to decode, or is beyond 16 Mpx
  // Images are fetched on demand through the session's network path (the same CDNs, retries,
  // request headers and URL rules as segments) and the last ones kept decoded in a small cache
  // (32 MiB of pixels), so scrubbing through one grid costs one request.
  void thumbnail_at(std::chrono::microseconds time, std::function<void(ThumbnailResult)> done);

  // SinkKind::kExternal only (no presentation thread is started then): presents what is due on the
  // calling thread (the main thread for SDL), then waits at most `max_wait` for more work. Call it
  // in a loop. Returns at once for other sink kinds.
  void pump(std::chrono::microseconds max_wait);

  PlayerState state() const;
  std::chrono::microseconds position() const;
  bool play_when_ready() const;
  PlayerStats stats() const;
  // Any thread, never blocks. Empty until the manifest of the current load() is loaded (the engine
  // leaves kLoading); unchanged by select_audio_language / select_text_language (no reload).
  TrackLanguages languages() const;

 private:
  class Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace abrplay
