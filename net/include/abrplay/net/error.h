// abrplay/net/error.h: why a transfer failed, as a value with a stable code.
//
// The numbers equal the player's 2xxx network codes (player/include/abrplay/player/error.h), so the
// player maps them with a cast; net/ cannot include player/ because dependencies point the other way.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace abrplay::net {

enum class NetErrorCode : int {
  kIo = 2001,          // connect failure, DNS failure, reset, connection closed early
  kTimeout = 2002,     // connect, stall or total timeout
  kHttpStatus = 2003,  // a non-2xx status, or a 200 where a Range asked for 206
  kTooLarge = 2004,    // the body exceeded Request::max_body_bytes
  kCancelled = 2005,   // cancelled by the caller or by shutdown
  kBadUrl = 2006,      // malformed URL, a scheme other than http/https, or file: the request may not read
  kTls = 2007,         // TLS handshake or certificate verification failed
  kRedirect = 2008,    // more than 5 redirects, or a redirect to another scheme
  kFile = 2009,        // a file: URL names no readable regular file (missing, a directory, no permission)
};

// "network.io", "network.timeout", ... (same names as the player's codes).
std::string_view to_string(NetErrorCode code);

enum class TimeoutKind { kNone, kConnect, kStall, kTotal };

struct NetError {
  NetErrorCode code = NetErrorCode::kIo;
  std::string message;  // what failed and where, always naming the URL
  std::string url;      // the URL as requested
  int http_status = 0;  // the final status when one was received, else 0
  int curl_code = 0;    // CURLcode, 0 when the failure was not curl's (status, cancel, stall)
  TimeoutKind timeout = TimeoutKind::kNone;
  // The server's Retry-After (delta-seconds or HTTP date, parsed by curl), if it sent one.
  std::optional<std::chrono::seconds> retry_after;

  // "network.http_status: http://h/a.m4s: HTTP 404"
  std::string describe() const;
};

}  // namespace abrplay::net
