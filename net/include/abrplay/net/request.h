// abrplay/net/request.h: what to fetch, and how long to wait for it.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace abrplay::net {

using Headers = std::vector<std::pair<std::string, std::string>>;

// An inclusive byte range, as HTTP writes it: {0, 99} is "bytes=0-99". No `last` means to the end.
struct ByteRange {
  std::uint64_t first = 0;
  std::optional<std::uint64_t> last;
  std::string header_value() const;  // "0-99" or "100-"
};

// Whether a request may read local files through file: URLs. The rule (docs/security.md, "Local
// files"): only a document that was itself read from a file: URL may send its references to file:;
// a document loaded over http(s) never does, whatever its BaseURL, template or redirect says.
// net::check_request_url (url.h) applies it to every request HttpClient takes and to every URL the
// Fetcher resolves. kRefused is the default, so a request nobody marked can never read a file.
enum class FileAccess { kRefused, kAllowed };

// Higher runs first when transfers queue for a slot, and maps to the HTTP/2 stream weight.
enum class Priority { kLow = 0, kNormal = 1, kHigh = 2 };

struct Timeouts {
  // Until the connection (and TLS) is up. 0 = no limit.
  std::chrono::milliseconds connect{10'000};
  // No byte received for this long, once connected (waiting for the first byte counts), fails the
  // transfer. Time paused by back-pressure does not count. 0 = no limit.
  std::chrono::milliseconds stall{10'000};
  // The whole transfer, from the moment it starts (queue wait excluded, back-pressure pauses
  // included). 0 = no limit.
  std::chrono::milliseconds total{0};
};

struct Request {
  std::string url;  // absolute http:// or https:// URL; file:// too when file_access is kAllowed
  std::optional<ByteRange> range;
  Headers headers;  // extra request headers, e.g. {"Authorization", "Bearer ..."}
  Priority priority = Priority::kNormal;
  Timeouts timeouts;
  // Larger bodies fail with kTooLarge. 64 MiB by default: far above any media segment, small
  // enough that a hostile server cannot exhaust memory.
  std::uint64_t max_body_bytes = 64ull << 20;
  // The body size the caller expects (a media segment's declared size), 0 when unknown. A Fetcher
  // spends its CDN measurements (HostSelector, kMeasure) only on requests large enough to time.
  std::uint64_t expected_bytes = 0;
  // Do not start before this long after submission (used for retry backoff). 0 = at once.
  std::chrono::milliseconds start_delay{0};
  // When set, the request is a POST of these bytes (e.g. a telemetry report); put the
  // Content-Type in `headers`. Absent: a GET.
  std::optional<std::string> post_body;
  // kAllowed only for a request on behalf of a document read from file: (see FileAccess).
  FileAccess file_access = FileAccess::kRefused;
};

// The bytes of a streamed body, in order. An owning copy: it outlives curl's buffer.
using BodyChunk = std::vector<std::uint8_t>;

}  // namespace abrplay::net
