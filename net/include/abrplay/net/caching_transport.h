// abrplay/net/caching_transport.h: a Transport that answers from an HttpCache (cache.h) and
// forwards the rest to another Transport (the player's HttpClient).
//
//  - A fresh entry is served without a transfer: on the request's executor, its body as one
//    on_chunk (or in Response::body), then on_complete, with Response::from_cache set. A cancel()
//    before that task runs completes it with kCancelled instead.
//  - A stale entry with a validator goes out as a conditional request (If-None-Match with its ETag,
//    If-Modified-Since with its Last-Modified). A 304 refreshes the entry's headers and serves its
//    body (status and headers of the stored response, from_cache set); a 200 replaces it.
//  - Anything else goes to the inner transport; a GET answered 200 or 206 in full (not failed,
//    not cancelled) is stored when its headers allow (cache.h), streamed bodies included (the
//    chunks are copied as they pass). POSTs, file: URLs and requests while disabled pass through
//    untouched, and are neither counted nor stored.
//
// Threads: submit() and cancel() from any thread, as the Transport contract says; the cache and
// the table of requests are guarded by one mutex (disk reads and writes happen under it, on the
// submitting thread or the completing executor). `on_problem` (a disk that cannot be used, a
// corrupted entry) is called without the lock held, on that same thread, once per problem.
//
// Lifetime: the tasks it posts (cache hits) and the completions it wraps call into it, so it must
// outlive them: destroy it after the inner transport has shut down and the executors it was given
// have stopped running tasks (the Player: HttpClient::shutdown, EventLoop::stop, then this).
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <unordered_map>

#include "abrplay/core/clock.h"
#include "abrplay/net/cache.h"
#include "abrplay/net/transport.h"

namespace abrplay::net {

class CachingTransport final : public Transport {
 public:
  // `inner` and `clock` must outlive this object. The clock's wall time dates the entries.
  CachingTransport(Transport& inner, const Clock& clock, CacheOptions options,
                   std::function<void(const CacheProblem&)> on_problem = {});
  ~CachingTransport() override;
  CachingTransport(const CachingTransport&) = delete;
  CachingTransport& operator=(const CachingTransport&) = delete;

  RequestId submit(Request request, Executor& executor, RequestCallbacks callbacks) override;
  void cancel(RequestId id) override;

  // Off: every later request passes through as if there were no cache (the player turns the cache
  // off for a live presentation unless configured otherwise). Any thread.
  void set_enabled(bool enabled) { enabled_ = enabled; }
  bool enabled() const { return enabled_; }
  CacheStats stats() const;

 private:
  struct Pending {
    RequestId inner = 0;  // 0: served from the cache, or not handed to the inner transport yet
    bool cancelled = false;
  };
  struct Revalidation;
  RequestId forward(RequestId id, Request request, Executor& executor, RequestCallbacks callbacks,
                    std::shared_ptr<Revalidation> tee);
  void serve(RequestId id, std::shared_ptr<const CacheEntry> entry, std::string url, Executor& executor,
             RequestCallbacks callbacks, std::optional<Timing> timing);
  void complete(RequestId id, const std::shared_ptr<Revalidation>& tee, Result& result, RequestCallbacks& callbacks);
  void report(std::vector<CacheProblem> problems);

  Transport& inner_;
  const Clock& clock_;
  std::function<void(const CacheProblem&)> on_problem_;
  std::atomic<bool> enabled_{true};
  const std::uint64_t max_entry_bytes_;
  mutable std::mutex mu_;
  HttpCache cache_;                                 // guarded by mu_
  std::unordered_map<RequestId, Pending> pending_;  // guarded by mu_
  RequestId next_id_ = 1;                           // guarded by mu_
};

}  // namespace abrplay::net
