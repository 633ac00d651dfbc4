// abrplay/net/retry_policy.h: whether and when to retry a failed transfer. A pure policy: no clock,
// no randomness of its own, no I/O. Every input is a value; the caller supplies the random number.
//
// Retried: connect errors, resets and other I/O failures, timeouts, 5xx, 408 and 429 (honouring
// Retry-After). Not retried: other statuses, bodies over the size limit, TLS failures, bad URLs,
// redirect violations, cancellation.
// Backoff: base_delay * multiplier^(attempt-1), capped at max_delay, then shortened by up to
// `jitter` of itself (so that many clients do not retry in step). A Retry-After longer than the
// backoff wins; one longer than max_retry_after ends the retries (the server asks for more
// patience than a player can give).
// Resume: when bytes were received and the server accepts ranges, the retry asks for the rest
// with a Range request instead of starting over.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>

#include "abrplay/net/error.h"

namespace abrplay::net {

struct RetryParams {
  int max_attempts = 4;  // including the first; 1 = never retry
  std::chrono::milliseconds base_delay{200};
  double multiplier = 2.0;
  std::chrono::milliseconds max_delay{5'000};
  double jitter = 0.5;  // 0 = none, 1 = anywhere between 0 and the full delay
  std::chrono::seconds max_retry_after{30};
};

struct RetryInput {
  NetErrorCode code = NetErrorCode::kIo;
  int http_status = 0;
  std::optional<std::chrono::seconds> retry_after;
  int attempts_made = 1;                 // including the one that just failed
  std::uint64_t bytes_received = 0;      // body bytes kept from the failed attempts so far
  bool accepts_ranges = false;           // the server answered 206 or sent "Accept-Ranges: bytes"
  bool bytes_already_delivered = false;  // streamed to a consumer: cannot restart from zero
  double random_unit = 0.0;              // uniform in [0, 1), from the caller's random source
};

enum class RetryReason {
  kRetry,               // retryable failure, attempts left
  kRetryAfterHonoured,  // retryable, and the delay comes from the server's Retry-After
  kNotRetryable,        // the failure is permanent (4xx, too large, TLS, ...)
  kAttemptsExhausted,   // max_attempts reached
  kRetryAfterTooLong,   // the server asked to wait longer than max_retry_after
  kCannotResume,        // bytes were streamed, and the server does not accept ranges
};
std::string_view to_string(RetryReason reason);

struct [[nodiscard]] RetryDecision {
  bool retry = false;
  std::chrono::milliseconds delay{0};
  std::uint64_t resume_from = 0;  // body offset to continue from with a Range; 0 = start over
  RetryReason reason = RetryReason::kNotRetryable;
};

class RetryPolicy {
 public:
  explicit RetryPolicy(RetryParams params = {}) : params_(params) {}

  RetryDecision decide(const RetryInput& input) const;

  // The classification alone: is this failure worth another attempt at all?
  static bool is_retryable(NetErrorCode code, int http_status);

  const RetryParams& params() const { return params_; }

 private:
  RetryParams params_;
};

}  // namespace abrplay::net
