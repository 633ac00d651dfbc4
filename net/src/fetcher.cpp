#include "abrplay/net/fetcher.h"

#include <atomic>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <set>

#include "abrplay/net/url.h"

namespace abrplay::net {
namespace {

struct Op {
  Fetcher::FetchId id = 0;
  Request original;
  FetchCallbacks callbacks;
  bool relative = false;
  int attempts = 0;
  std::uint64_t received = 0;  // body bytes kept from earlier attempts (the resume offset)
  std::vector<std::uint8_t> body;
  bool delivered_chunks = false;
  bool accepts_ranges = false;
  bool finished = false;
  std::optional<std::size_t> host;
  std::set<std::size_t> hosts_tried;
  std::string base_url;
  RequestId current = 0;
};

// A failure that says something about the host rather than about the request.
bool host_failure(const NetError& e) {
  return e.code == NetErrorCode::kIo || e.code == NetErrorCode::kTimeout ||
         (e.code == NetErrorCode::kHttpStatus && e.http_status >= 500);
}

// A failure that another host may not have: a client error status (a CDN missing the object), a
// redirect loop, or a body over the limit. Not retried on the same host; worth one try elsewhere.
bool other_host_may_succeed(const NetError& e) {
  return (e.code == NetErrorCode::kHttpStatus && e.http_status >= 400 && e.http_status < 500) ||
         e.code == NetErrorCode::kRedirect || e.code == NetErrorCode::kTooLarge;
}

}  // namespace

struct Fetcher::State : std::enable_shared_from_this<Fetcher::State> {
  State(Transport& c, Executor& o, FetcherConfig cfg)
      : client(c), owner(o), config(std::move(cfg)), policy(config.retry), rng(std::random_device{}()) {
    if (!config.hosts.empty()) {
      selector.emplace(config.hosts, config.selection);
      if (!config.pathway_priority.empty())
        (void)selector->set_pathway_priority(config.pathway_priority, config.pathway_why);
    }
  }

  // ---- owner thread only ----
  double random() {
    if (config.random) return config.random();
    return std::uniform_real_distribution<double>(0.0, 1.0)(rng);
  }
  std::chrono::steady_clock::time_point now() const {
    return config.now ? config.now() : std::chrono::steady_clock::now();
  }

  void begin(std::shared_ptr<Op> op) {
    ops[op->id] = op;
    op->relative = !is_absolute_url(op->original.url);
    if (op->relative && !selector) {
      NetError e;
      e.code = NetErrorCode::kBadUrl;
      e.url = op->original.url;
      e.message = "relative URL '" + op->original.url + "' but the fetcher has no base URLs";
      return finish(*op, Unexpected{std::move(e)});
    }
    attempt(op, std::chrono::milliseconds(0), std::nullopt);
  }

  // `chosen`: the host already selected for this attempt (a failover); otherwise select() picks one.
  void attempt(const std::shared_ptr<Op>& op, std::chrono::milliseconds delay, std::optional<std::size_t> failed_host,
               std::optional<HostChoice> chosen = std::nullopt) {
    Request req = op->original;
    req.file_access = config.file_access;  // the fetcher's, whatever the request said
    if (op->relative) {
      HostChoice choice = chosen ? std::move(*chosen) : selector->select(now(), random(), op->original.expected_bytes);
      if (config.on_host_chosen) config.on_host_chosen(choice);
      if (failed_host && *failed_host != choice.index) delay = std::chrono::milliseconds(0);  // failover: at once
      op->host = choice.index;
      op->hosts_tried.insert(choice.index);
      op->base_url = choice.base_url;
      auto url = resolve_url(choice.base_url, op->original.url, config.file_access);
      if (!url) return finish(*op, Unexpected{url.error()});
      req.url = *url;
    }
    if (op->received > 0) {
      const std::uint64_t first = op->original.range ? op->original.range->first : 0;
      req.range = ByteRange{first + op->received, op->original.range ? op->original.range->last : std::nullopt};
    }
    req.start_delay = delay;
    ++op->attempts;
    RequestCallbacks cbs;
    if (op->callbacks.on_chunk) {
      cbs.on_chunk = [op](const BodyChunk& chunk) {
        if (op->finished) return;
        op->delivered_chunks = true;
        op->callbacks.on_chunk(chunk);
      };
    }
    cbs.on_complete = [self = shared_from_this(), op](Result r) { self->on_result(op, std::move(r)); };
    std::lock_guard<std::recursive_mutex> lock(client_mu);
    if (detached) return finish(*op, Unexpected{cancelled_error(*op, "fetcher destroyed")});
    op->current = client.submit(std::move(req), owner, std::move(cbs));
    live.insert(op->current);
  }

