#include "engine_runner.h"

#include <algorithm>
#include <atomic>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <thread>

namespace abrplay::sim {

namespace {

abr::QoeSummary summary_of(const lab::LabSessionResult& r) {
  abr::QoeSummary q;
  if (r.failed) return q;
  const engine::SessionFigures& f = r.figures;
  q.qoe = f.qoe_lin;
  q.mean_bitrate = f.bitrate;
  q.rebuffer_s = f.stall_s;
  q.rebuffer_ratio = f.played_s + f.stall_s > 0 ? f.stall_s / (f.played_s + f.stall_s) : 0;
  q.smoothness = f.smoothness;
  q.rebuffer_penalty = 4.3 * f.stall_s;
  q.utility = f.qoe_lin + q.rebuffer_penalty + f.smoothness;
  q.startup_s = f.startup_s.value_or(0);
  q.startup_bound_s = r.startup_lower_bound_s.value_or(0);
  q.switches = static_cast<std::size_t>(f.switches);
  q.segments = f.video_segments.size();
  return q;
}

}  // namespace

std::vector<AlgorithmResult> run_engine_all(const std::vector<abr::Trace>& traces, const EngineRunConfig& config,
                                            std::vector<std::vector<lab::LabSessionResult>>* sessions) {
  if (sessions) sessions->assign(config.algorithms.size(), std::vector<lab::LabSessionResult>(traces.size()));
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
      if (sessions) (*sessions)[a][t] = r;
    }
  };
  std::vector<std::jthread> threads;
  const unsigned jobs = std::max(1u, config.jobs);
  for (unsigned j = 1; j < jobs; ++j) threads.emplace_back(worker);
  worker();
  return results;
}

std::optional<std::string> write_sessions_json(const std::string& path, const std::vector<abr::Trace>& traces,
                                               const std::vector<std::string>& algorithms,
                                               const std::vector<std::vector<lab::LabSessionResult>>& sessions) {
  nlohmann::json out = nlohmann::json::array();
  for (std::size_t a = 0; a < sessions.size(); ++a) {
    for (std::size_t t = 0; t < sessions[a].size(); ++t) {
      const lab::LabSessionResult& r = sessions[a][t];
      const engine::SessionFigures& f = r.figures;
      nlohmann::json reps = nlohmann::json::array();
      for (const auto& s : f.video_segments) reps.push_back(s.representation_id);
      out.push_back(
          {{"trace", traces[t].name},
           {"algorithm", algorithms[a]},
           {"failed", r.failed},
           {"error", r.error},
           {"startup_s", f.startup_s ? nlohmann::json(*f.startup_s) : nlohmann::json()},
           {"startup_bound_s", r.startup_lower_bound_s ? nlohmann::json(*r.startup_lower_bound_s) : nlohmann::json()},
           {"stalls", f.stalls},
           {"stall_s", f.stall_s},
           {"played_s", f.played_s},
           {"bitrate_kbps", f.bitrate.kbps()},
           {"switches", f.switches},
           {"qoe_lin", f.qoe_lin},
           {"virtual_s", std::chrono::duration<double>(r.virtual_time).count()},
           {"requests", r.link.requests},
           {"body_bytes", r.link.body_bytes},
           {"video_representations", reps}});
    }
  }
  std::ofstream file(path);
  file << out.dump(1) << "\n";
  if (!file) return "cannot write " + path;
  return std::nullopt;
}

}  // namespace abrplay::sim
