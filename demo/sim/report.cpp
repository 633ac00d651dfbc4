#include "report.h"

#include "gnuplot.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <nlohmann/json.hpp>
#include <numeric>
#include <ostream>
#include <sstream>

namespace abrplay::sim {

double percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const double rank = p * static_cast<double>(values.size() - 1);
  const auto lo = static_cast<std::size_t>(std::floor(rank));
  const std::size_t hi = std::min(lo + 1, values.size() - 1);
  return values[lo] + (rank - static_cast<double>(lo)) * (values[hi] - values[lo]);
}

namespace {
template <typename F>
double mean_of(const std::vector<abr::QoeSummary>& v, F field) {
  if (v.empty()) return 0;
  double sum = 0;
  for (const abr::QoeSummary& s : v) sum += field(s);
  return sum / static_cast<double>(v.size());
}
}  // namespace

std::vector<Summary> summarize(const std::vector<AlgorithmResult>& results) {
  std::vector<Summary> rows;
  std::optional<double> optimal_mean;
  for (const AlgorithmResult& r : results) {
    Summary s;
    s.name = r.name;
    std::vector<double> qoe;
    for (const abr::QoeSummary& q : r.per_trace) qoe.push_back(q.qoe);
    s.mean = mean_of(r.per_trace, [](const abr::QoeSummary& q) { return q.qoe; });
    s.median = percentile(qoe, 0.5);
    s.p10 = percentile(qoe, 0.1);
    s.bitrate_kbps = mean_of(r.per_trace, [](const abr::QoeSummary& q) { return q.mean_bitrate.kbps(); });
    s.rebuffer_s = mean_of(r.per_trace, [](const abr::QoeSummary& q) { return q.rebuffer_s; });
    s.smoothness = mean_of(r.per_trace, [](const abr::QoeSummary& q) { return q.smoothness; });
    s.switches = mean_of(r.per_trace, [](const abr::QoeSummary& q) { return static_cast<double>(q.switches); });
    s.startup_s = mean_of(r.per_trace, [](const abr::QoeSummary& q) { return q.startup_s; });
    for (const std::string& e : r.errors) s.failed += e.empty() ? 0 : 1;
    std::vector<double> vs_bound;
    for (const abr::QoeSummary& q : r.per_trace) {
      if (q.startup_bound_s > 0 && q.startup_s > 0) vs_bound.push_back(q.startup_s / q.startup_bound_s);
    }
    if (!vs_bound.empty()) {
      double sum = 0;
      for (double v : vs_bound) sum += v;
      s.startup_vs_bound = sum / static_cast<double>(vs_bound.size());
      s.startup_vs_bound_max = *std::max_element(vs_bound.begin(), vs_bound.end());
    }
    if (r.name == "optimal") optimal_mean = s.mean;
    rows.push_back(s);
  }
  if (optimal_mean && *optimal_mean != 0) {
    for (Summary& s : rows) s.vs_optimal = s.mean / *optimal_mean;
  }
  return rows;
}

void print_table(std::ostream& out, const std::vector<Summary>& rows, std::size_t traces, std::string_view metric,
                 std::string_view scored) {
  out << traces << " traces, QoE_" << metric << " per trace (" << scored << ")\n";
  out << std::left << std::setw(12) << "algorithm" << std::right << std::setw(9) << "mean" << std::setw(9) << "median"
      << std::setw(9) << "p10" << std::setw(11) << "bitrate" << std::setw(10) << "rebuf_s" << std::setw(9) << "smooth"
      << std::setw(9) << "switches" << std::setw(10) << "startup_s" << std::setw(9) << "vs_opt"
      << "\n";
  out << std::fixed;
  for (const Summary& s : rows) {
    out << std::left << std::setw(12) << s.name << std::right << std::setprecision(2) << std::setw(9) << s.mean
        << std::setw(9) << s.median << std::setw(9) << s.p10 << std::setprecision(0) << std::setw(11) << s.bitrate_kbps
        << std::setprecision(2) << std::setw(10) << s.rebuffer_s << std::setw(9) << s.smoothness << std::setprecision(1)
        << std::setw(9) << s.switches << std::setprecision(2) << std::setw(10) << s.startup_s << std::setprecision(3)
        << std::setw(9);
    if (s.vs_optimal) out << *s.vs_optimal;
    else out << "-";
    if (s.startup_vs_bound) out << "  startup " << std::setprecision(2) << *s.startup_vs_bound << "x bound";
    if (s.failed) out << "  (" << s.failed << " failed)";
    out << "\n";
  }
  out << std::defaultfloat;
}

