// abrplay/net/http_client.h: HTTP(S) transfers on one libcurl thread.
//
// Threads. HttpClient owns one thread, "abrplay-net", which owns the curl multi handle and every
// easy handle. The public methods may be called from any thread: they queue a command and wake the
// net thread with curl_multi_wakeup. The net thread waits in curl_multi_poll (never sleeps, never
// polls on a timer of its own beyond the next curl, stall or start deadline).
//
// Callbacks. Chunks and the completion of a request run on the Executor passed to submit(), in this
// order: on_chunk* (streamed requests only), on_complete (with the transfer's timing). Exactly one
// on_complete per submitted request, including when it is cancelled or the client shuts down.
//
// Back-pressure. A streamed request gets its body in on_chunk. When more than `stream_window_bytes`
// have been posted but their on_chunk has not yet returned, the transfer is paused
// (curl_easy_pause); it resumes once the consumer has caught up to half the window.
//
// Connections. One connection cache for all requests: connections are reused, HTTP/2 streams are
// multiplexed when the server offers h2 (CURLPIPE_MULTIPLEX), and connections per host are capped.
//
// Safe defaults: http and https only (file: too for a request with Request::file_access kAllowed,
// read by curl's file protocol: same callbacks, chunks, ranges and cancel); at most 5 redirects,
// never to another scheme; TLS peer and host verification always on; no cookies; User-Agent from
// default_user_agent().
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "abrplay/net/executor.h"
#include "abrplay/net/log.h"
#include "abrplay/net/request.h"
#include "abrplay/net/response.h"
#include "abrplay/net/transport.h"

namespace abrplay::net {

struct ClientOptions {
  // Connections per host. 6 is what browsers use for HTTP/1.1; with HTTP/2 one is used per host.
  long max_host_connections = 6;
  // Transfers handed to curl at once; more wait in a priority queue (counted as queue wait).
  int max_active_transfers = 32;
  // Bytes posted to on_chunk and not yet consumed before the transfer pauses. 1 MiB holds about a
  // second of a 8 Mbit/s stream: enough to ride out a busy consumer, small enough to bound memory.
  std::uint64_t stream_window_bytes = 1u << 20;
  // curl's receive buffer (curl's default is 16 KiB; the curl tool's 100 KiB). 64 KiB was fastest
  // for one large body over loopback: 256 KiB ran at 0.6 x curl, its reads no longer in cache.
  long receive_buffer_bytes = 64 * 1024;
  // A streamed body reaches on_chunk in pieces of at most this many bytes: whatever arrived in one
  // pass of the net loop, cut at this size. Each piece costs a post to the consumer's executor, and
  // its buffer is recycled once on_chunk returns (so on_chunk must copy what it keeps).
  std::size_t chunk_bytes = 256 * 1024;
  std::string user_agent;     // empty = default_user_agent()
  std::string ca_file;        // extra CA bundle (PEM), e.g. for a test server's self-signed cert
  LogCallback log;            // may be empty
  bool curl_verbose = false;  // forward curl's verbose log (headers, connection reuse) to `log`
};

// The production Transport (transport.h).
class HttpClient final : public Transport {
 public:
  explicit HttpClient(ClientOptions options = {});
  // Cancels everything in flight (each gets on_complete with kCancelled) and joins the net thread.
  ~HttpClient() override;
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Queues a request. A URL that is malformed, not http/https, or file: without
  // Request::file_access kAllowed (check_request_url) completes at once with kBadUrl (still through
  // `executor`). Any thread.
  RequestId submit(Request request, Executor& executor, RequestCallbacks callbacks) override;

  // Cancels one request: it completes with kCancelled unless it has already finished. Any thread.
  void cancel(RequestId id) override;

  // Cancels all requests and stops the net thread; later submits complete with kCancelled.
  // Returns once the thread has stopped. Idempotent. Any thread but the net thread.
  void shutdown();

  // Transfers submitted and not yet completed (for tests and telemetry). Any thread.
  std::size_t in_flight() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace abrplay::net
