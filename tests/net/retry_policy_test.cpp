// RetryPolicy: a pure function of its inputs; each retryable and non-retryable failure, backoff,
// jitter, Retry-After and resume.
#include <catch2/catch.hpp>

#include "abrplay/net/retry_policy.h"

namespace abrplay::net {
namespace {

RetryInput failure(NetErrorCode code, int status = 0) {
  RetryInput in;
  in.code = code;
  in.http_status = status;
  return in;
}

RetryParams no_jitter() {
  RetryParams p;
  p.jitter = 0;
  return p;
}

}  // namespace

TEST_CASE("connect errors, resets, timeouts, 5xx, 408 and 429 are retried", "[net][retry]") {
  const RetryPolicy policy(no_jitter());
  for (auto in : {failure(NetErrorCode::kIo), failure(NetErrorCode::kTimeout), failure(NetErrorCode::kHttpStatus, 500),
                  failure(NetErrorCode::kHttpStatus, 503), failure(NetErrorCode::kHttpStatus, 599),
                  failure(NetErrorCode::kHttpStatus, 408), failure(NetErrorCode::kHttpStatus, 429)}) {
    const auto d = policy.decide(in);
    CHECK(d.retry);
    CHECK(d.reason == RetryReason::kRetry);
    CHECK(d.delay == std::chrono::milliseconds(200));
  }
}

TEST_CASE("other 4xx, too large, TLS, bad URL, redirect and cancel are not retried", "[net][retry]") {
  const RetryPolicy policy;
  for (auto in :
       {failure(NetErrorCode::kHttpStatus, 400), failure(NetErrorCode::kHttpStatus, 403),
        failure(NetErrorCode::kHttpStatus, 404), failure(NetErrorCode::kHttpStatus, 410),
        failure(NetErrorCode::kHttpStatus, 499), failure(NetErrorCode::kTooLarge), failure(NetErrorCode::kTls),
        failure(NetErrorCode::kBadUrl), failure(NetErrorCode::kRedirect), failure(NetErrorCode::kCancelled)}) {
    const auto d = policy.decide(in);
    CHECK_FALSE(d.retry);
    CHECK(d.reason == RetryReason::kNotRetryable);
  }
}

TEST_CASE("backoff doubles per attempt up to the cap, and attempts are bounded", "[net][retry]") {
  RetryParams p = no_jitter();
  p.max_attempts = 8;
  p.max_delay = std::chrono::milliseconds(1000);
  const RetryPolicy policy(p);
  auto in = failure(NetErrorCode::kIo);
  const std::vector<int> expected_ms{200, 400, 800, 1000, 1000, 1000, 1000};
  for (int attempt = 1; attempt <= 7; ++attempt) {
    in.attempts_made = attempt;
    const auto d = policy.decide(in);
    REQUIRE(d.retry);
    CHECK(d.delay.count() == expected_ms[static_cast<std::size_t>(attempt - 1)]);
  }
  in.attempts_made = 8;
  const auto last = policy.decide(in);
  CHECK_FALSE(last.retry);
  CHECK(last.reason == RetryReason::kAttemptsExhausted);
}

TEST_CASE("jitter shortens the delay by up to its fraction, driven by the injected random value", "[net][retry]") {
  RetryParams p;
  p.jitter = 0.5;
  const RetryPolicy policy(p);
  auto in = failure(NetErrorCode::kTimeout);
  in.attempts_made = 2;  // 400 ms before jitter
  in.random_unit = 0.0;
  CHECK(policy.decide(in).delay == std::chrono::milliseconds(400));
  in.random_unit = 0.5;
  CHECK(policy.decide(in).delay == std::chrono::milliseconds(300));
  in.random_unit = 0.999;
  CHECK(policy.decide(in).delay == std::chrono::milliseconds(200));
}

TEST_CASE("Retry-After longer than the backoff is honoured: beyond the cap it ends the retries", "[net][retry]") {
  RetryParams p = no_jitter();
  p.max_retry_after = std::chrono::seconds(10);
  const RetryPolicy policy(p);
  auto in = failure(NetErrorCode::kHttpStatus, 429);
  in.retry_after = std::chrono::seconds(3);
  auto d = policy.decide(in);
  CHECK(d.retry);
  CHECK(d.reason == RetryReason::kRetryAfterHonoured);
  CHECK(d.delay == std::chrono::seconds(3));
  in.retry_after = std::chrono::seconds(10);
  CHECK(policy.decide(in).retry);
  in.retry_after = std::chrono::seconds(11);
  d = policy.decide(in);
  CHECK_FALSE(d.retry);
  CHECK(d.reason == RetryReason::kRetryAfterTooLong);
}

TEST_CASE("a partial body resumes from its end only when the server accepts ranges", "[net][retry]") {
  const RetryPolicy policy;
  auto in = failure(NetErrorCode::kIo);
  in.bytes_received = 5000;
  in.accepts_ranges = true;
  auto d = policy.decide(in);
  CHECK(d.retry);
  CHECK(d.resume_from == 5000);
  in.accepts_ranges = false;  // buffered: start over
  d = policy.decide(in);
  CHECK(d.retry);
  CHECK(d.resume_from == 0);
  in.bytes_already_delivered = true;  // streamed and no ranges: cannot start over without repeating bytes
  d = policy.decide(in);
  CHECK_FALSE(d.retry);
  CHECK(d.reason == RetryReason::kCannotResume);
}

}  // namespace abrplay::net
