#include "fleet_delivery.h"

#include <algorithm>
#include <functional>
#include <optional>

#include "abrplay/core/clock.h"
#include "abrplay/player/telemetry/reporter.h"

namespace abrplay::fleet {

FleetDelivery::FleetDelivery(net::Transport& http, DeliveryConfig config) : http_(http), config_(std::move(config)) {
  for (std::size_t i = 0; i < std::max<std::size_t>(config_.senders, 1); ++i)
    senders_.emplace_back([this] { sender_main(); });
}

FleetDelivery::~FleetDelivery() { finish(); }

void FleetDelivery::submit(std::vector<std::string> payloads) {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [&] { return waiting_.size() < config_.max_waiting; });
  totals_.payloads += payloads.size();
  waiting_.push_back(std::move(payloads));
  cv_.notify_all();
}

DeliveryTotals FleetDelivery::finish() {
  {
    std::lock_guard lock(mu_);
    closing_ = true;
    cv_.notify_all();
  }
  for (auto& t : senders_) t.join();
  senders_.clear();
  std::lock_guard lock(mu_);
  return totals_;
}

void FleetDelivery::sender_main() {
  for (;;) {
    std::vector<std::string> payloads;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return closing_ || !waiting_.empty(); });
      if (waiting_.empty()) return;  // closing, and nothing left
      payloads = std::move(waiting_.front());
      waiting_.pop_front();
      cv_.notify_all();  // room for submit()
    }
    deliver(std::move(payloads));
  }
}

void FleetDelivery::deliver(std::vector<std::string> payloads) {
  SystemClock clock;
  net::QueueExecutor queue;  // the sender thread runs the Reporter's completions, as the player thread does
  telemetry::ReporterConfig rc;
  rc.url = config_.url;
  rc.max_queue = std::max<std::size_t>(rc.max_queue, payloads.size());  // a whole session, as it was recorded
  std::optional<telemetry::Reporter> reporter;
  reporter.emplace(http_, queue, clock, rc);
  const std::uint64_t count = payloads.size();
  for (auto& p : payloads) reporter->enqueue(std::move(p));
  const auto deadline = std::chrono::steady_clock::now() + config_.session_deadline;
  for (;;) {
    reporter->poll();
    const telemetry::ReporterStats st = reporter->stats();
    if (!st.in_flight && st.queued == 0) break;
    if (std::chrono::steady_clock::now() >= deadline) break;
    // Wait for the answer, or until the backoff ends (the queue gets no task before then).
    auto until = deadline;
    if (!st.in_flight && st.retry_at && *st.retry_at < until) until = *st.retry_at;
    queue.run_one(until);
  }
  const telemetry::ReporterStats st = reporter->stats();
  reporter.reset();  // cancels a POST still in flight at the deadline
  std::lock_guard lock(mu_);
  totals_.acknowledged += st.sent_payloads;
  totals_.rejected += st.rejected_payloads;
  // Dropped, still queued or in flight at the deadline: not acknowledged, not refused.
  totals_.lost += count - std::min<std::uint64_t>(count, st.sent_payloads + st.rejected_payloads);
  totals_.requests += st.sent_requests;
  totals_.retried_requests += st.failed_requests;
  if (!st.last_problem.empty() && totals_.problems.size() < 5 &&
      std::find(totals_.problems.begin(), totals_.problems.end(), st.last_problem) == totals_.problems.end())
    totals_.problems.push_back(st.last_problem);
}

}  // namespace abrplay::fleet
