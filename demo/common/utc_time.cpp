#include "utc_time.h"

#include <cmath>
#include <ctime>

namespace abrplay::demo {

namespace {

std::tm utc_tm(double unix_s) {
  const std::time_t t = static_cast<std::time_t>(std::floor(unix_s));
  std::tm tm{};
  gmtime_r(&t, &tm);
  return tm;
}

}  // namespace

std::string utc_day(double unix_s) {
  const std::tm tm = utc_tm(unix_s);
  char buf[32];
  return std::string(buf, std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm));
}

std::string utc_text(double unix_s) {
  const std::tm tm = utc_tm(unix_s);
  char buf[32];
  return std::string(buf, std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm));
}

}  // namespace abrplay::demo
