// abrplay/abr/optimal/offline_optimal.h: the best QoE any algorithm could reach on a trace, knowing
// the whole trace in advance: the physical limit every algorithm is measured against.
//
// Dynamic programming over segments. A state after segment k is (link time t, buffer b, last index
// q, QoE so far) with its exact link position; each state is expanded by every representation with
// the exact Pensieve-mode arithmetic of chunk_simulator.h, so every state's QoE is that of a real
// schedule. States are grouped per (k, q, time cell of `time_cell`). Within a group, a state S is
// dropped when another state E has E.qoe >= S.qoe + mu * max(0, b_S - b_E): at the same link time one
// more second of buffer saves at most one second of rebuffering, worth mu (4.3 for QoE_lin), so S
// cannot finish ahead of E. That rule is exact for states at the same time; the only approximation is
// treating states less than `time_cell` apart as simultaneous.
//
// Error bound. The result is the QoE of the returned schedule, which simulate_session() replays
// exactly, so it never exceeds the true optimum: it is a lower bound. The loss against the true
// optimum comes only from the time merging; docs/abr-results.md reports the change from halving the
// cell (0.25 s -> 0.125 s) on the trace sets, which bounds it in practice.
// Segment 0 is fixed at the start-up index, as in the simulator. Pure; no threads.
#pragma once

#include <cstddef>
#include <vector>

#include "abrplay/abr/qoe/qoe.h"
#include "abrplay/abr/sim/chunk_simulator.h"

namespace abrplay::abr {

struct OptimalParams {
  Seconds time_cell{0.25};
  QoeMetric metric = QoeMetric::kLin;
};

struct OptimalResult {
  double qoe = 0;                     // same accounting as score_session()
  std::vector<std::size_t> schedule;  // representation per segment (segment 0 = start-up index)
  std::size_t states_expanded = 0;
};

OptimalResult offline_optimal(const Trace& trace, const Video& video, const SimParams& sim = {},
                              const OptimalParams& params = {});

}  // namespace abrplay::abr
