// The fleet report's JSON, HTML and charts (fleet_output.h).
#include "fleet_output.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "gnuplot.h"
#include "render.h"
#include "utc_time.h"

namespace abrplay::fleet {
namespace {

using Json = nlohmann::json;
using demo::utc_text;
using report::html_escape;

Json opt(const std::optional<double>& v) { return v ? Json(*v) : Json(); }

const char* period_name(Period p) {
  switch (p) {
    case Period::kHour: return "hour";
    case Period::kDay: return "day";
    case Period::kAll: return "all";
  }
  return "all";
}

Json group_json(const GroupStats& g) {
  Json errors = Json::array();
  for (const auto& [code, e] : g.errors) errors.push_back({{"code", code}, {"name", e.name}, {"count", e.count}});
  return {{"sessions", g.sessions},
          {"ended", g.ended},
          {"join_failures", g.join_failures},
          {"startup_s",
           {{"n", g.startup_s.n},
            {"p50", opt(g.startup_s.p50)},
            {"p95", opt(g.startup_s.p95)},
            {"p99", opt(g.startup_s.p99)}}},
          {"played_s", g.played_s},
          {"rebuffer_s", g.rebuffer_s},
          {"rebuffer_ratio", opt(g.rebuffer_ratio)},
          {"stalls", g.stalls},
          {"stalls_per_minute", opt(g.stalls_per_minute)},
          {"average_bitrate_kbps", opt(g.average_bitrate_kbps)},
          {"switches", g.switches},
          {"switches_per_minute", opt(g.switches_per_minute)},
          {"qoe_lin_mean", opt(g.qoe_lin_mean)},
          {"errors", errors}};
}

// A figure for a table cell: fixed decimals, "–" when absent.
std::string fmt(const std::optional<double>& v, int decimals) {
  if (!v) return "&ndash;";
  std::ostringstream s;
  s.setf(std::ios::fixed);
  s.precision(decimals);
  s << *v;
  return s.str();
}
std::string pct(const std::optional<double>& v) { return v ? fmt(*v * 100.0, 2) + " %" : fmt(v, 0); }

constexpr const char* kStatsHeader =
    "<th>sessions</th><th>join failures</th><th>startup p50 / p95 / p99 (s)</th><th>rebuffer ratio</th>"
    "<th>stalls / min</th><th>avg bitrate (kbit/s)</th><th>switches / min</th><th>QoE_lin mean</th>"
    "<th>errors</th>";

std::string stats_cells(const GroupStats& g) {
  long long errors = 0;
  for (const auto& [code, e] : g.errors) errors += e.count;
  std::ostringstream s;
  s << "<td>" << g.sessions << "</td><td>" << g.join_failures << "</td><td>" << fmt(g.startup_s.p50, 3) << " / "
    << fmt(g.startup_s.p95, 3) << " / " << fmt(g.startup_s.p99, 3) << "</td><td>" << pct(g.rebuffer_ratio)
    << "</td><td>" << fmt(g.stalls_per_minute, 3) << "</td><td>" << fmt(g.average_bitrate_kbps, 0) << "</td><td>"
    << fmt(g.switches_per_minute, 3) << "</td><td>" << fmt(g.qoe_lin_mean, 2) << "</td><td>" << errors << "</td>";
  return s.str();
}

std::string value_label(const std::string& v) { return v.empty() ? "(not reported)" : v; }

// Bars of two figures per value of a dimension (the whole range): rebuffer ratio and QoE_lin.
std::optional<std::string> dimension_chart(Dimension d, const std::vector<Cell>& cells, const std::string& png) {
  demo::TempDir dir("fleet");
  if (!dir.ok()) return "cannot create a temporary directory for gnuplot";
  const auto data = dir.path() / "bars.dat";
  {
    std::ofstream out(data);
    for (std::size_t i = 0; i < cells.size(); ++i) {
      const GroupStats& g = cells[i].stats;
      out << i << ' ' << (g.rebuffer_ratio ? *g.rebuffer_ratio * 100.0 : 0.0) << ' ' << g.qoe_lin_mean.value_or(0)
          << "\n";
    }
  }
  // Labels go in the script as gnuplot string literals (escaped), never through the data file.
  std::ostringstream tics;
  tics << "set xtics rotate by -30 (";
  for (std::size_t i = 0; i < cells.size(); ++i)
    tics << (i ? ", " : "") << demo::gnuplot_quoted(value_label(cells[i].value)) << " " << i;
  tics << ")\n";
  // QoE_lin may be negative: the axis always holds 0, where the bars start.
  double qoe_low = 0, qoe_high = 0;
  for (const Cell& c : cells) {
    qoe_low = std::min(qoe_low, c.stats.qoe_lin_mean.value_or(0));
    qoe_high = std::max(qoe_high, c.stats.qoe_lin_mean.value_or(0));
  }
  const double pad = std::max(1e-6, (qoe_high - qoe_low) * 0.08);
  const std::string file = demo::gnuplot_quoted(data.string());
  std::ostringstream gp;
  gp << "set terminal png size 900,600 noenhanced\nset output "
     << demo::gnuplot_quoted(std::filesystem::absolute(png).string()) << "\nset multiplot layout 2,1 title "
     << demo::gnuplot_quoted(std::string("by ") + to_string(d))
     << "\nset grid ytics\nset lmargin 12\nset style fill solid 0.7\n"
     << "set boxwidth 0.6\nset xrange [-0.7:" << cells.size() - 0.3 << "]\n"
     << tics.str() << "set yrange [0:*]\nset ylabel \"rebuffer ratio (%)\"\nplot " << file
     << " using 1:2 with boxes lc rgb \"#d9534f\" notitle\nset yrange [" << (qoe_low < 0 ? qoe_low - pad : 0) << ":"
     << qoe_high + pad << "]\nset ylabel \"QoE_lin mean\"\nplot " << file
     << " using 1:3 with boxes lc rgb \"#337ab7\" notitle\nunset multiplot\n";
  return demo::run_gnuplot(gp.str(), dir);
}

// Figures over time, one point per period: sessions, startup p50/p95, rebuffer ratio, bitrate.
std::optional<std::string> time_chart(const std::vector<Cell>& periods, const std::string& png) {
  demo::TempDir dir("fleet");
  if (!dir.ok()) return "cannot create a temporary directory for gnuplot";
  const auto data = dir.path() / "time.dat";
  {
    std::ofstream out(data);
    auto f = [](const std::optional<double>& v) { return v ? std::to_string(*v) : std::string("NaN"); };
    for (const Cell& c : periods) {
      const GroupStats& g = c.stats;
      out << static_cast<long long>(c.period_start_s) << ' ' << g.sessions << ' ' << f(g.startup_s.p50) << ' '
          << f(g.startup_s.p95) << ' '
          << f(g.rebuffer_ratio ? std::optional<double>(*g.rebuffer_ratio * 100.0) : std::nullopt) << ' '
          << f(g.average_bitrate_kbps) << "\n";
    }
  }
  const std::string file = demo::gnuplot_quoted(data.string());
  std::ostringstream gp;
  gp << "set terminal png size 1000,700 noenhanced\nset output "
     << demo::gnuplot_quoted(std::filesystem::absolute(png).string())
     << "\nset multiplot layout 2,2 title \"per period (UTC)\"\nset grid\nset xdata time\nset timefmt \"%s\"\n"
     << "set format x \"%m-%d %H:%M\"\nset xtics rotate by -35\nset key top left\nset yrange [0:*]\n"
     << "set title \"sessions\"\nplot " << file << " using 1:2 with linespoints notitle\n"
     << "set title \"startup (s)\"\nplot " << file << " using 1:3 with linespoints title \"p50\", " << file
     << " using 1:4 with linespoints title \"p95\"\n"
     << "set title \"rebuffer ratio (%)\"\nplot " << file << " using 1:5 with linespoints notitle\n"
     << "set title \"average bitrate (kbit/s)\"\nplot " << file << " using 1:6 with linespoints notitle\n"
     << "unset multiplot\n";
  return demo::run_gnuplot(gp.str(), dir);
}

// The A/B differences (B - A) with their 95 % intervals, one panel per metric.
std::optional<std::string> comparison_chart(const Comparison& c, const std::string& png) {
  demo::TempDir dir("fleet");
  if (!dir.ok()) return "cannot create a temporary directory for gnuplot";
  std::ostringstream gp;
  gp << "set terminal png size 1100,330 noenhanced\nset output "
     << demo::gnuplot_quoted(std::filesystem::absolute(png).string()) << "\nset multiplot layout 1," << c.metrics.size()
     << " title "
     << demo::gnuplot_quoted(std::string(to_string(c.dimension)) + ": " + value_label(c.b) + " minus " +
                             value_label(c.a) + ", 95 % confidence interval")
     << "\nset grid ytics\nset xrange [-1:1]\nunset xtics\nset xzeroaxis lw 2\n";
  for (std::size_t i = 0; i < c.metrics.size(); ++i) {
    const Difference& d = c.metrics[i];
    const auto data = dir.path() / ("m" + std::to_string(i) + ".dat");
    {
      std::ofstream out(data);
      if (d.diff) out << "0 " << *d.diff << ' ' << d.low.value_or(*d.diff) << ' ' << d.high.value_or(*d.diff) << "\n";
      else out << "0 NaN NaN NaN\n";
    }
    gp << "set title " << demo::gnuplot_quoted(d.metric) << "\nplot " << demo::gnuplot_quoted(data.string())
       << " using 1:2:3:4 with yerrorbars pt 7 lw 2 notitle\n";
  }
  gp << "unset multiplot\n";
  return demo::run_gnuplot(gp.str(), dir);
}

}  // namespace

Json to_json(const FleetReport& r) {
  Json periods = Json::array();
  for (const Cell& c : r.stats.by_period)
    periods.push_back({{"start", r.period == Period::kAll ? Json() : Json(utc_text(c.period_start_s))},
                       {"stats", group_json(c.stats)}});
  Json dims = Json::object();
  for (Dimension d : r.dimensions) {
    Json total = Json::array(), by_period = Json::array();
    if (auto it = r.stats.totals.find(d); it != r.stats.totals.end())
      for (const Cell& c : it->second) total.push_back({{"value", c.value}, {"stats", group_json(c.stats)}});
    if (auto it = r.stats.by_dimension.find(d); it != r.stats.by_dimension.end())
      for (const Cell& c : it->second)
        by_period.push_back({{"start", r.period == Period::kAll ? Json() : Json(utc_text(c.period_start_s))},
                             {"value", c.value},
                             {"stats", group_json(c.stats)}});
    dims[to_string(d)] = {{"total", total}, {"by_period", by_period}};
  }
  Json out = {{"source", r.source},   {"period", period_name(r.period)},
              {"seconds", r.seconds}, {"overall", group_json(r.stats.overall)},
              {"periods", periods},   {"dimensions", dims}};
  if (r.comparison) {
    const Comparison& c = *r.comparison;
    Json metrics = Json::array();
    for (const Difference& d : c.metrics)
      metrics.push_back({{"metric", d.metric},
                         {"n_a", d.n_a},
                         {"n_b", d.n_b},
                         {"mean_a", opt(d.mean_a)},
                         {"mean_b", opt(d.mean_b)},
                         {"diff", opt(d.diff)},
                         {"ci95_low", opt(d.low)},
                         {"ci95_high", opt(d.high)},
                         {"significant", d.significant()}});
    out["comparison"] = {{"dimension", to_string(c.dimension)}, {"a", c.a}, {"b", c.b}, {"metrics", metrics}};
  }
  return out;
}

Expected<WrittenFiles, std::string> write_fleet_html(const FleetReport& r, const std::string& prefix) {
  namespace fs = std::filesystem;
  WrittenFiles written;
  std::vector<std::pair<std::string, std::string>> charts;  // (png file name, caption)
  auto chart = [&](const std::string& suffix, const std::string& caption, const std::optional<std::string>& err) {
    const std::string png = prefix + "-" + suffix + ".png";
    if (err) {
      written.warnings.push_back(png + ": " + *err);
      return;
    }
    written.files.push_back(png);
    charts.emplace_back(fs::path(png).filename().string(), caption);
  };
  if (!r.stats.by_period.empty()) chart("time", "per period", time_chart(r.stats.by_period, prefix + "-time.png"));
  for (Dimension d : r.dimensions) {
    auto it = r.stats.totals.find(d);
    if (it == r.stats.totals.end() || it->second.empty()) continue;
    chart(to_string(d), std::string("by ") + to_string(d),
          dimension_chart(d, it->second, prefix + "-" + to_string(d) + ".png"));
  }
  if (r.comparison) chart("ab", "A/B comparison", comparison_chart(*r.comparison, prefix + "-ab.png"));

  const std::string html = prefix + ".html";
  std::ofstream out(html);
  out << "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>abrplay fleet: " << html_escape(r.source)
      << "</title>\n<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;margin-bottom:1em}"
         "td,th{border:1px solid #ccc;padding:2px 8px;text-align:right}td:first-child,th:first-child{text-align:left}"
         ".sig{font-weight:bold}</style></head><body>\n"
      << "<h1>abrplay fleet</h1>\n<p>Store: " << html_escape(r.source) << "; " << r.stats.overall.sessions
      << " sessions; period: " << period_name(r.period)
      << ". Definitions: docs/telemetry.md, &ldquo;Fleet analytics&rdquo;.</p>\n";
  out << "<h2>All sessions</h2>\n<table><tr><th></th>" << kStatsHeader << "</tr>\n<tr><td>all</td>"
      << stats_cells(r.stats.overall) << "</tr></table>\n";
  for (const auto& [png, caption] : charts)
    out << "<p><img src=\"" << html_escape(png) << "\" alt=\"" << html_escape(caption) << "\"></p>\n";
  for (const std::string& w : written.warnings) out << "<p>Chart not drawn: " << html_escape(w) << "</p>\n";
  if (r.comparison) {
    const Comparison& c = *r.comparison;
    out << "<h2>A/B: " << to_string(c.dimension) << " " << html_escape(value_label(c.a)) << " (A) against "
        << html_escape(value_label(c.b)) << " (B)</h2>\n<p>B &minus; A with a 95 % confidence interval (Welch's t for "
        << "means, the normal approximation for rates); bold where the interval excludes 0.</p>\n"
        << "<table><tr><th>metric</th><th>n A</th><th>n B</th><th>mean A</th><th>mean B</th><th>B &minus; A</th>"
        << "<th>95 % CI</th></tr>\n";
    for (const Difference& d : c.metrics) {
      out << "<tr" << (d.significant() ? " class=\"sig\"" : "") << "><td>" << html_escape(d.metric) << "</td><td>"
          << d.n_a << "</td><td>" << d.n_b << "</td><td>" << fmt(d.mean_a, 4) << "</td><td>" << fmt(d.mean_b, 4)
          << "</td><td>" << fmt(d.diff, 4) << "</td><td>[" << fmt(d.low, 4) << ", " << fmt(d.high, 4)
          << "]</td></tr>\n";
    }
    out << "</table>\n";
  }
  out << "<h2>Per period</h2>\n<table><tr><th>period start (UTC)</th>" << kStatsHeader << "</tr>\n";
  for (const Cell& c : r.stats.by_period)
    out << "<tr><td>" << (r.period == Period::kAll ? "all" : utc_text(c.period_start_s)) << "</td>"
        << stats_cells(c.stats) << "</tr>\n";
  out << "</table>\n";
  for (Dimension d : r.dimensions) {
    out << "<h2>By " << to_string(d) << "</h2>\n<table><tr><th>" << to_string(d) << "</th>" << kStatsHeader
        << "</tr>\n";
    if (auto it = r.stats.totals.find(d); it != r.stats.totals.end())
      for (const Cell& c : it->second)
        out << "<tr><td>" << html_escape(value_label(c.value)) << "</td>" << stats_cells(c.stats) << "</tr>\n";
    out << "</table>\n";
    if (r.period == Period::kAll) continue;
    out << "<details><summary>per period</summary><table><tr><th>period start (UTC)</th><th>" << to_string(d) << "</th>"
        << kStatsHeader << "</tr>\n";
    if (auto it = r.stats.by_dimension.find(d); it != r.stats.by_dimension.end())
      for (const Cell& c : it->second)
        out << "<tr><td>" << utc_text(c.period_start_s) << "</td><td>" << html_escape(value_label(c.value)) << "</td>"
            << stats_cells(c.stats) << "</tr>\n";
    out << "</table></details>\n";
  }
  // Which errors are rising: every code's count per period.
  std::set<int> codes;
  for (const Cell& c : r.stats.by_period)
    for (const auto& [code, e] : c.stats.errors) codes.insert(code);
  out << "<h2>Errors by code and period</h2>\n";
  if (codes.empty()) {
    out << "<p>No errors reported.</p>\n";
  } else {
    out << "<table><tr><th>period start (UTC)</th>";
    for (int code : codes) out << "<th>" << code << " " << html_escape(r.stats.overall.errors.at(code).name) << "</th>";
    out << "</tr>\n";
    for (const Cell& c : r.stats.by_period) {
      out << "<tr><td>" << (r.period == Period::kAll ? "all" : utc_text(c.period_start_s)) << "</td>";
      for (int code : codes) {
        auto it = c.stats.errors.find(code);
        out << "<td>" << (it == c.stats.errors.end() ? 0 : it->second.count) << "</td>";
      }
      out << "</tr>\n";
    }
    out << "</table>\n";
  }
  out << "<p>Computed in " << fmt(r.seconds, 3) << " s.</p>\n</body></html>\n";
  out.close();
  if (!out) return Unexpected{"cannot write " + html};
  written.files.insert(written.files.begin(), html);
  return written;
}

}  // namespace abrplay::fleet
