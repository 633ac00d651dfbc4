// fleet_output.h: the fleet figures as JSON (for machines), and as an HTML page with PNG charts
// (gnuplot) for people. Every string from telemetry is escaped where it is drawn.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "abrplay/core/expected.h"
#include "fleet_stats.h"

namespace abrplay::fleet {

struct FleetReport {
  std::string source;  // SqlSource::describe()
  Period period = Period::kHour;
  std::vector<Dimension> dimensions;
  FleetStats stats;
  std::optional<Comparison> comparison;
  double seconds = 0;  // time taken to read and compute
};

nlohmann::json to_json(const FleetReport& report);

// Writes PREFIX.html and its charts PREFIX-<name>.png beside it; returns the files written, or why
// the page could not be written. A chart gnuplot cannot draw is named in `warnings` and in the page
// instead of failing the report.
struct WrittenFiles {
  std::vector<std::string> files;
  std::vector<std::string> warnings;
};
Expected<WrittenFiles, std::string> write_fleet_html(const FleetReport& report, const std::string& prefix);

}  // namespace abrplay::fleet
