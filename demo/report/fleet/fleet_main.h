// fleet_main.h: abrplay-report --fleet: options, and the run (read the store, compute, write JSON,
// HTML and charts).
#pragma once

#include <iosfwd>
#include <string>

namespace CLI {
class App;
}

namespace abrplay::fleet {

struct FleetOptions {
  std::string store;            // SQLite file or ClickHouse URL
  std::string period = "hour";  // hour | day | all
  std::string by = "cdn,abr,title,device,version";
  std::string compare;   // a dimension: compare two of its values
  std::string a, b;      // the values (default: its two values with the most sessions)
  std::string from, to;  // ISO 8601 UTC bounds on the session start
  std::string json;      // JSON output file ("-": standard output); default PREFIX.json
};

void add_fleet_options(CLI::App& app, FleetOptions& options);

// 0 on success, 1 when the store cannot be read or the output written, 2 for bad options.
int run_fleet(const FleetOptions& options, const std::string& prefix, std::ostream& out, std::ostream& err);

}  // namespace abrplay::fleet
