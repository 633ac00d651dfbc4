// abrplay/net/response.h: what came back, how long it took, and the throughput sample it yields.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "abrplay/net/error.h"
#include "abrplay/net/request.h"

namespace abrplay::net {

using Micros = std::chrono::microseconds;

// Phases of one transfer. Each is a duration of its own (not cumulative).
struct Timing {
  Micros queue_wait{0};   // submit() until the transfer was handed to curl
  Micros dns_connect{0};  // DNS, TCP and TLS; 0 when a connection was reused
  Micros ttfb{0};         // request sent until the first response byte
  Micros transfer{0};     // first response byte until the last
  Micros total{0};        // handed to curl until done (includes redirects)
};

struct Response {
  int status = 0;                  // the HTTP status; 0 for a file: URL (curl reads files without one)
  Headers headers;                 // of the final response; names lower-cased
  std::vector<std::uint8_t> body;  // empty when the body was streamed to on_chunk
  std::string effective_url;       // after redirects
  Timing timing;
  std::uint64_t bytes_received = 0;  // body bytes accepted (streamed or buffered)
  bool connection_reused = false;
  bool accepts_ranges = false;               // "Accept-Ranges: bytes", or a 206 answer
  int http_version = 0;                      // 1 (1.x), 2 or 3; 0 if unknown
  int pause_count = 0;                       // times back-pressure paused the transfer
  std::uint64_t peak_undelivered_bytes = 0;  // most bytes posted but not yet consumed
  // Answered from memory (the player's preload pool), not over the network: its timing says nothing
  // about the link now, so it yields no throughput sample.
  bool from_memory = false;
  // The body came from CachingTransport's cache (a fresh hit, or a 304 to a revalidation): no
  // transfer measured the link, so it makes no throughput sample.
  bool from_cache = false;

  // The first header with this name (case-insensitive), if any.
  std::optional<std::string_view> header(std::string_view name) const;
};

// The outcome of one transfer: the response as far as it got, and the error if it failed.
struct Result {
  Response response;
  std::optional<NetError> error;
  bool ok() const { return !error.has_value(); }
};

}  // namespace abrplay::net
