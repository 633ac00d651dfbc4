// origin_session.h: the set-up of the engine tests over real sockets and real time: abrplay-origin
// started in-process, then a Harness whose engine loads from it. A test states only what differs:
// the content or OriginConfig (faults, live, CDNs), the consumer's speed, the EngineConfig and
// algorithm (Harness::start), the path loaded and the state waited for.
//
//   SyntheticContent content(spec);
//   OriginSession h(content);               // origin over `content`, harness at 4x
//   h.start(cfg);                            // Harness::start: the engine on the player thread
//   h.open_until(EngineState::kEnded);       // loads manifest.mpd; REQUIREs kEnded within kLimit
//   // ... h.rec, h.engine, h.on_loop as with a Harness
//
// Lifetimes: the origin is started before the harness is made and stopped after the harness is torn
// down (engine, consumer, HTTP client, loop), as when a test declared the origin first. The origin
// lives in a base class listed before Harness, so that it is built first and destroyed last.
// Test thread only.
#pragma once

#include <catch2/catch.hpp>

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <utility>

#include "support/engine_harness.h"
#include "support/synthetic_content.h"
#include "test_origin.h"

namespace abrplay::engine::test {

using abrplay::test::fault_plan;

// An origin serving `content`'s folder (one CDN, VOD, no faults): the base of a test's OriginConfig.
inline origin::OriginConfig serving(const SyntheticContent& content) {
  return abrplay::test::origin_serving({content.dir().string()});
}

namespace detail {
struct OriginHolder {
  explicit OriginHolder(origin::OriginConfig config) : origin_(abrplay::test::start_origin(std::move(config))) {}
  std::unique_ptr<origin::Origin> origin_;
};
}  // namespace detail

class OriginSession : private detail::OriginHolder, public Harness {
 public:
  // Starts an origin with `config`, then a harness whose consumer plays at `speed`.
  explicit OriginSession(origin::OriginConfig config, double speed = 4.0)
      : detail::OriginHolder(std::move(config)), Harness(speed) {}
  explicit OriginSession(const SyntheticContent& content, double speed = 4.0)
      : OriginSession(serving(content), speed) {}

  const origin::Origin& server() const { return *origin_; }
  // The URL of `path` on CDN `cdn`.
  std::string url(const std::string& path, std::size_t cdn = 0) const { return server().url(cdn) + path; }

  // Loads url(path); REQUIREs that the engine took it. After start().
  void open(const std::string& path = "manifest.mpd") { REQUIRE(load(url(path)).code == ErrorCode::kOk); }
  // open(path), then REQUIREs that the engine reaches `state` within `limit` (real time).
  void open_until(EngineState state, std::chrono::milliseconds limit = kLimit,
                  const std::string& path = "manifest.mpd") {
    open(path);
    REQUIRE(rec.wait_state(state, limit));
  }
};

}  // namespace abrplay::engine::test
