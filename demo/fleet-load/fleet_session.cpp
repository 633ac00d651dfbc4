#include "fleet_session.h"

#include <algorithm>
#include <functional>
#include <optional>
#include <random>

#include "abrplay/abr/algorithm/registry.h"
#include "abrplay/player/lab/lab_session.h"
#include "abrplay/player/telemetry/engine_telemetry.h"
#include "abrplay/player/telemetry/session_recorder.h"

namespace abrplay::fleet {
namespace {

// The session's trace: the CDN's share of the bandwidth, beginning at the plan's rotation.
abr::Trace link_trace(const abr::Trace& trace, const Cdn& cdn, std::size_t rotation) {
  abr::Trace t;
  t.name = trace.name;
  const std::size_t n = trace.segments.size();
  for (std::size_t i = 0; i < n; ++i) {
    abr::TraceSegment seg = trace.segments[(i + rotation) % n];
    seg.bandwidth_kbps *= cdn.bandwidth_scale;
    t.segments.push_back(seg);
  }
  return t;
}

// The faults of the CDN (a share of media segments reset once, mid-body) and of the plan.
// `segments` of the title, `watched` of them within the viewer's time: the plan's errors fall there.
std::vector<lab::LabFault> faults_for(const SessionPlan& plan, const Cdn& cdn, std::size_t segments,
                                      std::size_t watched) {
  std::vector<lab::LabFault> faults;
  const auto every = [](lab::LabFault::Kind kind) {
    lab::LabFault f;
    f.kind = kind;
    f.path_contains = "";  // every request
    f.times = 1'000'000;
    f.status = 503;
    return f;
  };
  if (plan.fault == Fault::kDeadCdn) return {every(lab::LabFault::Kind::kStatus)};
  if (plan.fault == Fault::kNeverDelivers) return {every(lab::LabFault::Kind::kStall)};
  std::mt19937_64 rng(plan.fault_seed);
  std::uniform_real_distribution<double> unit(0, 1);
  std::uniform_int_distribution<std::uint64_t> at_byte(0, 20'000);
  // "-12.m4s" names segment 12 of every rung (seg-v3-12.m4s), and not segment 112.
  const auto segment = [](std::size_t s) { return "-" + std::to_string(s) + ".m4s"; };
  for (std::size_t s = 0; s < segments; ++s) {
    if (cdn.reset_share > 0 && unit(rng) < cdn.reset_share)
      faults.push_back({lab::LabFault::Kind::kReset, segment(s), 1, 0, at_byte(rng)});
  }
  if (plan.fault == Fault::kSegmentErrors && watched > 2) {
    std::uniform_int_distribution<std::size_t> which(1, watched - 1);
    const int n = 2 + static_cast<int>(rng() % 3);
    for (int i = 0; i < n; ++i) {
      const std::size_t s = which(rng);
      if (i % 2 == 0) {
        // Every rung, and every retry, fails: the engine skips the segment (an error worked around).
        faults.push_back({lab::LabFault::Kind::kStatus, segment(s), 1000, 404, 0});
      } else {
        faults.push_back({lab::LabFault::Kind::kReset, segment(s), 2, 0, at_byte(rng)});
      }
    }
  }
  return faults;
}

telemetry::EndReason end_reason(engine::EngineState state) {
  if (state == engine::EngineState::kEnded) return telemetry::EndReason::kEndOfStream;
  if (state == engine::EngineState::kError) return telemetry::EndReason::kError;
  return telemetry::EndReason::kStopped;  // the viewer stopped watching, or gave up waiting
}

}  // namespace

SessionOutcome run_fleet_session(const FleetWorld& world, const SessionPlan& plan, const SessionSettings& settings) {
  SessionOutcome out;
  const Title& title = world.titles.at(plan.title);
  const Cdn& cdn = world.cdns.at(plan.cdn);
  const abr::Trace& trace = world.traces.at(plan.trace);

  telemetry::SessionRecorder recorder({.session_id = plan.session_id,
                                       .content_id = title.id,
                                       .device = plan.device,
                                       .library_version = settings.library_version,
                                       .abr = std::string(abr::resolve_algorithm_name(plan.algorithm))});
  std::optional<telemetry::EngineTelemetry> tel;
  engine::EventLoop::TimerId heartbeat_timer = 0;
  std::function<void()> heartbeat;

  lab::LabSessionConfig cfg;
  cfg.content = title.content;
  cfg.mpd_path = title.mpd_path;
  cfg.origin = cdn.origin;
  cfg.link.trace = link_trace(trace, cdn, plan.trace_rotation);
  cfg.link.rtt = std::chrono::duration_cast<std::chrono::microseconds>(cdn.rtt);
  const auto segments = static_cast<std::size_t>(title.duration_s / title.segment_s + 0.5);
  const auto watched = std::min(segments,
                                static_cast<std::size_t>(static_cast<double>(plan.watch.count()) / title.segment_s));
  cfg.link.faults = faults_for(plan, cdn, segments, watched);
  cfg.algorithm = plan.algorithm;
  cfg.registry.pensieve_compat = false;  // the papers' algorithms, not Pensieve's reproductions
  // No retry jitter: the engine's fetchers draw it from random_device, and a fleet is a function
  // of its seed (the backoff itself is unchanged).
  cfg.engine.retry.jitter = 0;
  cfg.duration = plan.watch;
  cfg.max_virtual_time = plan.fault == Fault::kNeverDelivers ? settings.join_timeout : settings.max_virtual_time;
  cfg.wall_start = plan.start;
  cfg.on_start = [&](const lab::LabSessionContext& ctx) {
    recorder.on_load(ctx.clock.steady());
    tel.emplace(telemetry::EngineTelemetryDeps{.recorder = recorder,
                                               .clock = ctx.clock,
                                               .manifest_url = cdn.origin + title.mpd_path,
                                               .manifest = [&engine = ctx.engine] { return engine.manifest(); },
                                               .position_s = {}});
    ctx.engine.add_observer(*tel);
    heartbeat = [&, ctx] {
      out.payloads.push_back(recorder.heartbeat(tel->snapshot(), ctx.clock.wall(), ctx.clock.steady()));
      heartbeat_timer = ctx.loop.post_after(settings.heartbeat, heartbeat);
    };
    heartbeat_timer = ctx.loop.post_after(settings.heartbeat, heartbeat);
  };
  cfg.on_end = [&](const lab::LabSessionContext& ctx, const lab::LabSessionResult&) {
    if (heartbeat_timer) ctx.loop.cancel(heartbeat_timer);
    heartbeat_timer = 0;
    if (!tel) return;
    ctx.engine.remove_observer(*tel);
    const telemetry::EndReason reason = end_reason(ctx.engine.state());
    out.payloads.push_back(recorder.final_report(tel->snapshot(), reason, ctx.clock.wall(), ctx.clock.steady()));
    out.joined = tel->started();
    out.fatal = reason == telemetry::EndReason::kError;
    out.end_reason = std::string(telemetry::to_string(reason));
  };
  const lab::LabSessionResult result = lab::run_lab_session(cfg);
  if (result.failed) out.lab_error = result.error;
  out.virtual_s = std::chrono::duration<double>(result.virtual_time).count();
  return out;
}

}  // namespace abrplay::fleet
