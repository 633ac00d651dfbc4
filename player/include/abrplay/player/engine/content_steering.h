// abrplay/player/engine/content_steering.h: DASH-IF Content Steering (DASH-IF CTS 001; ISO/IEC
// 23009-1 6th ed. K.3.6) as a pure policy: no clock, no I/O, no locks. The engine
// (engine_steering.cpp) fetches, keeps the timer and feeds the fetchers' HostSelectors; this file
// decides what to ask, what an answer means and when to ask again.
//
// The MPD's ContentSteering element names a steering server. Its answer, a steering manifest, is
// a JSON object:
//   {"VERSION": 1, "TTL": 10, "RELOAD-URI": "next?s=1", "PATHWAY-PRIORITY": ["cdn-b", "cdn-a"]}
// VERSION must be 1; TTL (seconds) defaults to 300; RELOAD-URI, resolved against the URL the
// answer came from, replaces the server URL for the next request; PATHWAY-PRIORITY (required, a
// non-empty array of strings) ranks the BaseURLs by @serviceLocation. PATHWAY-CLONES (HLS-style
// pathway cloning) is not supported: an answer carrying it is used without it, with a warning.
//
// Each request carries the client's state as query arguments: `_DASH_pathway` (the pathway in use,
// quoted: "cdn-a", as dash.js sends it) and `_DASH_throughput` (the throughput estimate in bit/s,
// left out while none is known). With @proxyServerURL the request goes to the proxy, with the
// steering URL as its `url` argument.
//
// What goes wrong, and what the session then does (always: a warning, and playback goes on):
//   - the server fails (connection, timeout, HTTP error, redirect loop, a body over 64 KiB): keep
//     the last good order (before any: the MPD's defaultServiceLocation, else its own BaseURL
//     order) and ask again after the last TTL (300 s before any answer); 429 with Retry-After:
//     after that delay; 410 Gone: never again this session (the spec's rule).
//   - the answer is malformed (not JSON, not an object, VERSION not 1, TTL not a positive number,
//     no PATHWAY-PRIORITY array of strings): as a failure, naming the URL and what was wrong.
//   - the answer names only pathways the MPD does not have: the order is kept, with a warning that
//     lists the pathways the MPD does have; some unknown names among known ones are skipped.
// A problem the same as the one before (the same code and HTTP status from the same steering URL,
// or the same words about an answer) is not warned again: a server that keeps failing alike every
// TTL is said once, until an answer without a problem comes.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "abrplay/core/expected.h"
#include "abrplay/core/units.h"
#include "abrplay/player/error.h"
#include "abrplay/player/manifest/model.h"

namespace abrplay::engine {

// The spec's default TTL, for an answer without one and before the first answer.
inline constexpr std::chrono::seconds kDefaultSteeringTtl{300};
// The largest TTL taken as it is (a day): a larger one is cut to this, so the arithmetic of the
// reload time cannot overflow and a session still hears from the server once a day.
inline constexpr std::chrono::seconds kMaxSteeringTtl{86'400};
// A steering manifest is a few hundred bytes; 64 KiB bounds a hostile or broken server.
inline constexpr std::size_t kMaxSteeringManifestBytes = 64 * 1024;

struct SteeringManifest {
  int version = 1;
  std::chrono::seconds ttl = kDefaultSteeringTtl;
  std::string reload_uri;  // absolute (resolved against the answer's URL); empty: none
  std::vector<std::string> pathway_priority;
  std::vector<std::string> notes;  // what was ignored ("PATHWAY-CLONES is not supported")
};

// Parses a steering manifest fetched from `url`. Errors are kManifestInvalidValue (kManifestLimitExceeded
// over kMaxSteeringManifestBytes), their message naming the URL and what was wrong:
// "steering manifest http://s/steer: TTL must be a positive number, got -1".
Expected<SteeringManifest, Error> parse_steering_manifest(std::string_view body, std::string_view url);

// What the client reports in each request.
struct SteeringState {
  std::string pathway;                 // in use ("" when not known yet: the argument is left out)
  std::optional<DataRate> throughput;  // the session's estimate; none: the argument is left out
};

// A failed steering request, as the engine saw it.
struct SteeringFailure {
  Error error;                                      // what failed, naming the URL
  int http_status = 0;                              // 0 when no HTTP answer came
  std::optional<std::chrono::seconds> retry_after;  // a 429's Retry-After
};

// What to do after an answer or a failure.
struct [[nodiscard]] SteeringUpdate {
  // Apply this pathway order (HostSelector::set_pathway_priority); absent: keep the current one.
  std::optional<std::vector<std::string>> priority;
  std::string why;  // for the host choice's detail: "steering answer from http://s/steer: cdn-b, cdn-a"
  // Ask again this long from now; absent: never again (410 Gone).
  std::optional<std::chrono::seconds> reload_after;
  std::vector<Error> warnings;  // each names the steering URL and what was wrong; repeats left out
};

class SteeringPolicy {
 public:
  // `element`: the MPD's ContentSteering; `pathways`: the @serviceLocation values its BaseURLs
  // have (the pathways an answer may name).
  SteeringPolicy(manifest::ContentSteering element, std::vector<std::string> pathways);

  // The order before any answer: @defaultServiceLocation, the names the MPD has; empty: the
  // MPD's own BaseURL order.
  std::vector<std::string> initial_priority() const;
  bool query_before_start() const { return element_.query_before_start; }

  // The URL of the next request: the last answer's RELOAD-URI or the server URL, with the state
  // as query arguments (net::append_query), through the proxy when the MPD names one.
  Expected<std::string, Error> request_url(const SteeringState& state) const;

  // The body fetched from `url` (the URL after redirects).
  SteeringUpdate on_answer(std::string_view body, std::string_view url);
  SteeringUpdate on_failure(const SteeringFailure& failure);

  // The last good answer (none yet: empty).
  const std::optional<SteeringManifest>& last_answer() const { return last_; }
  // The pathway order now in force (the last applied; initially initial_priority()).
  const std::vector<std::string>& priority() const { return priority_; }

 private:
  std::string known_list() const;
  // Adds `e` to `u` unless `key` is the problem said last.
  void say(SteeringUpdate& u, Error e, std::string key);

  manifest::ContentSteering element_;
  std::vector<std::string> pathways_;
  std::optional<SteeringManifest> last_;
  std::vector<std::string> priority_;
  std::string last_problem_;  // the key of the last warning; empty after a clean answer
};

}  // namespace abrplay::engine
