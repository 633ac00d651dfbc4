// fleet_data.h: every session of a telemetry store, one record each, read with the four queries
// of docs/telemetry.md ("Fleet analytics") through an SqlSource (SQLite or ClickHouse alike).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "abrplay/core/expected.h"
#include "sql_source.h"

namespace abrplay::fleet {

// The dimensions a fleet is cut by, in the order reports list them.
enum class Dimension { kCdn, kAbr, kTitle, kDevice, kVersion };
inline constexpr Dimension kDimensions[] = {Dimension::kCdn, Dimension::kAbr, Dimension::kTitle, Dimension::kDevice,
                                            Dimension::kVersion};
const char* to_string(Dimension d);  // "cdn", "abr", "title", "device", "version"
std::optional<Dimension> dimension_from_string(const std::string& name);

struct ErrorCount {
  int code = 0;
  std::string name;
  long long count = 0;
};

struct SessionRecord {
  std::string id;
  double started_s = 0;                          // Unix seconds
  std::string title, device, abr, cdn, version;  // "" when the telemetry did not say
  long long payloads = 0;
  // From the final report; absent when it has not arrived (the session goes on, or was lost).
  struct Final {
    std::string end_reason;
    std::optional<double> startup_s;  // absent: no first frame was ever shown (a join failure)
    double played_s = 0, average_bitrate_kbps = 0, rebuffer_s = 0, qoe_lin = 0;
    long long rebuffer_count = 0, switch_count = 0, error_count = 0;
  };
  std::optional<Final> final_report;
  std::vector<ErrorCount> errors;  // every error the heartbeats reported, by code

  const std::string& value(Dimension d) const;
};

// Reads every session (or those started in [from_s, to_s) when given). Errors name the store, the
// query and the reason; a value that is not a number where one is expected is an error too.
Expected<std::vector<SessionRecord>, std::string> load_fleet(SqlSource& source, std::optional<double> from_s,
                                                             std::optional<double> to_s);

}  // namespace abrplay::fleet
