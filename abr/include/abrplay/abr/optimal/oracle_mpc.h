// abrplay/abr/optimal/oracle_mpc.h: MPC with a perfect forecast, in Pensieve mode.
//
// At each segment it plans `horizon` segments ahead against the trace itself (the exact downloads
// simulate_session() would see, sleeps above the buffer threshold included), commits to the first
// segment of the best plan, and moves on: MPC's receding horizon with no forecast error at all. It
// splits the distance between an algorithm and the offline optimum in two: between the algorithm and
// this oracle, what its forecast costs; between this oracle and the optimum, what planning only
// `horizon` segments ahead costs even when the forecast is exact (docs/abr.md, "How far the optimum
// is"). Segment 0 is fixed at the start-up index, as in the simulator. Pure; no threads.
#pragma once

#include <cstddef>

#include "abrplay/abr/optimal/offline_optimal.h"

namespace abrplay::abr {

struct OracleMpcParams {
  std::size_t horizon = 5;  // RobustMPC's and ScenarioMPC's
  QoeMetric metric = QoeMetric::kLin;
};

// The schedule and its QoE (same accounting as score_session()); states_expanded counts downloads
// simulated. A horizon of 0 counts as 1.
OptimalResult oracle_mpc(const Trace& trace, const Video& video, const SimParams& sim = {},
                         const OracleMpcParams& params = {});

}  // namespace abrplay::abr
