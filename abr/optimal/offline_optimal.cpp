#include "abrplay/abr/optimal/offline_optimal.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <unordered_map>

#include "chunk_step.h"

namespace abrplay::abr {

namespace {

struct State {
  detail::ChunkState at;
  double qoe = 0;
  std::size_t index = 0;
  std::uint32_t parent = 0;  // index into the previous layer
};

}  // namespace

OptimalResult offline_optimal(const Trace& trace, const Video& video, const SimParams& sim,
                              const OptimalParams& params) {
  OptimalResult result;
  if (video.segment_count == 0 || video.bitrates.empty()) return result;
  detail::ChunkStepper stepper(trace, video, sim);
  const double mu = qoe_rebuffer_penalty(params.metric);
  const DataRate min_bitrate = video.bitrates.front();
  const std::size_t levels = video.bitrates.size();
  std::vector<double> utility(levels);
  for (std::size_t q = 0; q < levels; ++q) utility[q] = qoe_utility(params.metric, video.bitrates[q], min_bitrate);

  // One segment download from a state, exactly as simulate_session() does it.
  const auto advance = [&](const State& from, std::size_t q, std::size_t segment, State& to) {
    to.index = q;
    return stepper.advance(from.at, q, segment, to.at);
  };

  std::vector<std::vector<State>> layers(video.segment_count);
  const std::size_t start = std::min(sim.startup_index, levels - 1);
  State origin;
  origin.at = stepper.origin();
  State first;
  advance(origin, start, 0, first);  // segment 0: not scored
  layers[0].push_back(first);

  // Per (time cell, last index): the states no other state in the cell beats. With the same link
  // time, one more second of buffer can save at most one second of rebuffering, worth mu; so S is
  // useless when some E has E.qoe >= S.qoe + mu * max(0, S.buffer - E.buffer).
  const auto beats = [mu](const State& e, const State& s) {
    return e.qoe >= s.qoe + mu * std::max(0.0, (s.at.buffer_ms - e.at.buffer_ms) / 1000);
  };
  std::unordered_map<std::uint64_t, std::vector<State>> cells;
  for (std::size_t segment = 1; segment < video.segment_count; ++segment) {
    cells.clear();
    const std::vector<State>& current = layers[segment - 1];
    for (std::uint32_t i = 0; i < current.size(); ++i) {
      const State& from = current[i];
      for (std::size_t q = 0; q < levels; ++q) {
        State to;
        const double rebuffer_s = advance(from, q, segment, to);
        to.qoe = from.qoe + utility[q] - mu * rebuffer_s - std::abs(utility[q] - utility[from.index]);
        to.parent = i;
        ++result.states_expanded;
        const auto t_cell = static_cast<std::uint64_t>(to.at.clock_s / params.time_cell.count());
        std::vector<State>& cell = cells[(t_cell << 8) | q];
        if (std::any_of(cell.begin(), cell.end(), [&](const State& e) { return beats(e, to); })) continue;
        std::erase_if(cell, [&](const State& e) { return beats(to, e); });
        cell.push_back(to);
      }
    }
    std::vector<State>& next = layers[segment];
    for (auto& [key, cell] : cells) next.insert(next.end(), cell.begin(), cell.end());
  }
  const std::vector<State>& last = layers.back();
  const auto best = std::max_element(last.begin(), last.end(),
                                     [](const State& a, const State& b) { return a.qoe < b.qoe; });
  result.qoe = best->qoe;
  result.schedule.assign(video.segment_count, start);
  std::uint32_t at = static_cast<std::uint32_t>(best - last.begin());
  for (std::size_t segment = video.segment_count; segment-- > 0;) {
    result.schedule[segment] = layers[segment][at].index;
    at = layers[segment][at].parent;
  }
  return result;
}

}  // namespace abrplay::abr