std::optional<std::string> write_json(const std::string& path, const std::vector<Summary>& rows, std::size_t traces) {
  nlohmann::json doc;
  doc["traces"] = traces;
  doc["algorithms"] = nlohmann::json::object();
  for (const Summary& s : rows) {
    doc["algorithms"][s.name] = {{"mean", s.mean},
                                 {"median", s.median},
                                 {"p10", s.p10},
                                 {"bitrate", s.bitrate_kbps},
                                 {"rebuffer", s.rebuffer_s},
                                 {"smoothness", s.smoothness},
                                 {"switches", s.switches},
                                 {"startup", s.startup_s},
                                 {"vs_optimal", s.vs_optimal ? nlohmann::json(*s.vs_optimal) : nlohmann::json()},
                                 {"failed", s.failed}};
    if (s.startup_vs_bound) {
      doc["algorithms"][s.name]["startup_vs_bound"] = *s.startup_vs_bound;
      doc["algorithms"][s.name]["startup_vs_bound_max"] = *s.startup_vs_bound_max;
    }
  }
  std::ofstream out(path);
  out << doc.dump(2) << "\n";
  if (!out) return "cannot write " + path;
  return std::nullopt;
}

std::optional<std::string> write_csv(const std::string& path, const std::vector<AlgorithmResult>& results,
                                     const std::vector<abr::Trace>& traces) {
  std::ofstream out(path);
  out << "trace,algorithm,qoe,bitrate_kbps,rebuffer_s,rebuffer_ratio,smoothness,switches,startup_s,startup_bound_s,error\n";
  out << std::setprecision(10);
  for (const AlgorithmResult& r : results) {
    for (std::size_t t = 0; t < r.per_trace.size(); ++t) {
      const abr::QoeSummary& q = r.per_trace[t];
      // Trace names are file names; quote them so a comma cannot shift the columns.
      std::string name = traces[t].name;
      for (std::size_t i = 0; (i = name.find('"', i)) != std::string::npos; i += 2) name.insert(i, "\"");
      out << '"' << name << "\"," << r.name << ',' << q.qoe << ',' << q.mean_bitrate.kbps() << ',' << q.rebuffer_s
          << ',' << q.rebuffer_ratio << ',' << q.smoothness << ',' << q.switches << ',' << q.startup_s << ','
          << q.startup_bound_s << ',';
      std::string error = t < r.errors.size() ? r.errors[t] : "";
      for (std::size_t i = 0; (i = error.find('"', i)) != std::string::npos; i += 2) error.insert(i, "\"");
      out << (error.empty() ? "" : '"' + error + '"') << "\n";
    }
  }
  if (!out) return "cannot write " + path;
  return std::nullopt;
}

std::optional<std::string> plot_cdf(const std::string& png_path, const std::vector<AlgorithmResult>& results,
                                    std::string_view metric) {
  namespace fs = std::filesystem;
  using demo::gnuplot_quoted;
  demo::TempDir dir("sim-plot");
  if (!dir.ok()) return "cannot create a temporary directory for gnuplot";
  // The x range starts at the 3rd percentile of all QoE values: a few outage traces reach -1000 and
  // would squeeze every curve into a sliver.
  std::vector<double> all;
  for (const AlgorithmResult& r : results) {
    for (const abr::QoeSummary& q : r.per_trace) all.push_back(q.qoe);
  }
  std::ostringstream script;
  script << "set terminal png size 900,600 noenhanced\nset xrange [" << percentile(all, 0.03) << ":*]\n"
         << "set output " << gnuplot_quoted(fs::absolute(png_path).string()) << "\n"
         << "set xlabel " << gnuplot_quoted("QoE_" + std::string(metric) + " per trace") << "\nset ylabel \"CDF\"\n"
         << "set key top left\nset grid\nplot ";
  for (std::size_t a = 0; a < results.size(); ++a) {
    const fs::path data = dir.path() / ("algo" + std::to_string(a) + ".dat");
    std::vector<double> qoe;
    for (const abr::QoeSummary& q : results[a].per_trace) qoe.push_back(q.qoe);
    std::sort(qoe.begin(), qoe.end());
    std::ofstream dat(data);
    for (std::size_t i = 0; i < qoe.size(); ++i) {
      dat << qoe[i] << ' ' << static_cast<double>(i + 1) / static_cast<double>(qoe.size()) << "\n";
    }
    script << (a ? ", " : "") << gnuplot_quoted(data.string()) << " using 1:2 with steps lw 2 title "
           << gnuplot_quoted(results[a].name);
  }
  script << "\n";
  return demo::run_gnuplot(script.str(), dir);
}

}  // namespace abrplay::sim
