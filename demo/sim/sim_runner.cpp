#include "sim_runner.h"

#include <atomic>
#include <functional>
#include <thread>

#include "abrplay/abr/algorithm/fixed.h"
#include "abrplay/abr/algorithm/registry.h"
#include "abrplay/abr/estimator/estimators.h"
#include "abrplay/abr/optimal/offline_optimal.h"
#include "abrplay/abr/optimal/oracle_mpc.h"

namespace abrplay::sim {

namespace {

// Replays a precomputed schedule (the offline optimum's or the oracle MPC's) through the simulator,
// so it is scored by exactly the same code as every algorithm.
class ScheduleAlgorithm final : public abr::AbrAlgorithm {
 public:
  explicit ScheduleAlgorithm(std::vector<std::size_t> schedule) : schedule_(std::move(schedule)) {}
  [[nodiscard]] abr::Decision choose(const abr::AbrInput& in) override {
    const std::size_t i = std::min(in.next_segment, schedule_.size() - 1);
    return {schedule_[i], "precomputed schedule"};
  }
  std::string_view name() const override { return "schedule"; }

 private:
  std::vector<std::size_t> schedule_;
};

}  // namespace

std::vector<AlgorithmResult> run_all(const std::vector<abr::Trace>& traces, const abr::Video& video,
                                     const RunConfig& config) {
  std::vector<AlgorithmResult> results(config.algorithms.size());
  std::vector<std::function<void()>> tasks;
  const DataRate min_bitrate = video.bitrates.front();
  const double segment_s = video.segment_duration.count();
  for (std::size_t a = 0; a < config.algorithms.size(); ++a) {
    results[a].name = config.algorithms[a];
    results[a].per_trace.resize(traces.size());
    AlgorithmResult* out = &results[a];
    if (is_offline_planner(config.algorithms[a])) {
      const bool oracle = config.algorithms[a] == "oracle-mpc";
      for (std::size_t t = 0; t < traces.size(); ++t) {
        tasks.push_back([&, out, t, oracle] {
          const abr::OracleMpcParams op{.horizon = config.oracle_horizon, .metric = config.metric};
          const abr::OptimalResult best = oracle ? abr::oracle_mpc(traces[t], video, {}, op)
                                                 : abr::offline_optimal(traces[t], video, {},
                                                                        abr::OptimalParams{.metric = config.metric});
          ScheduleAlgorithm replay(best.schedule);
          abr::FixedEstimator unused(DataRate::zero());
          out->per_trace[t] = abr::score_session(abr::simulate_session(traces[t], video, replay, unused), config.metric,
                                                 min_bitrate, segment_s);
        });
      }
      continue;
    }
    tasks.push_back([&, out, a] {
      auto algorithm = abr::make_algorithm(config.algorithms[a], {.pensieve_compat = config.pensieve_compat});
      abr::EwmaEstimator estimator;
      for (std::size_t t = 0; t < traces.size(); ++t) {
        out->per_trace[t] = abr::score_session(abr::simulate_session(traces[t], video, *algorithm, estimator),
                                               config.metric, min_bitrate, segment_s);
      }
    });
  }
  // Optimal tasks are the slow ones and come first in no particular order; workers take the next
  // task index from one atomic counter.
  std::atomic<std::size_t> next{0};
  const auto worker = [&] {
    for (std::size_t i = next++; i < tasks.size(); i = next++) tasks[i]();
  };
  std::vector<std::jthread> threads;
  const unsigned jobs = std::max(1u, config.jobs);
  for (unsigned j = 1; j < jobs; ++j) threads.emplace_back(worker);
  worker();
  return results;
}

}  // namespace abrplay::sim
