// abrplay-report --fleet (fleet_main.h).
#include "fleet_main.h"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <iostream>
#include <map>

#include "abrplay/player/manifest/time.h"
#include "fleet_output.h"
#include "sql_source.h"

namespace abrplay::fleet {
namespace {

Expected<std::optional<double>, std::string> bound(const std::string& text, const char* option) {
  if (text.empty()) return std::optional<double>();
  auto t = manifest::parse_xs_datetime(text);
  if (!t) return Unexpected{std::string(option) + " " + text + ": " + t.error()};
  return std::optional<double>(std::chrono::duration<double>(t->time_since_epoch()).count());
}

Expected<std::vector<Dimension>, std::string> dimensions(const std::string& list) {
  std::vector<Dimension> out;
  std::size_t start = 0;
  while (start <= list.size()) {
    const auto comma = std::min(list.find(',', start), list.size());
    const std::string name = list.substr(start, comma - start);
    start = comma + 1;
    if (name.empty()) continue;
    auto d = dimension_from_string(name);
    if (!d) return Unexpected{"--by: unknown dimension '" + name + "' (cdn, abr, title, device, version)"};
    if (std::find(out.begin(), out.end(), *d) == out.end()) out.push_back(*d);
  }
  return out;
}

// The two values of `d` with the most sessions (ties by name), for --compare without --a/--b.
std::pair<std::string, std::string> two_largest(const std::vector<SessionRecord>& sessions, Dimension d) {
  std::map<std::string, long long> counts;
  for (const SessionRecord& s : sessions) ++counts[s.value(d)];
  std::vector<std::pair<std::string, long long>> v(counts.begin(), counts.end());
  std::stable_sort(v.begin(), v.end(), [](const auto& x, const auto& y) { return x.second > y.second; });
  return {v.size() > 0 ? v[0].first : "", v.size() > 1 ? v[1].first : ""};
}

}  // namespace

void add_fleet_options(CLI::App& app, FleetOptions& o) {
  app.add_option("--fleet", o.store,
                 "fleet analytics over a collector's store: an SQLite file, or a ClickHouse URL "
                 "(http://host:port/database)");
  app.add_option("--period", o.period, "with --fleet: hour (default), day or all");
  app.add_option("--by", o.by, "with --fleet: dimensions (default cdn,abr,title,device,version)");
  app.add_option("--compare", o.compare, "with --fleet: a dimension whose two values to compare (A/B), e.g. abr");
  app.add_option("--a", o.a, "with --compare: group A's value (default: the value with the most sessions)");
  app.add_option("--b", o.b, "with --compare: group B's value (default: the second most)");
  app.add_option("--from", o.from, "with --fleet: only sessions started at or after this UTC time (ISO 8601)");
  app.add_option("--to", o.to, "with --fleet: only sessions started before this UTC time (ISO 8601)");
  app.add_option("--json", o.json,
                 "with --fleet: the figures as JSON to this file ('-': standard output; "
                 "default PREFIX.json)");
}

int run_fleet(const FleetOptions& o, const std::string& prefix, std::ostream& out, std::ostream& err) {
  const auto period = period_from_string(o.period);
  if (!period) {
    err << "abrplay-report: --period " << o.period << ": expected hour, day or all\n";
    return 2;
  }
  auto dims = dimensions(o.by);
  auto from = bound(o.from, "--from"), to = bound(o.to, "--to");
  for (const std::string* e :
       {dims ? nullptr : &dims.error(), from ? nullptr : &from.error(), to ? nullptr : &to.error()}) {
    if (e) {
      err << "abrplay-report: " << *e << "\n";
      return 2;
    }
  }
  std::optional<Dimension> compare_by;
  if (!o.compare.empty()) {
    compare_by = dimension_from_string(o.compare);
    if (!compare_by) {
      err << "abrplay-report: --compare " << o.compare << ": unknown dimension (cdn, abr, title, device, version)\n";
      return 2;
    }
  }
  const auto t0 = std::chrono::steady_clock::now();
  auto source = open_source(o.store);
  if (!source) {
    err << "abrplay-report: " << source.error() << "\n";
    return 1;
  }
  auto sessions = load_fleet(**source, *from, *to);
  if (!sessions) {
    err << "abrplay-report: " << sessions.error() << "\n";
    return 1;
  }
  FleetReport report;
  report.source = (*source)->describe();
  report.period = *period;
  report.dimensions = *dims;
  report.stats = compute(*sessions, *period, *dims);
  if (compare_by) {
    auto [a, b] = two_largest(*sessions, *compare_by);
    if (!o.a.empty()) a = o.a;
    if (!o.b.empty()) b = o.b;
    report.comparison = compare(*sessions, *compare_by, a, b);
  }
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  const std::string json_path = o.json.empty() ? prefix + ".json" : o.json;
  const std::string json_text = to_json(report).dump(2) + "\n";
  if (json_path == "-") {
    out << json_text;
  } else {
    std::ofstream f(json_path);
    f << json_text;
    f.close();
    if (!f) {
      err << "abrplay-report: cannot write " << json_path << "\n";
      return 1;
    }
  }
  auto written = write_fleet_html(report, prefix);
  if (!written) {
    err << "abrplay-report: " << written.error() << "\n";
    return 1;
  }
  for (const std::string& w : written->warnings) err << "abrplay-report: warning: " << w << "\n";
  std::ostream& info = json_path == "-" ? err : out;
  info << report.source << ": " << report.stats.overall.sessions << " sessions, read and computed in " << report.seconds
       << " s\n";
  if (json_path != "-") info << json_path << "\n";
  for (const std::string& f : written->files) info << f << "\n";
  return 0;
}

}  // namespace abrplay::fleet
