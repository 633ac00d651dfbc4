// engine_harness.h: a StreamingEngine on its own player thread (SystemClock), an HttpClient, a
// VirtualConsumer and a recording observer; the test thread waits on the recorder's condition
// variable (never sleeps). Teardown follows the lifetimes in streaming_engine.h.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "abrplay/core/clock.h"
#include "abrplay/net/caching_transport.h"
#include "abrplay/net/http_client.h"
#include "abrplay/player/engine/event_loop.h"
#include "abrplay/player/engine/streaming_engine.h"
#include "abrplay/player/engine/virtual_consumer.h"

namespace abrplay::engine::test {

// How long an engine test may wait (real time) for a state; the cases take 1-3 s.
inline constexpr auto kLimit = std::chrono::seconds(20);

// Everything the engine reported, readable from the test thread.
class Recorder final : public EngineObserver {
 public:
  void on_state(const StateChange& e) override;
  void on_abr_decision(const AbrDecisionEvent& e) override;
  void on_download(const DownloadEvent& e) override;
  void on_buffer(const BufferLevelEvent& e) override;
  void on_error(const Error& e) override;
  void on_warning(const Error& e) override;
  void on_cdn_change(const CdnChangeEvent& e) override;
  void on_live_latency(const LiveLatencyEvent& e) override;

  // Waits until `pred` (run under the recorder's lock) holds, or `limit` of real time passed.
  bool wait(const std::function<bool()>& pred, std::chrono::milliseconds limit);
  bool wait_state(EngineState s, std::chrono::milliseconds limit);

  // Fields: read them under lock() once the engine is quiet (or inside wait predicates).
  std::unique_lock<std::mutex> lock() { return std::unique_lock<std::mutex>(mu_); }
  EngineState state = EngineState::kIdle;
  std::vector<StateChange> states;
  std::vector<AbrDecisionEvent> decisions;
  std::vector<DownloadEvent> downloads;
  std::vector<BufferLevelEvent> buffers;
  std::vector<Error> errors;
  std::vector<Error> warnings;
  std::vector<CdnChangeEvent> cdn_changes;
  std::vector<LiveLatencyEvent> latencies;
  std::vector<std::chrono::steady_clock::time_point> state_times;  // parallel to states

  // Media downloads of one track, in order.
  std::vector<DownloadEvent> media(TrackType track) const;

 private:
  void changed();
  std::mutex mu_;
  std::condition_variable cv_;
};

// The real clocks, with a wall clock the test can step (an NTP step, a user's change).
class SteppableClock final : public Clock {
 public:
  SteadyTime steady() const override { return std::chrono::steady_clock::now(); }
  WallTime wall() const override { return system_.wall() + std::chrono::microseconds(step_us_.load()); }
  void step_wall(std::chrono::microseconds by) { step_us_ += by.count(); }

 private:
  SystemClock system_;
  std::atomic<std::int64_t> step_us_{0};
};

class Harness {
 public:
  explicit Harness(double speed = 4.0);
  ~Harness();
  // Creates the engine on the player thread.
  void start(EngineConfig config = {}, std::unique_ptr<abr::AbrAlgorithm> algorithm = nullptr);
  Error load(const std::string& url);
  void on_loop(const std::function<void()>& f) { loop.run_sync(f); }

  SteppableClock clock;
  EventLoop loop{clock, EventLoop::Mode::kOwnThread};
  std::unique_ptr<net::HttpClient> http = std::make_unique<net::HttpClient>();
  // Set before start(): the engine fetches through this HTTP cache over `http` (engine_cache_test).
  std::unique_ptr<net::CachingTransport> cache;
  std::unique_ptr<VirtualConsumer> consumer;
  std::unique_ptr<StreamingEngine> engine;
  Recorder rec;
};

}  // namespace abrplay::engine::test
