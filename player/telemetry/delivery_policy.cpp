#include "abrplay/player/telemetry/delivery_policy.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <nlohmann/json.hpp>

namespace abrplay::telemetry {
namespace {

// A run of exactly `width` digits at `at` (nullopt otherwise).
std::optional<int> digits(std::string_view s, std::size_t at, std::size_t width) {
  if (at + width > s.size()) return std::nullopt;
  int v = 0;
  for (std::size_t i = at; i < at + width; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return std::nullopt;
    v = v * 10 + (s[i] - '0');
  }
  return v;
}

// "Sun, 06 Nov 1994 08:49:37 GMT" (RFC 9110's IMF-fixdate), as a point in UTC.
std::optional<WallTime> parse_imf_fixdate(std::string_view s) {
  static constexpr std::array<std::string_view, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                               "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  if (s.size() != 29 || s[3] != ',' || s[4] != ' ' || s[7] != ' ' || s[11] != ' ' || s[16] != ' ' || s[19] != ':' ||
      s[22] != ':' || s.substr(25) != " GMT")
    return std::nullopt;
  const auto day = digits(s, 5, 2), year = digits(s, 12, 4), hh = digits(s, 17, 2), mm = digits(s, 20, 2),
             ss = digits(s, 23, 2);
  if (!day || !year || !hh || !mm || !ss || *hh > 23 || *mm > 59 || *ss > 60) return std::nullopt;
  unsigned month = 0;
  for (unsigned i = 0; i < kMonths.size(); ++i)
    if (s.substr(8, 3) == kMonths[i]) month = i + 1;
  if (month == 0) return std::nullopt;
  const std::chrono::year_month_day ymd{std::chrono::year{*year}, std::chrono::month{month},
                                        std::chrono::day{static_cast<unsigned>(*day)}};
  if (!ymd.ok()) return std::nullopt;
  const auto t = std::chrono::sys_days{ymd} + std::chrono::hours{*hh} + std::chrono::minutes{*mm} +
                 std::chrono::seconds{*ss};
  return std::chrono::time_point_cast<std::chrono::microseconds>(t);
}

bool retryable_status(int status) { return status >= 500 || status == 408 || status == 429; }

}  // namespace

std::optional<std::chrono::seconds> parse_retry_after(std::string_view value, WallTime now) {
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
  if (value.empty()) return std::nullopt;
  if (std::isdigit(static_cast<unsigned char>(value.front()))) {
    long long s = 0;
    const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), s);
    if (ec != std::errc{} || end != value.data() + value.size()) return std::nullopt;
    return std::chrono::seconds{s};
  }
  const auto at = parse_imf_fixdate(value);
  if (!at) return std::nullopt;
  if (*at <= now) return std::chrono::seconds{0};
  return std::chrono::ceil<std::chrono::seconds>(*at - now);
}

DeliveryVerdict classify_delivery(const net::Result& result, std::size_t payloads, WallTime now) {
  DeliveryVerdict v;
  if (result.ok()) {
    v.outcome = DeliveryOutcome::kDelivered;
    v.delivered = payloads;
    return v;
  }
  const net::NetError& err = *result.error;
  const int status = err.code == net::NetErrorCode::kHttpStatus ? err.http_status : 0;
  v.reason = err.describe();
  // The collector's reason ({"error": "..."}) and a 409's counts, when the answer is JSON.
  const auto& body = result.response.body;
  const nlohmann::json answer = nlohmann::json::parse(body.begin(), body.end(), nullptr, false);
  if (answer.is_object() && answer.contains("error") && answer["error"].is_string())
    v.reason += ": " + answer["error"].get<std::string>();

  switch (err.code) {
    case net::NetErrorCode::kHttpStatus: break;
    case net::NetErrorCode::kBadUrl:
    case net::NetErrorCode::kRedirect:
    case net::NetErrorCode::kFile:
      v.outcome = DeliveryOutcome::kRejected;  // the same request can never succeed
      v.rejected = payloads;
      return v;
    default: v.outcome = DeliveryOutcome::kRetry; return v;  // I/O, timeout, TLS, too large, cancelled
  }
  if (retryable_status(status)) {
    v.outcome = DeliveryOutcome::kRetry;
    if (const auto header = result.response.header("retry-after")) v.retry_after = parse_retry_after(*header, now);
    if (!v.retry_after) v.retry_after = err.retry_after;  // curl's reading, against the real clock
    return v;
  }
  v.outcome = DeliveryOutcome::kRejected;
  v.rejected = payloads;
  if (status == 409 && answer.is_object()) {
    const auto count = [&](const char* key) -> std::size_t {
      const auto it = answer.find(key);
      return it != answer.end() && it->is_number_unsigned() ? it->get<std::size_t>() : 0;
    };
    const std::size_t taken = std::min(payloads, count("stored") + count("duplicates"));
    v.delivered = taken;
    v.rejected = payloads - taken;
  }
  return v;
}

}  // namespace abrplay::telemetry
