// abrplay/player/telemetry/reporter.h: sends telemetry payloads without ever getting in the way.
//
//   Reporter reporter(http, player_loop, clock, {.url = "http://127.0.0.1:8080/telemetry"});
//   reporter.enqueue(recorder.heartbeat(...));   // every heartbeat interval (10 s by default)
//   reporter.poll();                             // sends when nothing is in flight and no backoff runs
//   reporter.flush(recorder.final_report(...), 1s);  // at the end of the session
//
// Delivery rules ("never in the way of playback"):
//   - the queue is bounded (max_queue payloads); when full the oldest payload is dropped and counted;
//   - one POST in flight at a time; every queued payload goes in it, as a JSON array (a batch) when
//     there is more than one, up to max_batch_bytes;
//   - the answer is read by classify_delivery() (delivery_policy.h):
//       delivered (2xx): done;
//       retry (a transport error, 5xx, 408, 429): the payloads stay queued and the reporter backs
//         off: initial_backoff doubling per failure, or the server's Retry-After if that is longer,
//         never more than max_backoff. poll() before the backoff ends does nothing, so the next
//         attempt batches what could not be sent with what came since;
//       rejected (400, 409, 413 and every other status): refused for good, so the payloads are
//         dropped and counted as rejected, not retried (a 409's stored part counts as sent);
//   - flush() sends everything still queued plus the final payload, waiting at most `deadline`
//     on the calling thread (it uses its own executor, so it may run on the player thread); an
//     answer to retry (5xx, 408, 429) is tried again after max(Retry-After, initial_backoff) while
//     that fits in the deadline (a transport error is not: the collector is down, and shutdown
//     should not wait for it); what is not delivered by then is abandoned and counted. A POST still in
//     flight is cancelled and its payloads go again in the flush: delivery is at least once, and
//     a collector that took the cancelled POST sees those payloads twice, with the same seq (the
//     SessionRecorder's per-session counter), by which it keeps one.
// The reporter never retries inside a request (no net::Fetcher): backoff lives here, one level up.
// Threading: one owner. enqueue/poll/stats run on `owner` (the player thread), and completions are
// posted there; flush() may be called on the owner or any other thread once the owner no longer
// calls the other methods. The Transport (an HttpClient) and the owner executor must outlive the Reporter.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>

#include "abrplay/core/clock.h"
#include "abrplay/net/transport.h"

namespace abrplay::telemetry {

struct DeliveryVerdict;

struct ReporterConfig {
  std::string url;                          // POST target; empty: the reporter drops everything (counted)
  net::Headers headers;                     // e.g. an API key; never copied into payloads
  std::size_t max_queue = 32;               // 32 heartbeats = 5 minutes at the 10 s default interval
  std::size_t max_batch_bytes = 48 * 1024;  // under the usual 64 KiB collector body limit
  std::chrono::milliseconds initial_backoff{1000};
  std::chrono::milliseconds max_backoff{60'000};
  // Per request; a slow collector costs at most this, and never the player thread's time.
  std::chrono::milliseconds request_timeout{5000};
};

struct ReporterStats {
  std::uint64_t sent_payloads = 0;  // delivered (2xx, or the stored part of a 409)
  std::uint64_t sent_requests = 0;
  std::uint64_t failed_requests = 0;    // retryable failures (transport, 5xx, 408, 429)
  std::uint64_t rejected_requests = 0;  // answered with a status that is not retried (400, 409, 413, ...)
  std::uint64_t rejected_payloads = 0;  // refused for good by the collector: dropped, never retried
  std::uint64_t dropped_payloads = 0;   // queue overflow, too large, or abandoned at flush
  std::size_t queued = 0;
  bool in_flight = false;
  std::optional<SteadyTime> retry_at;  // a backoff runs until then: poll() sends nothing before it
  std::string last_problem;            // the last failure or rejection, with the collector's reason
};

class Reporter {
 public:
  Reporter(net::Transport& http, net::Executor& owner, const Clock& clock, ReporterConfig config);
  // Cancels a POST in flight (its payloads are then dropped and counted).
  ~Reporter();
  Reporter(const Reporter&) = delete;
  Reporter& operator=(const Reporter&) = delete;

  void enqueue(std::string payload);
  void poll();
  // Returns true when everything queued, and `final_payload`, was delivered before the deadline.
  bool flush(std::string final_payload, std::chrono::milliseconds deadline);
  ReporterStats stats() const;

 private:
  struct Shared;  // state shared with completions (which may outlive a cancelled request)
  net::Result post_and_wait(const std::string& body, std::chrono::milliseconds limit);
  static void wait_real_time(std::chrono::milliseconds delay);
  static void on_answer(Shared& st, const DeliveryVerdict& v, const ReporterConfig& cfg, const Clock& clock);
  net::Transport& http_;
  net::Executor& owner_;
  const Clock& clock_;
  ReporterConfig config_;
  std::shared_ptr<Shared> shared_;
  net::InlineExecutor flush_executor_;  // flush(): the completion runs on the net thread
};

}  // namespace abrplay::telemetry
