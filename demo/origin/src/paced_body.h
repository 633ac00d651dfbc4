// paced_body.h: writes one response body through a CDN's shaped link, chunk by chunk, and applies
// the faults that act on bodies (reset, stall, truncate, corrupt; see fault_plan.h).
//
// Each chunk (SharedLink::chunk_bytes) is reserved on the link and written when the link says it
// has crossed; waits go through the origin's StopSignal. Threading: cpp-httplib calls the provider
// on the connection's thread only, so BodyProgress needs no lock; the logger reads it afterwards on
// the same thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include <httplib.h>

#include "content_store.h"
#include "fault_plan.h"
#include "shared_link.h"
#include "stop_token_wait.h"

namespace abrplay::origin {

struct BodyProgress {
  std::optional<Fault> fault;                             // decided on arrival
  std::uint64_t sent = 0;                                 // body bytes written
  bool started = false;                                   // the provider ran (window_len is set)
  std::size_t window_len = 0;                             // bytes this response carries (its first range)
  bool stalled = false;                                   // the stall fault has happened
  bool paced = false;                                     // last_deadline is set
  std::chrono::steady_clock::time_point last_deadline{};  // when the previous chunk crossed
};

// The two ends of the connection, to find its socket for the reset fault.
struct ConnectionEnds {
  int local_port = 0;
  std::string remote_addr;
  int remote_port = 0;
};

// The content provider for one response. `link`, `stop` must outlive it (the origin's do).
httplib::ContentProvider paced_body(std::shared_ptr<Body> body, std::shared_ptr<BodyProgress> progress,
                                    SharedLink& link, StopSignal& stop, ConnectionEnds ends);

}  // namespace abrplay::origin
