// virtual_harness.h: the StreamingEngine on virtual time, for tests of the engine's logic. The lab's
// pieces (ManualClock, a kManual EventLoop, LabNetwork serving a SyntheticContent directory from
// memory) replace the player thread, libcurl and the origin; the test's thread drives the loop and
// moves the clock from deadline to deadline, so a 10 s session takes milliseconds and no load on
// the machine can change what the engine sees. Tests about sockets and real time keep Harness.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "abrplay/player/engine/event_loop.h"
#include "abrplay/player/engine/streaming_engine.h"
#include "abrplay/player/engine/virtual_consumer.h"
#include "abrplay/player/lab/lab_network.h"
#include "abrplay/player/lab/manual_clock.h"
#include "support/engine_harness.h"
#include "support/synthetic_content.h"

namespace abrplay::engine::test {

class VirtualHarness {
 public:
  // Serves every file of `content` (bytes as written) over a link with `link`'s shape and faults.
  explicit VirtualHarness(const SyntheticContent& content, lab::LabLinkParams link = {}, double speed = 1.0);
  ~VirtualHarness();
  VirtualHarness(const VirtualHarness&) = delete;
  VirtualHarness& operator=(const VirtualHarness&) = delete;

  void start(EngineConfig config = {}, std::unique_ptr<abr::AbrAlgorithm> algorithm = nullptr);
  // Loads `path` of the content ("manifest.mpd").
  Error load(const std::string& path);
  // Runs ready tasks and moves the clock to the next deadline until `pred` holds (checked between
  // tasks batches) or `limit` of virtual time passed, or nothing is left to do. True if it held.
  bool run_until(const std::function<bool()>& pred, std::chrono::microseconds limit = std::chrono::minutes(5));
  bool run_until_state(EngineState s, std::chrono::microseconds limit = std::chrono::minutes(5));
  // Virtual time since the harness was made.
  std::chrono::microseconds elapsed() const;

  lab::ManualClock clock;
  EventLoop loop{clock, EventLoop::Mode::kManual};
  std::unique_ptr<lab::LabNetwork> network;
  std::unique_ptr<VirtualConsumer> consumer;
  std::unique_ptr<StreamingEngine> engine;
  Recorder rec;                                     // its state_times are real time: see state_at
  std::vector<std::chrono::microseconds> state_at;  // virtual time of each state change (parallel to rec.states)

 private:
  class StateTimes;
  std::unique_ptr<StateTimes> state_times_;
  SteadyTime began_;
};

}  // namespace abrplay::engine::test
