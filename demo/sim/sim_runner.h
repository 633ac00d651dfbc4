// demo/sim/sim_runner.h: runs algorithms over a trace set on worker threads.
//
// Each named algorithm runs over the traces in order with ONE instance, so history that an algorithm
// keeps across streams (Pensieve's RobustMPC) carries over exactly as in the reference run. Work is
// split per algorithm, except "optimal" and "oracle-mpc", which are independent per trace and split
// per trace. Threads only share read-only inputs; each writes its own result slots.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "abrplay/abr/qoe/qoe.h"
#include "abrplay/abr/sim/chunk_simulator.h"
#include "abrplay/abr/trace/trace.h"

namespace abrplay::sim {

// "optimal" and "oracle-mpc": computed per trace from the trace itself (Pensieve mode only), not
// registry algorithms.
inline bool is_offline_planner(std::string_view name) { return name == "optimal" || name == "oracle-mpc"; }

struct RunConfig {
  std::vector<std::string> algorithms;  // registry names and/or "optimal", "oracle-mpc"
  abr::QoeMetric metric = abr::QoeMetric::kLin;
  std::size_t oracle_horizon = 5;  // "oracle-mpc": segments planned with the true future link
  unsigned jobs = 1;
  bool pensieve_compat = true;
};

struct AlgorithmResult {
  std::string name;
  std::vector<abr::QoeSummary> per_trace;  // same order as the traces
  // Engine mode: per trace, why the session failed ("" when it played). A failed session scores
  // QoE 0 (nothing played) and is counted in Summary::failed, never dropped from the means.
  std::vector<std::string> errors;
};

// Results in the order of config.algorithms. Unknown names must be rejected by the caller first.
std::vector<AlgorithmResult> run_all(const std::vector<abr::Trace>& traces, const abr::Video& video,
                                     const RunConfig& config);

}  // namespace abrplay::sim
