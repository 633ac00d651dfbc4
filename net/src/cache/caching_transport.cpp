// net/src/cache/caching_transport.cpp: serve from the cache, revalidate, or forward and store
// (caching_transport.h).
#include "abrplay/net/caching_transport.h"

#include <cctype>
#include <utility>

namespace abrplay::net {

namespace {

bool cacheable_request(const Request& r) {
  return !r.post_body && (r.url.rfind("http://", 0) == 0 || r.url.rfind("https://", 0) == 0);
}

bool has_header(const Headers& headers, std::string_view name) {
  for (const auto& [k, v] : headers) {
    if (k.size() != name.size()) continue;
    bool same = true;
    for (std::size_t i = 0; i < k.size() && same; ++i) {
      same = std::tolower(static_cast<unsigned char>(k[i])) == std::tolower(static_cast<unsigned char>(name[i]));
    }
    if (same) return true;
  }
  return false;
}

std::uint64_t size_of(const CacheEntry& e) { return e.body ? e.body->size() : 0; }

// Delivers a stored response as the transport contract says: the body as one chunk (or collected),
// then the completion.
void deliver(const CacheEntry& entry, std::string url, RequestCallbacks& callbacks, const Timing& timing) {
  Result r;
  r.response.status = entry.status;
  r.response.headers = entry.headers;
  r.response.effective_url = std::move(url);
  r.response.timing = timing;
  r.response.bytes_received = size_of(entry);
  r.response.accepts_ranges = entry.status == 206 || entry.header("accept-ranges") == std::string_view("bytes");
  r.response.from_cache = true;
  if (callbacks.on_chunk) {
    if (size_of(entry) > 0) callbacks.on_chunk(*entry.body);
  } else if (entry.body) {
    r.response.body = *entry.body;
  }
  if (callbacks.on_complete) callbacks.on_complete(std::move(r));
}

}  // namespace

// What a forwarded cacheable request carries to its completion.
struct CachingTransport::Revalidation {
  std::string key;
  std::string url;
  std::shared_ptr<const CacheEntry> stale;  // the entry being revalidated; null for a plain miss
  WallTime request_time;
  bool streaming = false;
  std::vector<std::uint8_t> streamed;  // the streamed chunks, copied as they pass (executor only)
  std::uint64_t limit = 0;             // CacheOptions::max_entry_bytes: beyond it, no copy is kept
  bool too_large = false;
};

CachingTransport::CachingTransport(Transport& inner, const Clock& clock, CacheOptions options,
                                   std::function<void(const CacheProblem&)> on_problem)
    : inner_(inner),
      clock_(clock),
      on_problem_(std::move(on_problem)),
      max_entry_bytes_(options.max_entry_bytes),
      cache_(std::move(options)) {}

CachingTransport::~CachingTransport() = default;

CacheStats CachingTransport::stats() const {
  std::lock_guard lock(mu_);
  return cache_.stats();
}

void CachingTransport::report(std::vector<CacheProblem> problems) {
  if (!on_problem_) return;
  for (const auto& p : problems) on_problem_(p);
}

RequestId CachingTransport::submit(Request request, Executor& executor, RequestCallbacks callbacks) {
  RequestId id = 0;
  {
    std::lock_guard lock(mu_);
    id = next_id_++;
  }
  if (!enabled_ || !cacheable_request(request))
    return forward(id, std::move(request), executor, std::move(callbacks), nullptr);
  const WallTime now = clock_.wall();
  auto tee = std::make_shared<Revalidation>();
  tee->key = cache_key(request.url, request.range);
  tee->url = request.url;
  tee->request_time = now;
  tee->streaming = static_cast<bool>(callbacks.on_chunk);
  tee->limit = max_entry_bytes_;
  std::shared_ptr<const CacheEntry> hit;
  std::vector<CacheProblem> problems;
  {
    std::lock_guard lock(mu_);
    auto entry = cache_.find(tee->key, now);
    if (entry && size_of(*entry) > request.max_body_bytes) entry = nullptr;  // the network says kTooLarge
    if (entry && entry->fresh(now)) {
      cache_.record_hit(size_of(*entry));
      pending_[id] = Pending{};
      hit = std::move(entry);
    } else if (entry && entry->revalidatable()) {
      tee->stale = std::move(entry);
    } else {
      cache_.record_miss();
    }
    problems = cache_.take_problems();
  }
  report(std::move(problems));
  if (hit) {
    serve(id, std::move(hit), std::move(request.url), executor, std::move(callbacks), std::nullopt);
    return id;
  }
  if (tee->stale) {
    if (auto etag = tee->stale->header("etag"); etag && !has_header(request.headers, "if-none-match")) {
      request.headers.emplace_back("If-None-Match", std::string(*etag));
    }
    if (auto lm = tee->stale->header("last-modified"); lm && !has_header(request.headers, "if-modified-since")) {
      request.headers.emplace_back("If-Modified-Since", std::string(*lm));
    }
  }
  return forward(id, std::move(request), executor, std::move(callbacks), std::move(tee));
}

void CachingTransport::serve(RequestId id, std::shared_ptr<const CacheEntry> entry, std::string url, Executor& executor,
                             RequestCallbacks callbacks, std::optional<Timing> timing) {
  executor.post(
      [this, id, entry = std::move(entry), url = std::move(url), callbacks = std::move(callbacks), timing]() mutable {
        bool cancelled = true;
        {
          std::lock_guard lock(mu_);
          if (auto it = pending_.find(id); it != pending_.end()) {
            cancelled = it->second.cancelled;
            pending_.erase(it);
          }
        }
        if (cancelled) {
          Result r;
          r.error = NetError{};
          r.error->code = NetErrorCode::kCancelled;
          r.error->message = url + ": cancelled";
          r.error->url = url;
          if (callbacks.on_complete) callbacks.on_complete(std::move(r));
          return;
        }
        deliver(*entry, std::move(url), callbacks, timing.value_or(Timing{}));
      });
}

RequestId CachingTransport::forward(RequestId id, Request request, Executor& executor, RequestCallbacks callbacks,
                                    std::shared_ptr<Revalidation> tee) {
  {
    std::lock_guard lock(mu_);
    pending_[id] = Pending{};
  }
  RequestCallbacks wrapped;
  if (callbacks.on_chunk) {
    wrapped.on_chunk = [tee, user = callbacks.on_chunk](const BodyChunk& chunk) {
      if (tee && !tee->too_large) {
        if (tee->streamed.size() + chunk.size() > tee->limit) {
          tee->too_large = true;  // it will not be stored: stop copying
          std::vector<std::uint8_t>().swap(tee->streamed);
        } else {
          tee->streamed.insert(tee->streamed.end(), chunk.begin(), chunk.end());
        }
      }
      user(std::move(chunk));
    };
  }
  wrapped.on_complete = [this, id, tee, callbacks = std::move(callbacks)](Result r) mutable {
    complete(id, tee, r, callbacks);
  };
  const RequestId inner_id = inner_.submit(std::move(request), executor, std::move(wrapped));
  bool cancel_now = false;
  {
    std::lock_guard lock(mu_);
    if (auto it = pending_.find(id); it != pending_.end()) {  // gone: it completed already
      it->second.inner = inner_id;
      cancel_now = it->second.cancelled;
    }
  }
  if (cancel_now) inner_.cancel(inner_id);
  return id;
}

void CachingTransport::complete(RequestId id, const std::shared_ptr<Revalidation>& tee, Result& result,
                                RequestCallbacks& callbacks) {
  {
    std::lock_guard lock(mu_);
    pending_.erase(id);
  }
  if (!tee) {
    if (callbacks.on_complete) callbacks.on_complete(std::move(result));
    return;
  }
  const WallTime now = clock_.wall();
  std::vector<CacheProblem> problems;
  const bool not_modified = tee->stale && result.error && result.error->code == NetErrorCode::kHttpStatus &&
                            result.error->http_status == 304;
  if (not_modified) {
    std::shared_ptr<const CacheEntry> entry;
    {
      std::lock_guard lock(mu_);
      entry = cache_.refresh(tee->key, result.response.headers, tee->request_time, now);
      cache_.record_revalidated(size_of(*tee->stale));
      problems = cache_.take_problems();
    }
    report(std::move(problems));
    // Still the stored body when the 304 forbade storing it from now on: it validated this one use.
    deliver(entry ? *entry : *tee->stale, tee->url, callbacks, result.response.timing);
    return;
  }
  const int status = result.response.status;
  {
    std::lock_guard lock(mu_);
    if (tee->stale) cache_.record_miss();  // revalidated, and a new body came
    if (result.ok() && (status == 200 || status == 206) && !tee->too_large) {
      auto entry = cacheable_entry(tee->key, status, result.response.headers, tee->request_time, now);
      if (entry) {
        entry->body = std::make_shared<const std::vector<std::uint8_t>>(tee->streaming ? std::move(tee->streamed)
                                                                                       : result.response.body);
        cache_.store(std::move(*entry), now);
      } else if (tee->stale) {
        cache_.erase(tee->key);  // the new response may not be stored: neither may the old one stay
      }
    }
    problems = cache_.take_problems();
  }
  report(std::move(problems));
  if (callbacks.on_complete) callbacks.on_complete(std::move(result));
}

void CachingTransport::cancel(RequestId id) {
  RequestId inner = 0;
  {
    std::lock_guard lock(mu_);
    auto it = pending_.find(id);
    if (it == pending_.end()) return;
    it->second.cancelled = true;
    inner = it->second.inner;
  }
  if (inner != 0) inner_.cancel(inner);
}

}  // namespace abrplay::net
