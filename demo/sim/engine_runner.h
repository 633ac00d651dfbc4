// demo/sim/engine_runner.h: abrplay-sim --engine: every algorithm over every trace, each session the
// real streaming engine on virtual time (player/lab), scored with the player's own definitions.
//
// Sessions are independent (a fresh engine and algorithm each, as a viewer's player starts), so the
// work is split per (algorithm, trace) over `jobs` threads sharing the read-only content.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "abrplay/abr/trace/trace.h"
#include "abrplay/player/lab/lab_session.h"
#include "sim_runner.h"

namespace abrplay::sim {

struct EngineRunConfig {
  std::vector<std::string> algorithms;  // registry names
  lab::LabSessionConfig session;        // content, mpd_path, rtt, duration; trace and algorithm are set per run
  unsigned jobs = 1;
};

// Results in the order of config.algorithms; per_trace[i].qoe is the session's QoE_lin, startup_s
// the load-to-playing time, mean_bitrate_kbps the played video bitrate.
// `sessions`, when given, receives every session's whole result, [algorithm][trace].
std::vector<AlgorithmResult> run_engine_all(const std::vector<abr::Trace>& traces, const EngineRunConfig& config,
                                            std::vector<std::vector<lab::LabSessionResult>>* sessions = nullptr);

// Writes `sessions` as JSON: [{"trace","algorithm","failed","error","startup_s","stalls","stall_s",
// "played_s","bitrate_kbps","switches","qoe_lin","virtual_s","video_representations":[...]}].
std::optional<std::string> write_sessions_json(const std::string& path, const std::vector<abr::Trace>& traces,
                                               const std::vector<std::string>& algorithms,
                                               const std::vector<std::vector<lab::LabSessionResult>>& sessions);

}  // namespace abrplay::sim