  void on_result(const std::shared_ptr<Op>& op, Result r) {
    {
      std::lock_guard<std::recursive_mutex> lock(client_mu);
      live.erase(op->current);
    }
    if (op->finished) return;  // cancelled meanwhile
    Response& resp = r.response;
    op->accepts_ranges = op->accepts_ranges || resp.accepts_ranges;
    // Body bytes, not an error page: a success (a file: read has no status), or a 2xx cut short.
    if ((r.ok() || (resp.status >= 200 && resp.status < 300)) && resp.bytes_received > 0) {
      op->body.insert(op->body.end(), resp.body.begin(), resp.body.end());
      op->received += resp.bytes_received;
    }
    if (r.ok()) {
      // A body from a preload or a cache took no time on the link: it says nothing of the host.
      if (op->host && !resp.from_memory && !resp.from_cache) {
        // Transfer time, or the whole time when the body came in one read (transfer time 0).
        const auto timed = resp.timing.transfer.count() > 0 ? resp.timing.transfer : resp.timing.total;
        const double seconds = std::chrono::duration<double>(timed).count();
        const double bps = seconds > 0 ? static_cast<double>(resp.bytes_received) * 8.0 / seconds : 0.0;
        selector->record_success(*op->host, now(), bps, resp.timing.ttfb, resp.bytes_received);
      }
      resp.body = std::move(op->body);
      resp.bytes_received = op->received;
      return finish(*op, FetchResult{std::move(resp), op->base_url, op->attempts});
    }
    NetError err = std::move(*r.error);
    if (err.code == NetErrorCode::kCancelled) return finish(*op, Unexpected{std::move(err)});
    if (op->host && host_failure(err)) selector->record_failure(*op->host, now());
    RetryInput in{err.code,     err.http_status,    err.retry_after,      op->attempts,
                  op->received, op->accepts_ranges, op->delivered_chunks, random()};
    const RetryDecision d = policy.decide(in);
    if (!d.retry && op->host && other_host_may_succeed(err) && op->hosts_tried.size() < selector->hosts().size() &&
        op->attempts < 2 * static_cast<int>(selector->hosts().size()) && !op->delivered_chunks) {
      // Fail over at once to a host this fetch has not tried, and keep the failing one aside.
      selector->record_failure(*op->host, now());
      HostChoice next = selector->select(now(), random());
      if (op->hosts_tried.count(next.index) == 0) {
        op->received = 0;
        op->body.clear();
        return attempt(op, std::chrono::milliseconds(0), op->host, std::move(next));
      }
    }
    if (!d.retry) {
      err.message += " (after " + std::to_string(op->attempts) + " attempt" + (op->attempts == 1 ? "" : "s") + ": " +
                     std::string(to_string(d.reason)) + ")";
      return finish(*op, Unexpected{std::move(err)});
    }
    if (d.resume_from == 0) {
      op->received = 0;
      op->body.clear();
    }
    attempt(op, d.delay, op->host);
  }

  void cancel(FetchId id) {
    auto it = ops.find(id);
    if (it == ops.end()) return;
    auto op = it->second;
    {
      std::lock_guard<std::recursive_mutex> lock(client_mu);
      if (!detached) client.cancel(op->current);
    }
    finish(*op, Unexpected{cancelled_error(*op, "cancelled")});
  }

  static NetError cancelled_error(const Op& op, const std::string& why) {
    NetError e;
    e.code = NetErrorCode::kCancelled;
    e.url = op.original.url;
    e.message = op.original.url + ": " + why;
    return e;
  }

  // Called by ~Fetcher on any thread: cancels every request in flight and never touches the client
  // again, so the client only has to outlive the Fetcher object, not its queued callbacks.
  void detach() {
    std::lock_guard<std::recursive_mutex> lock(client_mu);
    detached = true;
    for (RequestId id : live) client.cancel(id);
    live.clear();
  }

  void finish(Op& op, FetchOutcome outcome) {
    op.finished = true;
    auto callback = std::move(op.callbacks.on_complete);
    ops.erase(op.id);
    if (callback) callback(std::move(outcome));
  }

  Transport& client;
  Executor& owner;
  const FetcherConfig config;
  const RetryPolicy policy;
  std::optional<HostSelector> selector;        // owner thread
  std::mt19937 rng;                            // owner thread
  std::map<FetchId, std::shared_ptr<Op>> ops;  // owner thread
  std::atomic<FetchId> next_id{1};             // any thread
  // Guards the use of `client`. Recursive: an InlineExecutor may complete a request inside submit().
  std::recursive_mutex client_mu;
  bool detached = false;     // guarded by client_mu
  std::set<RequestId> live;  // guarded by client_mu: submitted, not yet completed
};

Fetcher::Fetcher(Transport& client, Executor& owner, FetcherConfig config)
    : state_(std::make_shared<State>(client, owner, std::move(config))) {}

Fetcher::~Fetcher() { state_->detach(); }

Fetcher::FetchId Fetcher::fetch(Request request, FetchCallbacks callbacks) {
  auto op = std::make_shared<Op>();
  op->id = state_->next_id.fetch_add(1);
  op->original = std::move(request);
  op->callbacks = std::move(callbacks);
  state_->owner.post([state = state_, op] { state->begin(op); });
  return op->id;
}

void Fetcher::cancel(FetchId id) {
  state_->owner.post([state = state_, id] { state->cancel(id); });
}

void Fetcher::set_pathway_priority(std::vector<std::string> priority, std::string why) {
  state_->owner.post([state = state_, priority = std::move(priority), why = std::move(why)]() mutable {
    if (state->selector) (void)state->selector->set_pathway_priority(std::move(priority), std::move(why));
  });
}

}  // namespace abrplay::net
