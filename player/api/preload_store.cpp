// The bytes of a preloaded title and the transports that record and answer them (preload_store.h).
#include "preload_store.h"

#include <utility>
#include <vector>

namespace abrplay::player_impl {

namespace {

// `url` without its CMCD query argument ("?CMCD=..." or "&CMCD=..."), the rest unchanged.
std::string without_cmcd(const std::string& url) {
  const std::size_t query = url.find('?');
  if (query == std::string::npos) return url;
  const std::size_t fragment = url.find('#', query);
  const std::size_t end = fragment == std::string::npos ? url.size() : fragment;
  std::string out = url.substr(0, query);
  std::string args;
  std::size_t pos = query + 1;
  while (pos <= end) {
    std::size_t next = url.find('&', pos);
    if (next == std::string::npos || next > end) next = end;
    const std::string arg = url.substr(pos, next - pos);
    if (!arg.empty() && arg.rfind("CMCD=", 0) != 0) args += (args.empty() ? "" : "&") + arg;
    pos = next + 1;
  }
  if (!args.empty()) out += "?" + args;
  return out + url.substr(end);
}

}  // namespace

std::string preload_key(const net::Request& request) {
  if (request.post_body) return {};
  std::string key = without_cmcd(request.url) + "|";
  if (request.range) {
    key += std::to_string(request.range->first) + "-";
    if (request.range->last) key += std::to_string(*request.range->last);
  }
  return key;
}

bool PreloadStore::put(const net::Request& request, net::Response response) {
  const std::string key = preload_key(request);
  if (key.empty()) return false;
  std::lock_guard lock(mu_);
  if (full_ || bytes_ + response.body.size() > budget_) {
    full_ = true;
    return false;
  }
  bytes_ += response.body.size();
  kept_.insert_or_assign(key, std::move(response));
  return true;
}

std::optional<net::Response> PreloadStore::take(const net::Request& request) {
  const std::string key = preload_key(request);
  if (key.empty()) return std::nullopt;
  std::lock_guard lock(mu_);
  auto it = kept_.find(key);
  if (it == kept_.end()) return std::nullopt;
  net::Response r = std::move(it->second);
  kept_.erase(it);
  return r;
}

std::uint64_t PreloadStore::bytes() const {
  std::lock_guard lock(mu_);
  return bytes_;
}

std::size_t PreloadStore::responses() const {
  std::lock_guard lock(mu_);
  return kept_.size();
}

bool PreloadStore::full() const {
  std::lock_guard lock(mu_);
  return full_;
}

net::RequestId RecordingTransport::submit(net::Request request, net::Executor& executor,
                                          net::RequestCallbacks callbacks) {
  if (request.post_body) return network_.submit(std::move(request), executor, std::move(callbacks));
  // A streamed body is copied here on its way to the caller: the store needs it whole.
  auto streamed = std::make_shared<std::vector<std::uint8_t>>();
  const bool streaming = static_cast<bool>(callbacks.on_chunk);
  net::RequestCallbacks cbs;
  if (streaming) {
    cbs.on_chunk = [streamed, inner = std::move(callbacks.on_chunk)](const net::BodyChunk& chunk) {
      streamed->insert(streamed->end(), chunk.begin(), chunk.end());
      inner(chunk);
    };
  }
  cbs.on_complete = [store = store_, on_full = on_full_, streamed, streaming, request,
                     inner = std::move(callbacks.on_complete)](net::Result result) {
    const int status = result.response.status;
    // A whole body: a success (file: reads have no status) with a 200 or a 206, never an error page.
    if (result.ok() && (status == 0 || status == 200 || status == 206)) {
      net::Response kept = result.response;
      if (streaming) kept.body = *streamed;
      kept.bytes_received = kept.body.size();
      if (!store->put(request, std::move(kept)) && store->full() && *on_full) (*on_full)();
    }
    if (inner) inner(std::move(result));
  };
  return network_.submit(std::move(request), executor, std::move(cbs));
}

struct PooledTransport::Delivery {
  net::RequestCallbacks callbacks;
  net::Response response;
  std::string url;
  bool cancelled = false;  // GUARDED_BY(State::mu)
};

struct PooledTransport::State {
  std::mutex mu;
  net::RequestId next = 0;                                     // GUARDED_BY(mu)
  std::map<net::RequestId, std::shared_ptr<Delivery>> queued;  // GUARDED_BY(mu)
  std::function<void()> on_served;
};

PooledTransport::PooledTransport(net::Transport& network, std::shared_ptr<PreloadStore> store,
                                 std::function<void()> on_served)
    : network_(network), store_(std::move(store)), state_(std::make_shared<State>()) {
  state_->on_served = std::move(on_served);
}

net::RequestId PooledTransport::submit(net::Request request, net::Executor& executor, net::RequestCallbacks callbacks) {
  std::optional<net::Response> kept = store_->take(request);
  if (!kept) return network_.submit(std::move(request), executor, std::move(callbacks));
  auto d = std::make_shared<Delivery>();
  d->callbacks = std::move(callbacks);
  d->response = std::move(*kept);
  d->response.from_memory = true;
  d->response.connection_reused = true;
  d->response.timing = {};
  d->url = request.url;
  net::RequestId id = 0;
  {
    std::lock_guard lock(state_->mu);
    id = ++state_->next | kMemoryBit;
    state_->queued.emplace(id, d);
  }
  executor.post([state = state_, d, id] {
    bool cancelled = false;
    {
      std::lock_guard lock(state->mu);
      cancelled = d->cancelled;
      state->queued.erase(id);
    }
    net::Result result;
    if (cancelled) {
      net::NetError cancelled_error;
      cancelled_error.code = net::NetErrorCode::kCancelled;
      cancelled_error.url = d->url;
      cancelled_error.message = d->url + ": cancelled";
      result.error = std::move(cancelled_error);
    } else {
      result.response = std::move(d->response);
      if (d->callbacks.on_chunk) {
        net::BodyChunk body = std::move(result.response.body);
        result.response.body.clear();
        if (!body.empty()) d->callbacks.on_chunk(std::move(body));
      }
      if (state->on_served) state->on_served();
    }
    if (d->callbacks.on_complete) d->callbacks.on_complete(std::move(result));
  });
  return id;
}

void PooledTransport::cancel(net::RequestId id) {
  if ((id & kMemoryBit) == 0) return network_.cancel(id);
  std::lock_guard lock(state_->mu);
  if (auto it = state_->queued.find(id); it != state_->queued.end()) it->second->cancelled = true;
}

}  // namespace abrplay::player_impl
