// fleet_session.h: one planned session on the engine lab, as the telemetry a player would send.
//
// run_fleet_session() plays the session's title over its trace (scaled and rotated for its CDN,
// with the CDN's round trip, resets and the plan's fault) with the real streaming engine on virtual
// time (lab::run_lab_session), and records it as the Player does: a SessionRecorder fed by
// telemetry::EngineTelemetry (the same engine-event mapping), a heartbeat every `heartbeat`
// of virtual time, and a final report when the session ends (end of stream, the viewer stopping
// after `watch`, a fatal error, or a join that never happens). Wall times run from the plan's start.
// Threading: runs on the calling thread; sessions on different threads share only the world (const).
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "fleet_plan.h"

namespace abrplay::fleet {

struct SessionOutcome {
  std::vector<std::string> payloads;  // heartbeats in order, then the final report
  bool joined = false;                // the first frame was reached
  bool fatal = false;                 // ended with a fatal error
  std::string end_reason;             // the final report's
  std::string lab_error;              // why the lab says it failed, if it did
  double virtual_s = 0;
};

struct SessionSettings {
  std::chrono::milliseconds heartbeat{10'000};
  std::chrono::seconds max_virtual_time{std::chrono::minutes(6)};  // PlanOptions::latest_end
  std::chrono::seconds join_timeout{60};                           // a viewer gives up on a session that does not start
  std::string library_version;
};

SessionOutcome run_fleet_session(const FleetWorld& world, const SessionPlan& plan, const SessionSettings& settings);

}  // namespace abrplay::fleet
