// abrplay/net/transport.h: the one interface through which the player reaches the network.
//
// HttpClient (libcurl, http_client.h) is the production Transport. The ABR lab's LabNetwork
// (player/lab) is another: a trace-shaped link on virtual time that serves a presentation from
// memory. Fetcher, the streaming engine and the telemetry Reporter see only this interface, so the
// same engine code runs on both.
//
// The contract every implementation keeps (the engine relies on it):
//   - submit() may be called from any thread and returns at once; a request that cannot be made
//     (a malformed URL, a scheme the transport does not serve) still completes, with an error.
//   - Callbacks run on the Executor given to submit(), in this order: on_chunk* (only when
//     RequestCallbacks::on_chunk is set; the body is then not collected in Response::body), then
//     exactly one on_complete, also when the request is cancelled (kCancelled) or the transport
//     shuts down.
//   - cancel() of a finished or unknown id does nothing.
#pragma once

#include <cstdint>
#include <functional>

#include "abrplay/net/executor.h"
#include "abrplay/net/request.h"
#include "abrplay/net/response.h"

namespace abrplay::net {

using RequestId = std::uint64_t;

struct RequestCallbacks {
  // If set, the body is streamed here instead of collected in Response::body.
  // The piece is valid only during the call (the client reuses its buffer): copy what you keep.
  std::function<void(const BodyChunk&)> on_chunk;
  std::function<void(Result)> on_complete;
};

class Transport {
 public:
  virtual ~Transport() = default;
  // Queues a request. Any thread.
  virtual RequestId submit(Request request, Executor& executor, RequestCallbacks callbacks) = 0;
  // Cancels one request: it completes with kCancelled unless it has already finished. Any thread.
  virtual void cancel(RequestId id) = 0;
};

}  // namespace abrplay::net
