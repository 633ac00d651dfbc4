// Fleet figures (fleet_stats.h). Every ratio is a ratio of sums over the group (a fleet's rebuffer
// ratio is its stalled time over its watched time, not a mean of per-session ratios), except
// QoE_lin, a mean per session, and the startup percentiles.
#include "fleet_stats.h"

#include <algorithm>
#include <cmath>

namespace abrplay::fleet {
namespace {

constexpr double kZ975 = 1.959963984540054;

bool started(const SessionRecord& s) { return s.final_report && s.final_report->startup_s.has_value(); }

struct Moments {
  long long n = 0;
  double mean = 0, var = 0;  // sample variance (n - 1)
};

Moments moments(const std::vector<double>& v) {
  Moments m;
  m.n = static_cast<long long>(v.size());
  if (v.empty()) return m;
  double sum = 0;
  for (double x : v) sum += x;
  m.mean = sum / static_cast<double>(v.size());
  if (v.size() > 1) {
    double ss = 0;
    for (double x : v) ss += (x - m.mean) * (x - m.mean);
    m.var = ss / static_cast<double>(v.size() - 1);
  }
  return m;
}

Difference welch(std::string metric, const std::vector<double>& a, const std::vector<double>& b) {
  Difference d;
  d.metric = std::move(metric);
  const Moments ma = moments(a), mb = moments(b);
  d.n_a = ma.n;
  d.n_b = mb.n;
  if (ma.n > 0) d.mean_a = ma.mean;
  if (mb.n > 0) d.mean_b = mb.mean;
  if (ma.n > 0 && mb.n > 0) d.diff = mb.mean - ma.mean;
  if (ma.n < 2 || mb.n < 2) return d;
  const double va = ma.var / static_cast<double>(ma.n), vb = mb.var / static_cast<double>(mb.n);
  const double se = std::sqrt(va + vb);
  double t = kZ975;
  if (se > 0) {
    const double df = (va + vb) * (va + vb) /
                      (va * va / static_cast<double>(ma.n - 1) + vb * vb / static_cast<double>(mb.n - 1));
    t = t975(df);
  }
  d.low = *d.diff - t * se;
  d.high = *d.diff + t * se;
  return d;
}

Difference proportion(std::string metric, long long hits_a, long long n_a, long long hits_b, long long n_b) {
  Difference d;
  d.metric = std::move(metric);
  d.n_a = n_a;
  d.n_b = n_b;
  if (n_a > 0) d.mean_a = static_cast<double>(hits_a) / static_cast<double>(n_a);
  if (n_b > 0) d.mean_b = static_cast<double>(hits_b) / static_cast<double>(n_b);
  if (n_a == 0 || n_b == 0) return d;
  d.diff = *d.mean_b - *d.mean_a;
  if (n_a < 2 || n_b < 2) return d;
  const double se = std::sqrt(*d.mean_a * (1 - *d.mean_a) / static_cast<double>(n_a) +
                              *d.mean_b * (1 - *d.mean_b) / static_cast<double>(n_b));
  d.low = *d.diff - kZ975 * se;
  d.high = *d.diff + kZ975 * se;
  return d;
}

}  // namespace

double t975(double df) {
  if (!(df > 0) || std::isinf(df)) return kZ975;
  const double z = kZ975, z2 = z * z, z3 = z2 * z, z5 = z3 * z2, z7 = z5 * z2, z9 = z7 * z2;
  const double g1 = (z3 + z) / 4, g2 = (5 * z5 + 16 * z3 + 3 * z) / 96,
               g3 = (3 * z7 + 19 * z5 + 17 * z3 - 15 * z) / 384,
               g4 = (79 * z9 + 776 * z7 + 1482 * z5 - 1920 * z3 - 945 * z) / 92160;
  const double d = std::max(df, 1.0);
  return z + g1 / d + g2 / (d * d) + g3 / (d * d * d) + g4 / (d * d * d * d);
}

std::optional<double> percentile(std::vector<double> values, double q) {
  if (values.empty()) return std::nullopt;
  std::sort(values.begin(), values.end());
  const double pos = static_cast<double>(values.size() - 1) * std::clamp(q, 0.0, 1.0);
  const auto lo = static_cast<std::size_t>(std::floor(pos));
  const std::size_t hi = std::min(lo + 1, values.size() - 1);
  return values[lo] + (values[hi] - values[lo]) * (pos - static_cast<double>(lo));
}

GroupStats summarize(const std::vector<const SessionRecord*>& sessions) {
  GroupStats g;
  std::vector<double> startups;
  double weighted_bitrate = 0, qoe_sum = 0;
  long long qoe_n = 0;
  for (const SessionRecord* s : sessions) {
    ++g.sessions;
    for (const ErrorCount& e : s->errors) {
      ErrorCount& sum = g.errors[e.code];
      sum.code = e.code;
      if (sum.name.empty()) sum.name = e.name;
      sum.count += e.count;
    }
    if (!s->final_report) continue;
    const SessionRecord::Final& f = *s->final_report;
    ++g.ended;
    if (!f.startup_s) {
      ++g.join_failures;
      continue;
    }
    startups.push_back(*f.startup_s);
    g.played_s += f.played_s;
    g.rebuffer_s += f.rebuffer_s;
    g.stalls += f.rebuffer_count;
    g.switches += f.switch_count;
    weighted_bitrate += f.average_bitrate_kbps * f.played_s;
    qoe_sum += f.qoe_lin;
    ++qoe_n;
  }
  g.startup_s.n = static_cast<long long>(startups.size());
  g.startup_s.p50 = percentile(startups, 0.50);
  g.startup_s.p95 = percentile(startups, 0.95);
  g.startup_s.p99 = percentile(startups, 0.99);
  if (g.played_s + g.rebuffer_s > 0) g.rebuffer_ratio = g.rebuffer_s / (g.played_s + g.rebuffer_s);
  if (g.played_s > 0) {
    const double minutes = g.played_s / 60.0;
    g.stalls_per_minute = static_cast<double>(g.stalls) / minutes;
    g.switches_per_minute = static_cast<double>(g.switches) / minutes;
    g.average_bitrate_kbps = weighted_bitrate / g.played_s;
  }
  if (qoe_n > 0) g.qoe_lin_mean = qoe_sum / static_cast<double>(qoe_n);
  return g;
}

std::optional<Period> period_from_string(const std::string& name) {
  if (name == "hour") return Period::kHour;
  if (name == "day") return Period::kDay;
  if (name == "all") return Period::kAll;
  return std::nullopt;
}

double period_start(Period p, double t) {
  switch (p) {
    case Period::kHour: return std::floor(t / 3600.0) * 3600.0;
    case Period::kDay: return std::floor(t / 86400.0) * 86400.0;
    case Period::kAll: return 0;
  }
  return 0;
}

FleetStats compute(const std::vector<SessionRecord>& sessions, Period period, const std::vector<Dimension>& dims) {
  FleetStats out;
  std::vector<const SessionRecord*> all;
  std::map<double, std::vector<const SessionRecord*>> periods;
  for (const SessionRecord& s : sessions) {
    all.push_back(&s);
    periods[period_start(period, s.started_s)].push_back(&s);
  }
  out.overall = summarize(all);
  for (const auto& [start, members] : periods) out.by_period.push_back({start, "", summarize(members)});
  for (Dimension d : dims) {
    std::map<std::string, std::vector<const SessionRecord*>> whole;
    for (const SessionRecord* s : all) whole[s->value(d)].push_back(s);
    for (const auto& [value, group] : whole) out.totals[d].push_back({0, value, summarize(group)});
    std::vector<Cell>& cells = out.by_dimension[d];
    for (const auto& [start, members] : periods) {
      std::map<std::string, std::vector<const SessionRecord*>> by_value;
      for (const SessionRecord* s : members) by_value[s->value(d)].push_back(s);
      for (const auto& [value, group] : by_value) cells.push_back({start, value, summarize(group)});
    }
  }
  return out;
}

Comparison compare(const std::vector<SessionRecord>& sessions, Dimension d, const std::string& a,
                   const std::string& b) {
  Comparison c{d, a, b, {}};
  struct Side {
    std::vector<double> qoe, startup, bitrate, rebuffer;
    long long ended = 0, failed = 0;
  } sa, sb;
  for (const SessionRecord& s : sessions) {
    Side* side = s.value(d) == a ? &sa : s.value(d) == b ? &sb : nullptr;
    if (!side || !s.final_report) continue;
    ++side->ended;
    if (!started(s)) {
      ++side->failed;
      continue;
    }
    const SessionRecord::Final& f = *s.final_report;
    side->qoe.push_back(f.qoe_lin);
    side->startup.push_back(*f.startup_s);
    if (f.played_s > 0) side->bitrate.push_back(f.average_bitrate_kbps);
    if (f.played_s + f.rebuffer_s > 0) side->rebuffer.push_back(f.rebuffer_s / (f.played_s + f.rebuffer_s));
  }
  c.metrics.push_back(welch("qoe_lin", sa.qoe, sb.qoe));
  c.metrics.push_back(welch("startup_s", sa.startup, sb.startup));
  c.metrics.push_back(welch("average_bitrate_kbps", sa.bitrate, sb.bitrate));
  c.metrics.push_back(welch("rebuffer_ratio", sa.rebuffer, sb.rebuffer));
  c.metrics.push_back(proportion("join_failure_rate", sa.failed, sa.ended, sb.failed, sb.ended));
  return c;
}

}  // namespace abrplay::fleet
