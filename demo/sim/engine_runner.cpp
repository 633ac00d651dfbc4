#include "engine_runner.h"

#include <algorithm>
#include <atomic>
#include <functional>
#include <thread>

namespace abrplay::sim {

namespace {

abr::QoeSummary summary_of(const lab::LabSessionResult& r) {
  abr::QoeSummary q;
  if (r.failed) return q;
  const engine::SessionFigures& f = r.figures;
  q.qoe = f.qoe_lin;
  q.mean_bitrate_kbps = f.bitrate_kbps;
  q.rebuffer_s = f.stall_s;
  q.rebuffer_ratio = f.played_s + f.stall_s > 0 ? f.stall_s / (f.played_s + f.stall_s) : 0;
  q.smoothness = f.smoothness;
  q.rebuffer_penalty = 4.3 * f.stall_s;
  q.utility = f.qoe_lin + q.rebuffer_penalty + f.smoothness;
  q.startup_s = f.startup_s.value_or(0);
  q.switches = static_cast<std::size_t>(f.switches);
  q.segments = f.video_segments.size();
  return q;
}

}  // namespace

std::vector<AlgorithmResult> run_engine_all(const std::vector<abr::Trace>& traces, const EngineRunConfig& config) {
  std::vector<AlgorithmResult> results(config.algorithms.size());
  for (std::size_t a = 0; a < results.size(); ++a) {
    results[a].name = config.algorithms[a];
    results[a].per_trace.resize(traces.size());
    results[a].errors.resize(traces.size());
  }
  const std::size_t total = results.size() * traces.size();
  std::atomic<std::size_t> next{0};
  const auto worker = [&] {
    for (std::size_t i = next++; i < total; i = next++) {
      const std::size_t a = i / traces.size(), t = i % traces.size();
      lab::LabSessionConfig session = config.session;
      session.algorithm = config.algorithms[a];
      session.link.trace = traces[t];
      const lab::LabSessionResult r = lab::run_lab_session(session);
      results[a].per_trace[t] = summary_of(r);
      results[a].errors[t] = r.failed ? (r.error.empty() ? std::string("failed") : r.error) : "";
    }
  };
  std::vector<std::jthread> threads;
  const unsigned jobs = std::max(1u, config.jobs);
  for (unsigned j = 1; j < jobs; ++j) threads.emplace_back(worker);
  worker();
  return results;
}

}  // namespace abrplay::sim
