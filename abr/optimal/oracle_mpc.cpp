#include "abrplay/abr/optimal/oracle_mpc.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "chunk_step.h"

namespace abrplay::abr {

namespace {

// Exhaustive depth-first search over the plans from one state (shared prefixes).
class OracleSearch {
 public:
  OracleSearch(detail::ChunkStepper& stepper, const std::vector<double>& utility, double mu)
      : stepper_(stepper), utility_(utility), mu_(mu) {}

  // The first representation of the best plan for segments [segment, segment + depth).
  std::size_t best(const detail::ChunkState& from, std::size_t last, std::size_t segment, std::size_t depth,
                   std::size_t& expanded) {
    best_qoe_ = -1e300;
    best_first_ = 0;
    expanded_ = 0;
    depth_ = depth;
    visit(from, last, segment, depth, 0.0, 0);
    expanded += expanded_;
    return best_first_;
  }

 private:
  void visit(const detail::ChunkState& from, std::size_t last, std::size_t segment, std::size_t left, double qoe,
             std::size_t first) {
    if (left == 0) {
      if (qoe > best_qoe_) {  // strict: ties keep the lower plan
        best_qoe_ = qoe;
        best_first_ = first;
      }
      return;
    }
    for (std::size_t q = 0; q < utility_.size(); ++q) {
      detail::ChunkState to;
      const double rebuffer_s = stepper_.advance(from, q, segment, to);
      ++expanded_;
      const double step = utility_[q] - mu_ * rebuffer_s - std::abs(utility_[q] - utility_[last]);
      visit(to, q, segment + 1, left - 1, qoe + step, left == depth_ ? q : first);
    }
  }

  detail::ChunkStepper& stepper_;
  const std::vector<double>& utility_;
  double mu_;
  double best_qoe_ = -1e300;
  std::size_t best_first_ = 0;
  std::size_t expanded_ = 0;
  std::size_t depth_ = 0;  // of the current search: its top level records the first representation
};

}  // namespace

OptimalResult oracle_mpc(const Trace& trace, const Video& video, const SimParams& sim, const OracleMpcParams& params) {
  OptimalResult result;
  if (video.segment_count == 0 || video.bitrates.empty()) return result;
  detail::ChunkStepper stepper(trace, video, sim);
  const double mu = qoe_rebuffer_penalty(params.metric);
  const std::size_t levels = video.bitrates.size();
  std::vector<double> utility(levels);
  for (std::size_t q = 0; q < levels; ++q)
    utility[q] = qoe_utility(params.metric, video.bitrates[q], video.bitrates.front());
  const std::size_t horizon = std::max<std::size_t>(params.horizon, 1);

  std::size_t index = std::min(sim.startup_index, levels - 1);
  result.schedule.push_back(index);
  detail::ChunkState now;
  stepper.advance(stepper.origin(), index, 0, now);  // segment 0: not scored
  OracleSearch search(stepper, utility, mu);
  for (std::size_t segment = 1; segment < video.segment_count; ++segment) {
    const std::size_t depth = std::min(horizon, video.segment_count - segment);
    const std::size_t q = search.best(now, index, segment, depth, result.states_expanded);
    detail::ChunkState next;
    const double rebuffer_s = stepper.advance(now, q, segment, next);
    result.qoe += utility[q] - mu * rebuffer_s - std::abs(utility[q] - utility[index]);
    result.schedule.push_back(q);
    now = next;
    index = q;
  }
  return result;
}

}  // namespace abrplay::abr
