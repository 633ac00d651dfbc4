// abrplay/player/telemetry/engine_telemetry.h: the streaming engine's events as telemetry.
//
// The one mapping from engine::EngineObserver calls to SessionRecorder calls, and the Snapshot a
// heartbeat needs, shared by the Player (player/api/session_telemetry.cpp) and abrplay-fleet-load
// (the engine on virtual time, player/lab):
//   the first kPlaying                 -> on_first_frame (startup = load to first frame)
//   kPlaying -> kBuffering             -> on_stall_start; leaving kBuffering after it -> on_stall_end
//   a video ABR decision for another representation than the current one
//                                      -> on_switch (with the decision's reason); the first one is
//                                         the start, not a switch
//   a completed (not abandoned) init, index or media download -> on_download; a media segment also
//                                         -> on_segment, and a video one -> on_video_segment
//   on_cdn_change                      -> the snapshot's cdn and cdn_reason
//   on_error (fatal)                   -> on_error, naming the manifest URL
//   on_warning with an error code      -> on_error (worked around: a skipped segment, a failed
//                                         refresh); notices without a code are not errors
// The snapshot holds the engine's state, the last position and buffer levels it reported, the
// current video and audio representation, the throughput estimate of the last decision, and the
// CDN: the one the engine's CDN choice made current (with its reason), else the base URL of the
// last download, or, for a presentation without BaseURL, the scheme and host that served it
// ("https://cdn-b.example/"); redacted.
// Threading: the engine's thread (an observer), like the SessionRecorder it feeds. Not owned: the
// recorder and the clock must outlive it.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>

#include "abrplay/core/clock.h"
#include "abrplay/player/engine/engine_events.h"
#include "abrplay/player/manifest/model.h"
#include "abrplay/player/telemetry/session_recorder.h"

namespace abrplay::telemetry {

// A representation as telemetry names it: id and bitrate, with resolution and codecs from the
// manifest when `mpd` has it (null or not found: id and bitrate only).
RepresentationInfo describe_representation(const manifest::Mpd* mpd, const std::string& id, DataRate bandwidth);

struct EngineTelemetryDeps {
  SessionRecorder& recorder;
  const Clock& clock;
  std::string manifest_url;  // named by the record of a fatal error
  // The presentation the engine plays (e.g. [&] { return engine.manifest(); }); may be empty.
  std::function<const manifest::Mpd*()> manifest;
  // Where playback is, in seconds, when the caller knows better than the engine's events (the
  // Player: what is on screen); empty: the last position the engine reported.
  std::function<double()> position_s;
};

class EngineTelemetry final : public engine::EngineObserver {
 public:
  explicit EngineTelemetry(EngineTelemetryDeps deps);

  void on_state(const engine::StateChange& change) override;
  void on_abr_decision(const engine::AbrDecisionEvent& ev) override;
  void on_download(const engine::DownloadEvent& ev) override;
  void on_cdn_change(const engine::CdnChangeEvent& ev) override;
  void on_buffer(const engine::BufferLevelEvent& ev) override;
  void on_error(const Error& error) override;
  void on_warning(const Error& error) override;

  Snapshot snapshot() const;
  RepresentationInfo describe(const std::string& id, DataRate bandwidth) const;
  engine::EngineState state() const { return state_; }
  bool started() const { return started_; }  // the first frame was reached
  double position_s() const;

 private:
  EngineTelemetryDeps deps_;
  engine::EngineState state_ = engine::EngineState::kIdle;
  bool started_ = false;
  bool stalled_ = false;
  double position_s_ = 0;
  std::map<std::string, double> buffer_s_;  // per track type
  RepresentationInfo video_, audio_;        // id empty: none yet
  std::optional<DataRate> throughput_;
  std::string cdn_;
  std::string cdn_reason_;  // why cdn_ serves (the HostSelector's choice); "" without one
};

}  // namespace abrplay::telemetry
