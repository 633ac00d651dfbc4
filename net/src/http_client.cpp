#include "abrplay/net/http_client.h"

#include <algorithm>
#include <atomic>
#include <climits>
#include <map>
#include <thread>
#include <vector>

#if defined(__linux__)
#include <pthread.h>
#endif

#include "abrplay/net/url.h"
#include "abrplay/net/user_agent.h"
#include "curl_handles.h"
#include "mailbox.h"
#include "transfer.h"

namespace abrplay::net {

using detail::Command;
using detail::SteadyClock;
using detail::Transfer;

namespace {

// With nothing scheduled, the net thread still wakes this often; commands wake it at once anyway.
constexpr int kIdleWaitMs = 60'000;
// While a transfer is connecting or waiting in curl's per-host queue, the net thread looks at it
// this often, to start its stall clock when its request goes out (check_stalls).
constexpr std::chrono::milliseconds kConnectPollMs{100};

std::chrono::milliseconds until(SteadyClock::time_point deadline, SteadyClock::time_point now) {
  return deadline <= now ? std::chrono::milliseconds(0) : std::chrono::ceil<std::chrono::milliseconds>(deadline - now);
}

}  // namespace

class HttpClient::Impl {
 public:
  explicit Impl(ClientOptions options)
      : options_(std::move(options)),
        user_agent_(options_.user_agent.empty() ? default_user_agent() : options_.user_agent) {
    curl_global_init(CURL_GLOBAL_DEFAULT);  // reference-counted and thread-safe in libcurl >= 7.84
    multi_.reset(curl_multi_init());
    curl_multi_setopt(multi_.get(), CURLMOPT_PIPELINING, CURLPIPE_MULTIPLEX);
    curl_multi_setopt(multi_.get(), CURLMOPT_MAX_HOST_CONNECTIONS, options_.max_host_connections);
    mailbox_ = std::make_shared<detail::Mailbox>(multi_.get());
    // As many buffers as fill the window before a pause, the one being gathered, and one spare
    // (6, 1.5 MiB, with the defaults), but no more than 16.
    const std::size_t chunk = std::max<std::size_t>(1, options_.chunk_bytes);
    pool_ = std::make_shared<detail::ChunkPool>(
        chunk, std::min<std::size_t>(16, static_cast<std::size_t>(options_.stream_window_bytes / chunk) + 2));
    thread_ = std::thread([this] {
#if defined(__linux__)
      pthread_setname_np(pthread_self(), "abrplay-net");
#endif
      run();
    });
  }

  ~Impl() {
    shutdown();
    multi_.reset();
    curl_global_cleanup();
  }

  RequestId submit(Request request, Executor& executor, RequestCallbacks callbacks) {
    const RequestId id = next_id_.fetch_add(1);
    auto t = std::make_unique<Transfer>();
    t->id = id;
    t->request = std::move(request);
    t->callbacks = std::make_shared<const RequestCallbacks>(std::move(callbacks));
    t->executor = &executor;
    t->options = &options_;
    t->mailbox = mailbox_;
    t->pool = pool_;
    t->stopping = &stopping_;
    t->submitted_at = SteadyClock::now();
    t->not_before = t->submitted_at + t->request.start_delay;
    in_flight_.fetch_add(1);
    if (auto parsed = check_request_url(t->request.url, t->request.file_access); !parsed) {
      deliver(*t, Result{{}, parsed.error()});
      return id;
    }
    Command c{Command::Kind::kSubmit, id, std::move(t)};
    if (!mailbox_->push(std::move(c))) {
      // push() leaves the command intact when the mailbox is closed: complete it here.
      cancel_unstarted(*c.transfer, "client is shut down");
    }
    return id;
  }

  void cancel(RequestId id) { mailbox_->push(Command{Command::Kind::kCancel, id, nullptr}); }

  void shutdown() {
    std::lock_guard<std::mutex> lock(shutdown_mu_);
    if (!thread_.joinable()) return;
    stopping_.store(true);
    curl_multi_wakeup(multi_.get());
    thread_.join();
  }

  std::size_t in_flight() const { return in_flight_.load(); }

