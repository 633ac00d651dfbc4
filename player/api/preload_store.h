// player/api/preload_store.h: the bytes of one preloaded title, and the two transports around them.
//
// A preload (preload_pool.h) runs a real StreamingEngine over a RecordingTransport: every
// successful GET the engine makes (manifest, index, init, media) is kept in a PreloadStore, keyed by
// what was asked (URL and byte range), within the title's byte budget. When the title is played,
// the session's engine runs over a PooledTransport: a request that matches a kept response is
// answered from memory, once, with Response::from_memory set (no throughput sample, no CDN
// measurement); every other request goes to the network.
//
// Keys: the URL without a CMCD query argument (CMCD in query mode makes each request's URL unique)
// and the byte range; POSTs are never kept nor answered.
//
// Threads: a store is shared by the preload's transport callbacks (player thread) and the session's
// PooledTransport (submit() may come from any thread), so it locks; the transports' callbacks hold
// the store and their state by shared_ptr, never the transport object, so a completion that comes
// after the transport is gone is safe.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "abrplay/net/transport.h"

namespace abrplay::player_impl {

// The key of a request in a store: "URL without CMCD|first-last"; empty for a POST.
std::string preload_key(const net::Request& request);

class PreloadStore {
 public:
  explicit PreloadStore(std::uint64_t byte_budget) : budget_(byte_budget) {}

  // Keeps `response` (its body complete) for `request`. False, nothing kept, when the body would
  // take the store past its budget (full() is then true) or the request is a POST.
  bool put(const net::Request& request, net::Response response);
  // The response kept for `request`, removed (each is answered once); empty when none.
  std::optional<net::Response> take(const net::Request& request);

  std::uint64_t bytes() const;    // body bytes kept (taken ones still count: they were fetched)
  std::size_t responses() const;  // responses kept and not taken yet
  bool full() const;              // a response did not fit in the budget
  std::uint64_t budget() const { return budget_; }

 private:
  const std::uint64_t budget_;
  mutable std::mutex mu_;
  std::map<std::string, net::Response> kept_;  // GUARDED_BY(mu_)
  std::uint64_t bytes_ = 0;                    // GUARDED_BY(mu_)
  bool full_ = false;                          // GUARDED_BY(mu_)
};

// The preload engine's transport: forwards to `network`, keeps every successful GET in `store`.
// `on_full` runs on the request's executor when a response did not fit.
class RecordingTransport final : public net::Transport {
 public:
  RecordingTransport(net::Transport& network, std::shared_ptr<PreloadStore> store, std::function<void()> on_full)
      : network_(network), store_(std::move(store)), on_full_(std::make_shared<std::function<void()>>(on_full)) {}
  net::RequestId submit(net::Request request, net::Executor& executor, net::RequestCallbacks callbacks) override;
  void cancel(net::RequestId id) override { network_.cancel(id); }

 private:
  net::Transport& network_;
  std::shared_ptr<PreloadStore> store_;
  std::shared_ptr<std::function<void()>> on_full_;
};

// A played preload's transport: answers from `store` what it holds, once each, on the request's
// executor (one chunk, then on_complete); the rest goes to `network`. `on_served` runs on that
// executor for every answer from memory.
class PooledTransport final : public net::Transport {
 public:
  PooledTransport(net::Transport& network, std::shared_ptr<PreloadStore> store, std::function<void()> on_served);
  net::RequestId submit(net::Request request, net::Executor& executor, net::RequestCallbacks callbacks) override;
  // An answer from memory not delivered yet completes with kCancelled instead.
  void cancel(net::RequestId id) override;

 private:
  struct Delivery;
  struct State;
  // Ids of answers from memory have the top bit set: the network's ids never reach it.
  static constexpr net::RequestId kMemoryBit = net::RequestId{1} << 63;
  net::Transport& network_;
  std::shared_ptr<PreloadStore> store_;
  std::shared_ptr<State> state_;
};

}  // namespace abrplay::player_impl
