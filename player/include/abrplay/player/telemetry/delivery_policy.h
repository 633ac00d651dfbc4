// abrplay/player/telemetry/delivery_policy.h: what the answer to a telemetry POST means for the
// payloads it carried. A pure policy (no clock, no I/O): the Reporter applies it.
//
//   2xx                          kDelivered: every payload is taken (or was already: a duplicate)
//   transport error (I/O, timeout, TLS, an answer over the size limit), 5xx, 408, 429
//                                kRetry: the collector did not take them, or is shedding load; the
//                                payloads stay queued. `retry_after` is the server's Retry-After
//                                (delta-seconds, or an IMF-fixdate taken against `now`), if any
//   any other status (400, 409, 413, 401, 404, ...), a bad URL, a redirect or file: failure
//                                kRejected: refused for good; sending them again cannot succeed, so
//                                they are dropped and counted. A 409 from abrplay-collector carries
//                                {"stored": n, "duplicates": d}: those n + d were taken (the rest
//                                of the batch is stored), and only the others count as rejected
// Threading: free functions, no state.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "abrplay/core/time.h"
#include "abrplay/net/response.h"

namespace abrplay::telemetry {

enum class DeliveryOutcome { kDelivered, kRetry, kRejected };

struct [[nodiscard]] DeliveryVerdict {
  DeliveryOutcome outcome = DeliveryOutcome::kRetry;
  std::size_t delivered = 0;  // payloads taken (all of them for kDelivered; a 409's stored + duplicates)
  std::size_t rejected = 0;   // kRejected: payloads refused for good
  std::optional<std::chrono::seconds> retry_after;  // kRetry: the server's wish
  std::string reason;  // kRetry/kRejected: the status or error, and the collector's "error" text if any
};

// `payloads`: how many the POST carried. `now`: the wall clock, for an HTTP-date Retry-After.
DeliveryVerdict classify_delivery(const net::Result& result, std::size_t payloads, WallTime now);

// A Retry-After value: delta-seconds ("120") or an IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT"),
// the latter as the time from `now` until then (0 when it is past). nullopt for anything else
// (negative numbers, the obsolete RFC 850 and asctime date forms).
std::optional<std::chrono::seconds> parse_retry_after(std::string_view value, WallTime now);

}  // namespace abrplay::telemetry
