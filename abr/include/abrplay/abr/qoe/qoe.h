// abrplay/abr/qoe/qoe.h: quality of experience of a simulated session, as Pensieve defines it.
//
// Per segment n after the first:  q(R_n) − μ · rebuffer_n − |q(R_n) − q(R_{n−1})|
//   lin: q(R) = R in Mbps,                    μ = 4.3 (the top bitrate: one second of stall costs
//        as much as one top-quality segment-second gains)
//   log: q(R) = ln(R / R_min),                μ = 2.66
//   hd:  q(R) = 1, 2, 3, 12, 15, 20 for 0.3, 0.75, 1.2, 1.85, 2.85, 4.3 Mbps,  μ = 8
//        (other ladders: linear interpolation of that table in kbps, clamped at its ends)
// Segment 0, fetched at the simulator's fixed start-up index, is left out of the sum (Pensieve's
// plotting does the same); its download time is reported as the start-up delay.
#pragma once

#include <optional>
#include <string_view>

#include "abrplay/abr/sim/chunk_simulator.h"

namespace abrplay::abr {

enum class QoeMetric { kLin, kLog, kHd };

std::optional<QoeMetric> parse_qoe_metric(std::string_view text);  // "lin", "log", "hd"
std::string_view to_string(QoeMetric metric);

// q(R) for a bitrate, given the ladder's lowest bitrate (used by log).
double qoe_utility(QoeMetric metric, DataRate bitrate, DataRate min_bitrate);
double qoe_rebuffer_penalty(QoeMetric metric);

struct QoeSummary {
  double qoe = 0;               // the sum above
  double utility = 0;           // Σ q(R_n)
  double rebuffer_penalty = 0;  // Σ μ · rebuffer_n
  double smoothness = 0;        // Σ |Δq|
  DataRate mean_bitrate;        // over the counted segments
  double rebuffer_s = 0;        // over the counted segments
  double rebuffer_ratio = 0;    // rebuffer / (rebuffer + media played), counted segments
  double startup_s = 0;         // download time of segment 0
  double startup_bound_s = 0;   // the network's lower bound for startup_s, when known (else 0)
  std::size_t switches = 0;     // bitrate changes between consecutive segments (counted ones)
  std::size_t segments = 0;     // counted segments
};

QoeSummary score_session(const SessionLog& log, QoeMetric metric, DataRate min_bitrate, double segment_duration_s);

}  // namespace abrplay::abr