 private:
  // ---- any thread ----
  void deliver(Transfer& t, Result result) {
    if (options_.log && result.error && result.error->code != NetErrorCode::kCancelled)
      options_.log(LogLevel::kInfo, "net: " + result.error->describe());
    in_flight_.fetch_sub(1);  // before posting, so that on_complete never sees itself in flight
    t.executor->post([callbacks = t.callbacks, result = std::move(result)]() mutable {
      if (callbacks->on_complete) callbacks->on_complete(std::move(result));
    });
  }

  void cancel_unstarted(Transfer& t, const std::string& why) {
    deliver(t, Result{{}, detail::make_error(NetErrorCode::kCancelled, t.request.url, why)});
  }

  // ---- net thread ----
  void run() {
    while (!stopping_.load()) {
      const auto now = SteadyClock::now();
      drain_commands(now);
      start_due(now);
      int running = 0;
      curl_multi_perform(multi_.get(), &running);
      for (auto& [id, t] : active_) detail::flush_chunk(*t);
      collect_done();
      check_stalls(SteadyClock::now());
      if (stopping_.load()) break;
      curl_multi_poll(multi_.get(), nullptr, 0, next_wait_ms(SteadyClock::now()), nullptr);
    }
    for (auto& c : mailbox_->close())
      if (c.transfer) cancel_unstarted(*c.transfer, "cancelled by shutdown");
    for (auto& t : pending_) cancel_unstarted(*t, "cancelled by shutdown");
    pending_.clear();
    while (!active_.empty()) abort(active_.begin()->first, NetErrorCode::kCancelled, "cancelled by shutdown");
  }

  void drain_commands(SteadyClock::time_point now) {
    for (auto& c : mailbox_->take()) {
      switch (c.kind) {
        case Command::Kind::kSubmit: pending_.push_back(std::move(c.transfer)); break;
        case Command::Kind::kCancel: cancel_now(c.id); break;
        case Command::Kind::kResume: resume(c.id, now); break;
      }
    }
  }

  void cancel_now(RequestId id) {
    if (active_.count(id) != 0) return abort(id, NetErrorCode::kCancelled, "cancelled");
    auto it = std::find_if(pending_.begin(), pending_.end(), [id](const auto& t) { return t->id == id; });
    if (it == pending_.end()) return;  // already finished: nothing to do
    cancel_unstarted(**it, "cancelled");
    pending_.erase(it);
  }

  void resume(RequestId id, SteadyClock::time_point now) {
    auto it = active_.find(id);
    if (it == active_.end()) return;
    Transfer& t = *it->second;
    if (t.paused) {
      t.paused = false;
      t.last_activity = now;                          // time spent paused is not a stall
      curl_easy_pause(t.easy.get(), CURLPAUSE_CONT);  // may call on_write at once
    }
  }

  void start_due(SteadyClock::time_point now) {
    // Highest priority first, then submission order.
    std::stable_sort(pending_.begin(), pending_.end(), [](const auto& a, const auto& b) {
      return static_cast<int>(a->request.priority) > static_cast<int>(b->request.priority);
    });
    for (auto it = pending_.begin(); it != pending_.end();) {
      if (static_cast<int>(active_.size()) >= options_.max_active_transfers) break;
      Transfer& t = **it;
      if (t.not_before > now) {
        ++it;
        continue;
      }
      std::unique_ptr<Transfer> owned = std::move(*it);
      it = pending_.erase(it);
      if (auto err = detail::configure_easy(t, user_agent_)) {
        deliver(t, Result{{}, *err});
        continue;
      }
      t.started_at = now;
      t.last_activity = now;
      curl_multi_add_handle(multi_.get(), t.easy.get());
      active_.emplace(t.id, std::move(owned));
    }
  }

  void collect_done() {
    int left = 0;
    while (CURLMsg* msg = curl_multi_info_read(multi_.get(), &left)) {
      if (msg->msg != CURLMSG_DONE) continue;
      void* priv = nullptr;
      curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &priv);
      const RequestId id = static_cast<Transfer*>(priv)->id;
      const CURLcode code = msg->data.result;
      finish(id, code);
    }
  }

