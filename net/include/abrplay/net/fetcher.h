// abrplay/net/fetcher.h: "fetch this, with retries and CDN failover": what the player calls.
//
//   net::HttpClient http;                         // the one net thread
//   net::Fetcher fetcher(http, player_loop, {.hosts = {{"https://cdn-a/v/"}, {"https://cdn-b/v/"}}});
//   fetcher.fetch(req_for("seg-42.m4s"), {.on_complete = [](net::FetchOutcome r) { ... }});
//
// A relative Request::url (no scheme) is resolved against the base URL the HostSelector picks (absolute URLs
// are fetched as they are, with retries but no failover). A failed attempt is judged by the
// RetryPolicy: a retry goes to the best healthy host at once if that is another host (failover),
// else after the backoff delay; a partly received body continues with a Range request where the
// server accepts ranges, so streamed chunks are never repeated.
//
// Threads: all Fetcher state lives on the `owner` executor (the player's loop), so none of it is
// locked; `owner` must run tasks one at a time (the player loop, a ThreadExecutor; not an
// InlineExecutor). fetch() and cancel() may be called from any thread (they post to the owner); callbacks
// and the on_host_chosen observer run on the owner. Lifetimes: the Transport (an HttpClient, or the
// lab's LabNetwork) must outlive the Fetcher, and the owner executor must outlive the Transport (it
// still receives completions).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "abrplay/core/expected.h"
#include "abrplay/core/time.h"
#include "abrplay/net/host_selector.h"
#include "abrplay/net/retry_policy.h"
#include "abrplay/net/transport.h"

namespace abrplay::net {

struct FetchResult {
  Response response;     // body: the whole body across resumed attempts (unless streamed)
  std::string base_url;  // the host that served the last attempt ("" for absolute URLs)
  int attempts = 1;
};

using FetchOutcome = Expected<FetchResult, NetError>;

struct FetchCallbacks {
  // Optional: stream the body (never repeats bytes). Each piece is valid only during the call.
  std::function<void(const BodyChunk&)> on_chunk;
  std::function<void(FetchOutcome)> on_complete;
};

struct FetcherConfig {
  std::vector<HostCandidate> hosts;  // may be empty when every request is absolute
  RetryParams retry;
  HostSelectorParams selection;
  std::function<double()> random;   // uniform [0, 1); empty = a std::mt19937 seeded from random_device
  std::function<SteadyTime()> now;  // empty = steady_clock::now
  // Whether this fetcher's requests may read file: URLs (request.h, FileAccess): kAllowed only for
  // the fetches of a document read from file: (net::file_access_for). Every attempt's
  // Request::file_access is set to this, and relative URLs resolve under the same rule.
  FileAccess file_access = FileAccess::kRefused;
  // The pathway order the selector starts with (HostSelector::set_pathway_priority), and why; empty:
  // the hosts' own priorities. set_pathway_priority() changes it later.
  std::vector<std::string> pathway_priority;
  std::string pathway_why;
  // Every host choice with its reason, for telemetry.
  std::function<void(const HostChoice&)> on_host_chosen;
};

class Fetcher {
 public:
  Fetcher(Transport& transport, Executor& owner, FetcherConfig config);
  // Cancels what is still running; each fetch still completes once (kCancelled) on the owner.
  ~Fetcher();
  Fetcher(const Fetcher&) = delete;
  Fetcher& operator=(const Fetcher&) = delete;

  using FetchId = std::uint64_t;
  FetchId fetch(Request request, FetchCallbacks callbacks);  // any thread
  void cancel(FetchId id);                                   // any thread
  // Re-ranks the hosts by pathway (HostSelector::set_pathway_priority) for the fetches that start
  // after it runs on the owner. Any thread; does nothing for a fetcher without hosts.
  void set_pathway_priority(std::vector<std::string> priority, std::string why);

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace abrplay::net
