// demo/sim/report.h: summaries of a run: the console table, --json, --csv and the gnuplot CDF.
#pragma once

#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "abrplay/abr/trace/trace.h"
#include "sim_runner.h"

namespace abrplay::sim {

struct Summary {
  std::string name;
  double mean = 0, median = 0, p10 = 0;
  double bitrate_kbps = 0, rebuffer_s = 0, smoothness = 0, switches = 0, startup_s = 0;
  std::optional<double> vs_optimal;  // mean QoE / the optimum's mean QoE, when "optimal" ran
  // Engine mode: startup over the network's lower bound for it, mean and largest over the sessions.
  std::optional<double> startup_vs_bound, startup_vs_bound_max;
  std::size_t failed = 0;  // engine mode: sessions that could not play
};

// Percentile p (0..1) of values, linear interpolation between order statistics (numpy's default).
double percentile(std::vector<double> values, double p);

std::vector<Summary> summarize(const std::vector<AlgorithmResult>& results);

// `scored`: how the per-trace QoE is made (Pensieve mode: a sum over segments 1..N-1).
void print_table(std::ostream& out, const std::vector<Summary>& rows, std::size_t traces, std::string_view metric,
                 std::string_view scored = "sum over segments 1..N-1");

// Each returns an error message, or nullopt on success.
std::optional<std::string> write_json(const std::string& path, const std::vector<Summary>& rows, std::size_t traces);
std::optional<std::string> write_csv(const std::string& path, const std::vector<AlgorithmResult>& results,
                                     const std::vector<abr::Trace>& traces);
// Draws the per-trace QoE CDF of each algorithm with gnuplot (found on PATH) into a PNG.
std::optional<std::string> plot_cdf(const std::string& png_path, const std::vector<AlgorithmResult>& results,
                                    std::string_view metric);

}  // namespace abrplay::sim
