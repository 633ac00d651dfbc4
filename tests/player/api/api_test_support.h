// api_test_support.h: shared by the Player API tests: an event recorder that waits on a condition
// variable (no sleeps), a state trail for failure messages, an in-process abrplay-origin, and
// PlayerSession, the set-up of a test's player.
//
//   auto origin = serve();                                  // the real test content on 127.0.0.1
//   PlayerSession p(config);                                // a Player, a Recorder listening
//   p.load_until(manifest_url(*origin), PlayerState::kEnded);
//   CHECK(p.player.stats().frames_presented == 200);
//
// The origin stays apart from the session: a test's PlayerConfig often names the origin (telemetry
// URL), several players share one origin, and some tests stop the origin to read its logs.
#pragma once

#include <catch2/catch.hpp>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "abrplay/player.h"
#include "origin.h"
#include "test_origin.h"

namespace abrplay::test {

inline constexpr std::chrono::seconds kWaitLimit{30};  // a hang, reported as a failure

// Records events; waits on a condition variable.
class Recorder final : public abrplay::PlayerListener {
 public:
  void on_event(const abrplay::PlayerEvent& e) override {
    std::lock_guard lock(mu_);
    events_.push_back(e);
    cv_.notify_all();
  }
  bool wait(const std::function<bool(const std::vector<abrplay::PlayerEvent>&)>& pred,
            std::chrono::seconds limit = kWaitLimit) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, limit, [&] { return pred(events_); });
  }
  bool wait_state(abrplay::PlayerState s, std::chrono::seconds limit = kWaitLimit) {
    return wait([s](const auto& ev) { return reached(ev, s); }, limit);
  }
  bool wait_error(std::chrono::seconds limit = kWaitLimit) {
    return wait([](const auto& ev) { return first_error(ev) != nullptr; }, limit);
  }
  static bool reached(const std::vector<abrplay::PlayerEvent>& ev, abrplay::PlayerState s) {
    for (const auto& e : ev) {
      if (e.kind == abrplay::PlayerEvent::Kind::kStateChanged && e.state == s) return true;
    }
    return false;
  }
  static const abrplay::PlayerEvent* first_error(const std::vector<abrplay::PlayerEvent>& ev) {
    for (const auto& e : ev) {
      if (e.kind == abrplay::PlayerEvent::Kind::kError) return &e;
    }
    return nullptr;
  }
  std::vector<abrplay::PlayerEvent> events() {
    std::lock_guard lock(mu_);
    return events_;
  }
  void clear() {
    std::lock_guard lock(mu_);
    events_.clear();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<abrplay::PlayerEvent> events_;
};

// "loading>buffering>playing>..." for failure messages.
inline std::string states(const std::vector<abrplay::PlayerEvent>& ev) {
  std::string out;
  for (const auto& e : ev) {
    if (e.kind == abrplay::PlayerEvent::Kind::kStateChanged)
      out += std::string(abrplay::to_string(e.state)) + "@" + std::to_string(e.position.count() / 1000) + " ";
    if (e.kind == abrplay::PlayerEvent::Kind::kWarning || e.kind == abrplay::PlayerEvent::Kind::kError)
      out += "[" + e.error.describe() + "] ";
  }
  return out;
}

// An origin serving `roots` (by default the real test content: 8 s, 25 fps, variants number,
// timeline, segmentbase and hevc), or failing the test.
inline std::unique_ptr<abrplay::origin::Origin> serve(std::vector<std::string> roots = {ABRPLAY_TEST_CONTENT_DIR}) {
  return start_origin(origin_serving(std::move(roots)));
}

// The URL of the test content's `variant` manifest on `origin`'s first CDN.
inline std::string manifest_url(const abrplay::origin::Origin& origin, const std::string& variant = "number") {
  return origin.url(0) + variant + "/manifest.mpd";
}

// Headless sinks that present as fast as decoding goes.
inline abrplay::PlayerConfig max_speed() {
  abrplay::PlayerConfig c;
  c.sinks.kind = abrplay::SinkKind::kNullMaxSpeed;
  return c;
}

// One Player with a Recorder listening from its construction. The recorder is declared first, so it
// outlives the player (the listener contract); a test that must stop the events before the player
// goes calls player.set_listener(nullptr) itself.
class PlayerSession {
 public:
  explicit PlayerSession(abrplay::PlayerConfig config = max_speed()) : player(std::move(config)) {
    player.set_listener(&rec);
  }
  PlayerSession(const PlayerSession&) = delete;
  PlayerSession& operator=(const PlayerSession&) = delete;

  // Loads `url` (or asks the playback API); REQUIREs that the player took it (failures come later,
  // as events).
  void load(const std::string& url) { REQUIRE(player.load(url).code == abrplay::ErrorCode::kOk); }
  void load(abrplay::PlaybackRequest request) {
    REQUIRE(player.load(std::move(request)).code == abrplay::ErrorCode::kOk);
  }
  // load(url), then REQUIREs that the player reaches `state` within `limit`.
  void load_until(const std::string& url, abrplay::PlayerState state, std::chrono::seconds limit = kWaitLimit) {
    load(url);
    REQUIRE(rec.wait_state(state, limit));
  }

  Recorder rec;
  abrplay::Player player;
};

}  // namespace abrplay::test
