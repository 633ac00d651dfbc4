// abrplay/player/lab/lab_session.h: one streaming session of the real engine on virtual time.
//
// run_lab_session() builds what `abrplay --no-decode` builds (StreamingEngine with its loaders,
// load control, fast start, abandonment and the named ABR algorithm, and a VirtualConsumer playing
// at 1x), but on a ManualClock with a kManual EventLoop and a LabNetwork instead of libcurl. The
// driver runs every ready task, then moves the clock to the next deadline, until the session ends,
// fails, or has played `duration` of media. Nothing waits in real time: a 60 s session takes
// milliseconds. The figures are engine::SessionMetrics', the same code as the real player's summary.
//
// Threads: runs entirely on the calling thread; sessions on different threads are independent
// (share the LabContent).
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "abrplay/abr/algorithm/registry.h"
#include "abrplay/player/engine/event_loop.h"
#include "abrplay/player/engine/session_metrics.h"
#include "abrplay/player/engine/streaming_engine.h"
#include "abrplay/player/lab/lab_content.h"
#include "abrplay/player/lab/lab_network.h"

namespace abrplay::lab {

// The host lab URLs carry; any name does, since LabNetwork serves every host from the content.
inline constexpr std::string_view kLabOrigin = "http://lab.invalid";

struct LabSessionResult;

// What LabSessionConfig::on_start / on_end may reach while a session runs (the calling thread).
struct LabSessionContext {
  const Clock& clock;  // the session's ManualClock
  engine::EventLoop& loop;
  engine::StreamingEngine& engine;
};

struct LabSessionConfig {
  std::shared_ptr<const LabContent> content;
  std::string mpd_path = "/number/manifest.mpd";  // within the content
  // The scheme and host the engine requests from (a CDN's name: the downloads' base_url carries it).
  std::string origin = std::string(kLabOrigin);
  LabLinkParams link;
  std::string algorithm = "default";  // an abr::make_algorithm() name
  abr::RegistryOptions registry;
  engine::EngineConfig engine;
  // Media time to play; 0 plays to the end.
  std::chrono::microseconds duration{std::chrono::seconds(60)};
  // A session still going after this much virtual time is cut and reported as failed (a safety
  // net: a stall that never ends would otherwise run forever).
  std::chrono::microseconds max_virtual_time{std::chrono::minutes(30)};
  // Also told every engine event (on the calling thread), e.g. to trace decisions. Not owned.
  engine::EngineObserver* observer = nullptr;
  // Optional, on the calling thread: on_start once the engine is built (before load()), e.g. to
  // schedule periodic work on virtual time with loop.post_after (telemetry heartbeats); on_end
  // when the session is over, before the engine goes (the result is filled but for `tasks`), e.g.
  // for a final report. on_end must cancel the timers it scheduled.
  std::function<void(const LabSessionContext&)> on_start;
  std::function<void(const LabSessionContext&, const LabSessionResult&)> on_end;
  // The wall clock when the session begins (ManualClock's default: 2024-01-01T00:00:00Z).
  std::optional<WallTime> wall_start;
};

struct LabSessionResult {
  bool failed = false;
  std::string error;  // why it failed (no playable track, a fatal engine error, cut)
  engine::SessionFigures figures;
  std::chrono::microseconds virtual_time{0};
  LabLinkStats link;
  std::size_t tasks = 0;  // event-loop tasks run (a measure of the work done)
  // The network's lower bound for the startup the session had: one round trip and the manifest's
  // bytes, then one more round trip and every byte playback needed before it began (the init and
  // index segments and the first media segments the engine kept, of every track) at the trace's
  // rate, as if all were requested at once the moment the manifest arrived. Abandoned or failed
  // transfers are not needed, so not counted. nullopt when playback never started.
  std::optional<double> startup_lower_bound_s;
};

LabSessionResult run_lab_session(const LabSessionConfig& config);

}  // namespace abrplay::lab
