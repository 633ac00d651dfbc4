#include "abrplay/player/telemetry/reporter.h"

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <utility>
#include <vector>

#include "abrplay/player/telemetry/delivery_policy.h"

namespace abrplay::telemetry {

struct Reporter::Shared {
  std::deque<std::string> queue;
  std::vector<std::string> in_flight;  // payloads of the POST under way, oldest first
  std::optional<net::RequestId> request;
  std::uint64_t generation = 0;  // bumped when a request is abandoned: its completion is ignored
  int failures = 0;
  SteadyTime next_attempt{};
  ReporterStats stats;
};

namespace {

// Joins payloads into one body: the object itself, or a JSON array of them.
std::string batch_body(const std::vector<std::string>& payloads) {
  if (payloads.size() == 1) return payloads.front();
  std::string body = "[";
  for (std::size_t i = 0; i < payloads.size(); ++i) {
    if (i) body += ',';
    body += payloads[i];
  }
  return body + "]";
}

// The backoff after `failures` retryable failures in a row: initial doubling, or the server's
// Retry-After when longer, at most max_backoff.
std::chrono::milliseconds backoff_for(int failures, std::optional<std::chrono::seconds> retry_after,
                                      const ReporterConfig& cfg) {
  std::chrono::milliseconds backoff = cfg.initial_backoff * (1LL << std::min(std::max(failures, 1) - 1, 20));
  if (retry_after && *retry_after > backoff) backoff = *retry_after;
  return std::min(backoff, cfg.max_backoff);
}

}  // namespace

// Owner thread: what the answer to the POST in flight means for its payloads.
void Reporter::on_answer(Shared& st, const DeliveryVerdict& v, const ReporterConfig& cfg, const Clock& clock) {
  switch (v.outcome) {
    case DeliveryOutcome::kDelivered:
    case DeliveryOutcome::kRejected:  // the collector answered: it is up, and these are done with
      st.stats.sent_payloads += v.delivered;
      st.stats.rejected_payloads += v.rejected;
      if (v.outcome == DeliveryOutcome::kRejected) {
        ++st.stats.rejected_requests;
        st.stats.last_problem = v.reason;
      }
      st.in_flight.clear();
      st.failures = 0;
      st.next_attempt = {};
      return;
    case DeliveryOutcome::kRetry: break;
  }
  ++st.stats.failed_requests;
  st.stats.last_problem = v.reason;
  // Put the payloads back in front (they are the oldest), then enforce the bound again.
  st.queue.insert(st.queue.begin(), std::make_move_iterator(st.in_flight.begin()),
                  std::make_move_iterator(st.in_flight.end()));
  st.in_flight.clear();
  while (st.queue.size() > cfg.max_queue) {
    st.queue.pop_front();
    ++st.stats.dropped_payloads;
  }
  st.failures = std::min(st.failures + 1, 30);
  st.next_attempt = clock.steady() + backoff_for(st.failures, v.retry_after, cfg);
}

Reporter::Reporter(net::Transport& http, net::Executor& owner, const Clock& clock, ReporterConfig config)
    : http_(http), owner_(owner), clock_(clock), config_(std::move(config)), shared_(std::make_shared<Shared>()) {
  if (config_.max_queue == 0) config_.max_queue = 1;
}

Reporter::~Reporter() {
  if (shared_->request) {
    ++shared_->generation;
    http_.cancel(*shared_->request);
  }
}

void Reporter::enqueue(std::string payload) {
  Shared& s = *shared_;
  s.queue.push_back(std::move(payload));
  while (s.queue.size() > config_.max_queue) {
    s.queue.pop_front();
    ++s.stats.dropped_payloads;
  }
}

void Reporter::poll() {
  Shared& s = *shared_;
  if (config_.url.empty()) {
    s.stats.dropped_payloads += s.queue.size();
    s.queue.clear();
    return;
  }
  if (s.request || s.queue.empty() || clock_.steady() < s.next_attempt) return;

  std::size_t bytes = 0;
  while (!s.queue.empty()) {
    const std::size_t next = s.queue.front().size() + 1;
    if (next > config_.max_batch_bytes) {  // can never be sent
      s.queue.pop_front();
      ++s.stats.dropped_payloads;
      continue;
    }
    if (bytes + next > config_.max_batch_bytes) break;
    bytes += next;
    s.in_flight.push_back(std::move(s.queue.front()));
    s.queue.pop_front();
  }
  if (s.in_flight.empty()) return;

  net::Request req;
  req.url = config_.url;
  req.headers = config_.headers;
  req.headers.emplace_back("Content-Type", "application/json");
  req.post_body = batch_body(s.in_flight);
  req.priority = net::Priority::kLow;  // never ahead of a segment
  req.timeouts.total = config_.request_timeout;
  req.timeouts.connect = std::min(req.timeouts.connect, config_.request_timeout);
  req.max_body_bytes = 64 * 1024;  // the collector's answer is tiny
  ++s.stats.sent_requests;
  const std::uint64_t generation = s.generation;
  std::weak_ptr<Shared> weak = shared_;
  const ReporterConfig& cfg = config_;
  const Clock& clock = clock_;
  s.request = http_.submit(std::move(req), owner_,
                           {.on_chunk = {}, .on_complete = [weak, generation, &cfg, &clock](net::Result r) {
                              auto sp = weak.lock();
                              if (!sp || sp->generation != generation)
                                return;  // the reporter is gone, or flush() took over
                              Shared& st = *sp;
                              st.request.reset();
                              const DeliveryVerdict v = classify_delivery(r, st.in_flight.size(), clock.wall());
                              on_answer(st, v, cfg, clock);
                            }});
}

bool Reporter::flush(std::string final_payload, std::chrono::milliseconds deadline) {
  Shared& s = *shared_;
  if (s.request) {  // take over what is in flight: cancel it and send its payloads again
    ++s.generation;
    http_.cancel(*s.request);
    s.request.reset();
    s.queue.insert(s.queue.begin(), std::make_move_iterator(s.in_flight.begin()),
                   std::make_move_iterator(s.in_flight.end()));
    s.in_flight.clear();
  }
  std::vector<std::string> payloads(std::make_move_iterator(s.queue.begin()), std::make_move_iterator(s.queue.end()));
  s.queue.clear();
  payloads.push_back(std::move(final_payload));
  // Keep the final report; drop the oldest heartbeats until the batch fits.
  std::size_t bytes = 0;
  for (const auto& p : payloads) bytes += p.size() + 1;
  std::size_t first = 0;
  while (bytes > config_.max_batch_bytes && first + 1 < payloads.size()) bytes -= payloads[first++].size() + 1;
  s.stats.dropped_payloads += first;
  payloads.erase(payloads.begin(), payloads.begin() + static_cast<std::ptrdiff_t>(first));
  if (config_.url.empty()) {
    s.stats.dropped_payloads += payloads.size();
    return false;
  }

  // A real-time deadline: it bounds how long shutdown may block, whatever clock is injected.
  const auto end = std::chrono::steady_clock::now() + deadline;
  const std::string body = batch_body(payloads);
  for (;;) {
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(end - std::chrono::steady_clock::now());
    if (left <= std::chrono::milliseconds{0}) break;
    const net::Result r = post_and_wait(body, left);
    const DeliveryVerdict v = classify_delivery(r, payloads.size(), clock_.wall());
    if (v.outcome != DeliveryOutcome::kRetry) {
      s.stats.sent_payloads += v.delivered;
      s.stats.rejected_payloads += v.rejected;
      if (v.outcome == DeliveryOutcome::kRejected) {
        ++s.stats.rejected_requests;
        s.stats.last_problem = v.reason;
      }
      return v.outcome == DeliveryOutcome::kDelivered;
    }
    ++s.stats.failed_requests;
    s.stats.last_problem = v.reason;
    // Only a collector that answered (5xx, 408, 429) is worth another try at shutdown; one that is
    // down or unreachable is not, and the embedder should not wait the deadline out for it.
    if (r.response.status == 0) break;
    std::chrono::milliseconds delay = config_.initial_backoff;
    if (v.retry_after && *v.retry_after > delay) delay = *v.retry_after;
    if (std::chrono::steady_clock::now() + delay >= end) break;  // the next try would not fit
    wait_real_time(delay);
  }
  s.stats.dropped_payloads += payloads.size();
  return false;
}

// One POST on the net thread, waited for here at most `limit` (then cancelled: the answer is kCancelled).
net::Result Reporter::post_and_wait(const std::string& body, std::chrono::milliseconds limit) {
  struct Wait {
    std::mutex mu;
    std::condition_variable cv;
    std::optional<net::Result> result;
  };
  auto wait = std::make_shared<Wait>();
  net::Request req;
  req.url = config_.url;
  req.headers = config_.headers;
  req.headers.emplace_back("Content-Type", "application/json");
  req.post_body = body;
  req.priority = net::Priority::kHigh;
  // The wait below is the bound (it cancels); curl's own timeouts only back it up.
  req.timeouts.total = limit + std::chrono::seconds(1);
  req.timeouts.connect = req.timeouts.total;
  req.max_body_bytes = 64 * 1024;
  ++shared_->stats.sent_requests;
  const net::RequestId id = http_.submit(std::move(req), flush_executor_,
                                         {.on_chunk = {}, .on_complete = [wait](net::Result r) {
                                            std::lock_guard lock(wait->mu);
                                            wait->result = std::move(r);
                                            wait->cv.notify_all();
                                          }});
  std::unique_lock lock(wait->mu);
  if (!wait->cv.wait_for(lock, limit, [&] { return wait->result.has_value(); })) {
    lock.unlock();
    http_.cancel(id);
    lock.lock();
    wait->cv.wait(lock, [&] { return wait->result.has_value(); });  // cancel completes promptly
  }
  return std::move(*wait->result);
}

// flush()'s pause before another try: a timed wait on a condition nobody signals (flush runs when
// the owner no longer drives the reporter, so there is nothing else to wait for).
void Reporter::wait_real_time(std::chrono::milliseconds delay) {
  std::mutex mu;
  std::condition_variable cv;
  std::unique_lock lock(mu);
  const auto until = std::chrono::steady_clock::now() + delay;
  cv.wait_until(lock, until, [&] { return std::chrono::steady_clock::now() >= until; });
}

ReporterStats Reporter::stats() const {
  ReporterStats out = shared_->stats;
  out.queued = shared_->queue.size();
  out.in_flight = shared_->request.has_value();
  if (shared_->next_attempt != SteadyTime{}) out.retry_at = shared_->next_attempt;
  return out;
}

}  // namespace abrplay::telemetry
