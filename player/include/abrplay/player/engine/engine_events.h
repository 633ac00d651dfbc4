// abrplay/player/engine/engine_events.h: what the streaming engine tells its observers.
//
// Every event is delivered on the player thread, synchronously, in the order it happened. Observers
// must be quick and must not destroy the engine from inside a callback (post that to the loop).
// The media pipeline, telemetry and embedders all listen here.
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "abrplay/abr/estimator/throughput_sample.h"
#include "abrplay/core/units.h"
#include "abrplay/player/engine/load_control.h"
#include "abrplay/player/engine/track_selection.h"
#include "abrplay/player/error.h"

namespace abrplay::engine {

enum class EngineState { kIdle, kLoading, kBuffering, kPlaying, kPaused, kSeeking, kEnded, kError };
std::string_view to_string(EngineState state);

struct StateChange {
  EngineState from = EngineState::kIdle;
  EngineState to = EngineState::kIdle;
  MediaTime position{0};
};

// One representation choice for one segment.
struct AbrDecisionEvent {
  TrackType track = TrackType::kVideo;
  std::size_t index = 0;  // into the selected ladder (ascending bitrate)
  std::string representation_id;
  DataRate bandwidth;
  std::string_view reason;  // static text: the algorithm's reason, "fast start", "abandoned: ..."
  MediaTime segment_start{0};
  MediaTime buffer_ahead{0};
  std::optional<DataRate> throughput;
};

enum class DownloadKind { kManifest, kClockSync, kIndex, kInit, kMedia, kThumbnail, kSteering };
std::string_view to_string(DownloadKind kind);

struct DownloadEvent {
  DownloadKind kind = DownloadKind::kMedia;
  TrackType track = TrackType::kVideo;  // meaningful for kIndex, kInit, kMedia
  std::string url;
  std::string base_url;  // the CDN that served it ("" for absolute URLs)
  std::string representation_id;
  DataRate bandwidth;  // the representation's declared bandwidth
  MediaTime segment_start{0};
  MediaTime segment_duration{0};  // kMedia only
  DataSize bytes;
  int attempts = 1;
  bool abandoned = false;        // given up for a lower representation (the sample is of the partial body)
  bool from_memory = false;      // answered from a preload (net::Response::from_memory): no sample recorded
  bool from_cache = false;       // served by the HTTP cache (net::Response::from_cache): `sample` timed no link
  abr::ThroughputSample sample;  // the engine's session clock (seconds since the engine started)
};

// The CDN (base URL) serving a set of alternatives changed: the first choice, a failover, a better
// priority back, or a measured switch (net::HostSelector). Probes and measurement fetches of other
// hosts are not changes.
struct CdnChangeEvent {
  std::string base_url;
  std::string reason;  // net::to_string(HostChoiceReason): "weighted", "failover", "measured_better", ...
  std::string detail;  // in words, e.g. "throughput 3.00 Mbit/s against 1.00 Mbit/s on http://a/"
};

struct BufferLevelEvent {
  TrackType track = TrackType::kVideo;
  MediaTime position{0};
  MediaTime ahead{0};
  DataSize bytes;  // held in the buffer
  std::size_t segments = 0;
};

// Live with a target latency: at every position report, how far behind the live edge playback is
// and the playback rate the catch-up chose (live_catchup.h).
struct LiveLatencyEvent {
  MediaTime latency{0};
  MediaTime target{0};
  double rate = 1.0;
};

class EngineObserver {
 public:
  virtual ~EngineObserver() = default;
  virtual void on_state(const StateChange&) {}
  virtual void on_abr_decision(const AbrDecisionEvent&) {}
  virtual void on_download(const DownloadEvent&) {}
  virtual void on_buffer(const BufferLevelEvent&) {}
  virtual void on_cdn_change(const CdnChangeEvent&) {}
  virtual void on_live_latency(const LiveLatencyEvent&) {}
  // Fatal: the engine is now in kError.
  virtual void on_error(const Error&) {}
  // Not fatal: something was worked around (a clock sync failed, a live jump forward, a retry).
  virtual void on_warning(const Error&) {}
};

}  // namespace abrplay::engine
