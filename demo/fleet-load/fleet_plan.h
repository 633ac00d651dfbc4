// fleet_plan.h: abrplay-fleet-load's world and the sessions it plays, chosen from one seed.
//
// The world: titles (synthetic presentations in memory for the engine lab), network traces (read
// from disk), CDNs (each a host with its own link quality: a bandwidth scale, a round trip, and a
// share of requests reset mid-body), devices and ABR algorithms (abr::make_algorithm names).
// plan_fleet() picks, for each session, one of each, a start time spread uniformly over the last
// `hours` (early enough that every payload's wall_time is in the past), how much of the title the
// viewer watches, a rotation of the trace (where in it the session begins), and a fault:
//   kNone           plays normally (CDN resets apart)
//   kDeadCdn        every request answers 503: the session never starts (a join failure, fatal)
//   kNeverDelivers  every request stalls after 0 bytes: the session never starts (a join failure)
//   kSegmentErrors  a few media segments are reset or answered 404 once: retried and worked
//                   around (errors in the heartbeats, playback goes on)
// The plan depends only on the seed, the counts of titles/traces and `now` (the same binary gives
// the same plan: std::mt19937_64 and the standard distributions of one library).
// Threading: pure functions and plain values.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "abrplay/abr/trace/trace.h"
#include "abrplay/core/time.h"
#include "abrplay/player/lab/lab_content.h"

namespace abrplay::fleet {

struct Title {
  std::string id;  // the payloads' content_id
  std::shared_ptr<const lab::LabContent> content;
  std::string mpd_path;
  double duration_s = 0;
  double segment_s = 4;
};

struct Cdn {
  std::string name;              // host, e.g. "cdn-b.example"
  std::string origin;            // "https://" + name
  double bandwidth_scale = 1.0;  // applied to the session's trace
  std::chrono::milliseconds rtt{20};
  double reset_share = 0;  // share of media requests reset mid-body (a flaky edge)
};

enum class Fault { kNone, kDeadCdn, kNeverDelivers, kSegmentErrors };
std::string_view to_string(Fault fault);

struct SessionPlan {
  std::size_t index = 0;
  std::string session_id;
  std::size_t title = 0, trace = 0, cdn = 0;  // indexes into the world
  std::string algorithm;                      // as given (e.g. "default")
  std::string device;
  WallTime start;
  std::chrono::seconds watch{60};  // media the viewer watches (at most the title)
  std::size_t trace_rotation = 0;  // the trace segment the session begins at
  Fault fault = Fault::kNone;
  std::uint64_t fault_seed = 0;  // which segments a kSegmentErrors session loses
};

struct FleetWorld {
  std::vector<Title> titles;
  std::vector<abr::Trace> traces;
  std::vector<Cdn> cdns;
  std::vector<std::string> devices;
  std::vector<std::string> algorithms;
};

struct PlanOptions {
  std::size_t sessions = 1000;
  std::uint64_t seed = 1;
  double hours = 24;
  WallTime now;  // start times lie in [now - hours, now - latest_end]
  // No session lasts longer than this in virtual time (LabSessionConfig::max_virtual_time), so
  // its last payload is stamped at most this long after its start.
  std::chrono::seconds latest_end{std::chrono::minutes(6)};
};

// The built-in world: four titles, three CDNs (one markedly worse), four devices, four algorithms
// (the default and three others), and `traces`.
FleetWorld default_world(std::vector<abr::Trace> traces);

std::vector<SessionPlan> plan_fleet(const FleetWorld& world, const PlanOptions& options);

}  // namespace abrplay::fleet
