// utc_time.h: Unix times as UTC text, for the demo tools' tables, partitions and reports.
// Both take the whole second of `unix_s` (rounded down). Threading: plain functions (gmtime_r).
#pragma once

#include <string>

namespace abrplay::demo {

std::string utc_day(double unix_s);   // "2026-12-07"
std::string utc_text(double unix_s);  // "2026-12-07T01:00:00Z" (ISO 8601)

}  // namespace abrplay::demo
