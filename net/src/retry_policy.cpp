#include "abrplay/net/retry_policy.h"

#include <algorithm>
#include <cmath>

namespace abrplay::net {

std::string_view to_string(RetryReason reason) {
  switch (reason) {
    case RetryReason::kRetry: return "retry";
    case RetryReason::kRetryAfterHonoured: return "retry_after";
    case RetryReason::kNotRetryable: return "not_retryable";
    case RetryReason::kAttemptsExhausted: return "attempts_exhausted";
    case RetryReason::kRetryAfterTooLong: return "retry_after_too_long";
    case RetryReason::kCannotResume: return "cannot_resume";
  }
  return "unknown";
}

bool RetryPolicy::is_retryable(NetErrorCode code, int http_status) {
  switch (code) {
    case NetErrorCode::kIo:
    case NetErrorCode::kTimeout: return true;
    case NetErrorCode::kHttpStatus: return http_status >= 500 || http_status == 408 || http_status == 429;
    case NetErrorCode::kTooLarge:
    case NetErrorCode::kCancelled:
    case NetErrorCode::kBadUrl:
    case NetErrorCode::kTls:
    case NetErrorCode::kRedirect:
    case NetErrorCode::kFile: return false;  // a missing local file does not appear by waiting
  }
  return false;
}

RetryDecision RetryPolicy::decide(const RetryInput& in) const {
  RetryDecision d;
  if (!is_retryable(in.code, in.http_status)) return d;  // kNotRetryable
  if (in.attempts_made >= params_.max_attempts) {
    d.reason = RetryReason::kAttemptsExhausted;
    return d;
  }
  if (in.retry_after && *in.retry_after > params_.max_retry_after) {
    d.reason = RetryReason::kRetryAfterTooLong;
    return d;
  }
  const bool can_resume = in.bytes_received > 0 && in.accepts_ranges;
  if (in.bytes_already_delivered && in.bytes_received > 0 && !can_resume) {
    d.reason = RetryReason::kCannotResume;
    return d;
  }
  const double exponent = static_cast<double>(std::max(0, in.attempts_made - 1));
  const double backoff_ms = std::min(static_cast<double>(params_.max_delay.count()),
                                     static_cast<double>(params_.base_delay.count()) *
                                         std::pow(params_.multiplier, exponent));
  const double unit = std::clamp(in.random_unit, 0.0, 1.0);
  const double jittered_ms = backoff_ms * (1.0 - std::clamp(params_.jitter, 0.0, 1.0) * unit);
  d.retry = true;
  d.reason = RetryReason::kRetry;
  d.delay = std::chrono::milliseconds(static_cast<std::int64_t>(std::llround(jittered_ms)));
  if (in.retry_after && *in.retry_after > d.delay) {
    d.delay = std::chrono::duration_cast<std::chrono::milliseconds>(*in.retry_after);
    d.reason = RetryReason::kRetryAfterHonoured;
  }
  d.resume_from = can_resume ? in.bytes_received : 0;
  return d;
}

}  // namespace abrplay::net
