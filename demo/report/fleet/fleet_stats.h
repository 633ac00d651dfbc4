// fleet_stats.h: the operator's figures over a set of sessions (pure; docs/telemetry.md, "Fleet
// analytics", defines each one), per period and per dimension value, and an A/B comparison with
// confidence intervals.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "fleet_data.h"

namespace abrplay::fleet {

struct Percentiles {
  long long n = 0;  // sessions with a startup time
  std::optional<double> p50, p95, p99;
};

struct GroupStats {
  long long sessions = 0;
  long long ended = 0;          // with a final report
  long long join_failures = 0;  // ended without ever showing a first frame
  Percentiles startup_s;        // of the sessions that started
  double played_s = 0, rebuffer_s = 0;
  long long stalls = 0, switches = 0;
  std::optional<double> rebuffer_ratio;        // rebuffer_s / (played_s + rebuffer_s)
  std::optional<double> stalls_per_minute;     // stalls per minute played
  std::optional<double> average_bitrate_kbps;  // weighted by time played
  std::optional<double> switches_per_minute;   // per minute played
  std::optional<double> qoe_lin_mean;          // mean over ended sessions that started
  std::map<int, ErrorCount> errors;            // by code: heartbeats' errors summed
};

// The linear-interpolation percentile (numpy's default, Python's statistics 'inclusive'):
// position (n-1)*q in the sorted values. nullopt for no values. q in [0, 1].
std::optional<double> percentile(std::vector<double> values, double q);

GroupStats summarize(const std::vector<const SessionRecord*>& sessions);

enum class Period { kHour, kDay, kAll };
std::optional<Period> period_from_string(const std::string& name);  // "hour", "day", "all"
// The start (Unix seconds, UTC) of the period holding `t`; 0 for kAll.
double period_start(Period p, double t);

struct Cell {
  double period_start_s = 0;
  std::string value;  // the dimension's value ("" = not reported)
  GroupStats stats;
};

struct FleetStats {
  GroupStats overall;
  std::vector<Cell> by_period;                          // every session of each period
  std::map<Dimension, std::vector<Cell>> by_dimension;  // per period and value, periods ascending
  std::map<Dimension, std::vector<Cell>> totals;        // per value over the whole range (period 0)
};

FleetStats compute(const std::vector<SessionRecord>& sessions, Period period, const std::vector<Dimension>& dims);

// One metric of an A/B comparison: B - A, with a 95 % confidence interval. Per-session means use
// Welch's t interval (unequal variances, Welch-Satterthwaite degrees of freedom); proportions
// (join failures, sessions that stalled) the normal approximation. nullopt bounds when a group has
// fewer than 2 sessions with the metric.
struct Difference {
  std::string metric;
  long long n_a = 0, n_b = 0;
  std::optional<double> mean_a, mean_b, diff, low, high;
  bool significant() const { return low && high && (*low > 0 || *high < 0); }
};

struct Comparison {
  Dimension dimension;
  std::string a, b;
  std::vector<Difference> metrics;
};

Comparison compare(const std::vector<SessionRecord>& sessions, Dimension d, const std::string& a, const std::string& b);

// Student's t quantile for the two-sided 95 % interval (0.975), by the Cornish-Fisher expansion
// (within 0.2 % of the table for df >= 3; exact enough for the reports' purpose).
double t975(double df);

}  // namespace abrplay::fleet