  void finish(RequestId id, CURLcode code) {
    auto node = active_.extract(id);
    Transfer& t = *node.mapped();
    curl_multi_remove_handle(multi_.get(), t.easy.get());
    deliver(t, detail::finish_transfer(t, code));
  }

  void abort(RequestId id, NetErrorCode code, const std::string& why, TimeoutKind kind = TimeoutKind::kNone) {
    Transfer& t = *active_.at(id);
    t.local_error = detail::make_error(code, t.request.url, why);
    t.local_error->timeout = kind;
    finish(id, CURLE_OK);
  }

  void check_stalls(SteadyClock::time_point now) {
    std::vector<RequestId> stalled;
    for (auto& [id, tp] : active_) {
      Transfer& t = *tp;
      if (t.request.timeouts.stall.count() <= 0) continue;
      if (!t.connected) {
        curl_off_t pretransfer = 0;
        curl_easy_getinfo(t.easy.get(), CURLINFO_PRETRANSFER_TIME_T, &pretransfer);
        if (pretransfer <= 0) continue;  // still connecting: the connect timeout governs
        // The stall clock starts when the request went out. curl measures pretransfer from when it
        // began connecting, which is after any wait in its per-host queue
        // (CURLMOPT_MAX_HOST_CONNECTIONS), so started_at + pretransfer would count that wait as a
        // stall. Unconnected transfers are looked at every kConnectPollMs, so `now` is at most
        // that late.
        t.connected = true;
        t.last_activity = std::max(t.last_activity, now);
      }
      if (t.paused) continue;  // back-pressure: time paused is not a stall
      if (now - t.last_activity >= t.request.timeouts.stall) stalled.push_back(id);
    }
    for (RequestId id : stalled) {
      const auto ms = active_.at(id)->request.timeouts.stall.count();
      abort(id, NetErrorCode::kTimeout, "stalled: no byte received for " + std::to_string(ms) + " ms",
            TimeoutKind::kStall);
    }
  }

  int next_wait_ms(SteadyClock::time_point now) const {
    long curl_ms = -1;
    curl_multi_timeout(multi_.get(), &curl_ms);
    std::chrono::milliseconds wait(curl_ms >= 0 ? curl_ms : kIdleWaitMs);
    for (const auto& [id, t] : active_)
      if (t->connected && !t->paused && t->request.timeouts.stall.count() > 0)
        wait = std::min(wait, until(t->last_activity + t->request.timeouts.stall, now));
      else if (!t->connected && t->request.timeouts.stall.count() > 0)
        wait = std::min({wait, kConnectPollMs, std::chrono::milliseconds(t->request.timeouts.stall)});
    if (static_cast<int>(active_.size()) < options_.max_active_transfers)
      for (const auto& t : pending_) wait = std::min(wait, until(t->not_before, now));
    return static_cast<int>(std::clamp<long long>(wait.count(), 0, kIdleWaitMs));
  }

  const ClientOptions options_;
  const std::string user_agent_;
  detail::MultiPtr multi_;
  std::shared_ptr<detail::Mailbox> mailbox_;
  std::shared_ptr<detail::ChunkPool> pool_;
  std::atomic<RequestId> next_id_{1};
  std::atomic<std::size_t> in_flight_{0};
  std::atomic<bool> stopping_{false};
  std::mutex shutdown_mu_;  // serialises shutdown()

  // Net thread only.
  std::vector<std::unique_ptr<Transfer>> pending_;         // waiting for a slot or for start_delay
  std::map<RequestId, std::unique_ptr<Transfer>> active_;  // handed to curl

  std::thread thread_;  // last: starts once everything above exists
};

HttpClient::HttpClient(ClientOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}
HttpClient::~HttpClient() = default;

RequestId HttpClient::submit(Request request, Executor& executor, RequestCallbacks callbacks) {
  return impl_->submit(std::move(request), executor, std::move(callbacks));
}
void HttpClient::cancel(RequestId id) { impl_->cancel(id); }
void HttpClient::shutdown() { impl_->shutdown(); }
std::size_t HttpClient::in_flight() const { return impl_->in_flight(); }

}  // namespace abrplay::net
