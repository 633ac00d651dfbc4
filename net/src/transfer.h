// net/src/transfer.h: one request's state while the net thread works on it (private to net/).
//
// Every field is owned by the net thread once the Transfer is submitted; the curl callbacks below
// run on that thread too (from inside curl_multi_perform or curl_easy_pause).
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "abrplay/net/http_client.h"
#include "chunk_pool.h"
#include "curl_handles.h"

namespace abrplay::net::detail {

using SteadyClock = std::chrono::steady_clock;

// The net thread's inbox; shared with chunk tasks so that consumers can post acknowledgements even
// while the client shuts down (they are dropped once it is closed).
class Mailbox;

// Back-pressure bookkeeping shared by the net thread and the consumer's chunk tasks. The consumer
// only decrements `undelivered` and asks for a resume; it never touches curl. The order of the
// two atomics (net: set `resume_wanted`, then read `undelivered`; consumer: decrement, then
// exchange `resume_wanted`) guarantees that a pause is always followed by a resume request.
struct Flow {
  std::atomic<std::uint64_t> undelivered{0};  // posted to on_chunk, not yet consumed
  std::atomic<bool> resume_wanted{false};     // the net thread is (about to be) paused
};

struct Transfer {
  RequestId id = 0;
  Request request;
  std::shared_ptr<const RequestCallbacks> callbacks;
  Executor* executor = nullptr;
  const ClientOptions* options = nullptr;
  std::weak_ptr<Mailbox> mailbox;
  // The client's shutdown flag: once set, on_write pauses at once, so that the curl_multi_perform
  // in progress returns after at most one buffer per transfer instead of draining fast bodies.
  const std::atomic<bool>* stopping = nullptr;

  EasyPtr easy;
  SlistPtr header_list;
  std::array<char, CURL_ERROR_SIZE> errbuf{};

  SteadyClock::time_point submitted_at;
  SteadyClock::time_point not_before;
  SteadyClock::time_point started_at;
  SteadyClock::time_point last_activity;  // last body/header byte, connect, or resume
  bool connected = false;
  bool paused = false;  // curl_easy_pause is in effect (net thread's view)
  std::shared_ptr<Flow> flow = std::make_shared<Flow>();
  BodyChunk pending_chunk;          // streamed bytes gathered for the next post (see flush_chunk)
  std::shared_ptr<ChunkPool> pool;  // the client's; chunk tasks give their buffer back to it

  Response response;
  bool status_known = false;
  bool status_ok = false;
  bool local_file = false;  // a file: URL: no HTTP status, ranges always honoured
  // Set by our own checks inside callbacks (too large, Range ignored); wins over curl's code.
  std::optional<NetError> local_error;

  bool streaming() const { return callbacks && static_cast<bool>(callbacks->on_chunk); }
};

// Creates and configures the easy handle (all safe defaults). Returns an error for a bad URL.
std::optional<NetError> configure_easy(Transfer& t, const std::string& user_agent);

// Posts the streamed bytes gathered so far to on_chunk. Small reads are coalesced so that a fast
// transfer costs one post per receive buffer rather than one per read; the net thread flushes
// after every curl_multi_perform, so coalescing adds no latency beyond one loop iteration.
void flush_chunk(Transfer& t);

// Builds the result once curl is done with the transfer (or we aborted it with `local`).
Result finish_transfer(Transfer& t, CURLcode code);

NetError make_error(NetErrorCode code, const std::string& url, const std::string& detail);

}  // namespace abrplay::net::detail
