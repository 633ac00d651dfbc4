// fleet_delivery.h: posts the sessions' payloads to a collector, as players would, several sessions
// at a time.
//
// Each sender thread takes one session's payloads at a time and delivers them through a
// telemetry::Reporter of its own (the player's delivery rules: batches up to 48 KiB, one POST in
// flight, retry of transport errors, 5xx, 408 and 429 after max(backoff, Retry-After), payloads
// refused for good dropped and counted) over one shared net::HttpClient. A session still not
// delivered `session_deadline` after its first POST is given up, and what is left counts as lost.
// submit() blocks while `max_waiting` sessions wait for a sender (back-pressure to the lab).
// Threading: submit() from any thread; finish() once, after the last submit().
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "abrplay/net/transport.h"

namespace abrplay::fleet {

struct DeliveryConfig {
  std::string url;
  std::size_t senders = 8;  // sessions in flight
  std::size_t max_waiting = 64;
  std::chrono::seconds session_deadline{120};
};

struct DeliveryTotals {
  std::uint64_t payloads = 0;      // handed to the senders
  std::uint64_t acknowledged = 0;  // 2xx (stored or duplicate), or the stored part of a 409
  std::uint64_t rejected = 0;      // refused for good (400, 409, 413, ...)
  std::uint64_t lost = 0;          // dropped: queue bound, size, or the session's deadline
  std::uint64_t requests = 0;
  std::uint64_t retried_requests = 0;  // answered 5xx/408/429 or failed in transport, then retried
  std::vector<std::string> problems;   // the first few distinct rejection or failure reasons
};

class FleetDelivery {
 public:
  FleetDelivery(net::Transport& http, DeliveryConfig config);
  ~FleetDelivery();  // finish() if not done
  FleetDelivery(const FleetDelivery&) = delete;
  FleetDelivery& operator=(const FleetDelivery&) = delete;

  void submit(std::vector<std::string> payloads);
  DeliveryTotals finish();  // waits until every submitted session is delivered or given up

 private:
  void sender_main();
  void deliver(std::vector<std::string> payloads);

  net::Transport& http_;
  const DeliveryConfig config_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::vector<std::string>> waiting_;  // guarded by mu_
  bool closing_ = false;                          // guarded by mu_
  DeliveryTotals totals_;                         // guarded by mu_
  std::vector<std::thread> senders_;
};

}  // namespace abrplay::fleet
