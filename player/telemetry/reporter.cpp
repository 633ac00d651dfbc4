#include "abrplay/player/telemetry/reporter.h"

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <utility>
#include <vector>

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

}  // namespace

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
                              if (r.ok()) {
                                st.stats.sent_payloads += st.in_flight.size();
                                st.in_flight.clear();
                                st.failures = 0;
                                st.next_attempt = {};
                                return;
                              }
                              ++st.stats.failed_requests;
                              // Put the payloads back in front (they are the oldest), then enforce the bound again.
                              st.queue.insert(st.queue.begin(), std::make_move_iterator(st.in_flight.begin()),
                                              std::make_move_iterator(st.in_flight.end()));
                              st.in_flight.clear();
                              while (st.queue.size() > cfg.max_queue) {
                                st.queue.pop_front();
                                ++st.stats.dropped_payloads;
                              }
                              st.failures = std::min(st.failures + 1, 30);
                              auto backoff = cfg.initial_backoff * (1LL << std::min(st.failures - 1, 20));
                              if (backoff > cfg.max_backoff) backoff = cfg.max_backoff;
                              st.next_attempt = clock.steady() + backoff;
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

  struct Wait {
    std::mutex mu;
    std::condition_variable cv;
    std::optional<bool> ok;
  };
  auto wait = std::make_shared<Wait>();
  net::Request req;
  req.url = config_.url;
  req.headers = config_.headers;
  req.headers.emplace_back("Content-Type", "application/json");
  req.post_body = batch_body(payloads);
  req.priority = net::Priority::kHigh;
  req.timeouts.total = deadline;
  req.timeouts.connect = deadline;
  ++s.stats.sent_requests;
  const net::RequestId id = http_.submit(std::move(req), flush_executor_,
                                         {.on_chunk = {}, .on_complete = [wait](net::Result r) {
                                            std::lock_guard lock(wait->mu);
                                            wait->ok = r.ok();
                                            wait->cv.notify_all();
                                          }});
  std::unique_lock lock(wait->mu);
  // A real-time wait: the deadline bounds how long shutdown may block, whatever clock is injected.
  if (!wait->cv.wait_for(lock, deadline, [&] { return wait->ok.has_value(); })) {
    lock.unlock();
    http_.cancel(id);
    lock.lock();
    wait->cv.wait(lock, [&] { return wait->ok.has_value(); });  // cancel completes promptly
  }
  if (*wait->ok) {
    s.stats.sent_payloads += payloads.size();
  } else {
    ++s.stats.failed_requests;
    s.stats.dropped_payloads += payloads.size();
  }
  return *wait->ok;
}

ReporterStats Reporter::stats() const {
  ReporterStats out = shared_->stats;
  out.queued = shared_->queue.size();
  out.in_flight = shared_->request.has_value();
  return out;
}

}  // namespace abrplay::telemetry
