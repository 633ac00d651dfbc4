#include "abrplay/player/lab/lab_session.h"

#include "abrplay/player/engine/event_loop.h"
#include "abrplay/player/engine/virtual_consumer.h"
#include "abrplay/player/lab/manual_clock.h"

namespace abrplay::lab {

LabSessionResult run_lab_session(const LabSessionConfig& config) {
  LabSessionResult result;
  auto algorithm = abr::make_algorithm(config.algorithm, config.registry);
  if (!algorithm) {
    result.failed = true;
    result.error = "unknown ABR algorithm '" + config.algorithm + "'";
    return result;
  }
  if (!config.content) {
    result.failed = true;
    result.error = "no content";
    return result;
  }
  ManualClock clock;
  engine::EventLoop loop(clock, engine::EventLoop::Mode::kManual);
  const SteadyTime begin = clock.steady();
  {
    LabNetwork network(loop, config.content, config.link);
    engine::VirtualConsumer consumer(loop, 1.0);
    engine::SessionMetrics metrics(clock);
    engine::EngineDeps deps{loop, network, consumer, std::move(algorithm), nullptr, nullptr};
    auto eng = std::make_unique<engine::StreamingEngine>(std::move(deps), config.engine);
    eng->add_observer(metrics);
    if (config.observer) eng->add_observer(*config.observer);
    const Error loaded = eng->load(std::string(kLabOrigin) + config.mpd_path);
    if (loaded.code != ErrorCode::kOk) {
      result.failed = true;
      result.error = loaded.describe();
    }
    const double want_s = std::chrono::duration<double>(config.duration).count();
    while (!result.failed) {
      result.tasks += loop.run_until_idle();
      const engine::EngineState s = eng->state();
      if (s == engine::EngineState::kEnded || s == engine::EngineState::kError) break;
      if (want_s > 0 && std::chrono::duration<double>(eng->position()).count() >= want_s) break;
      const auto next = loop.next_deadline();
      if (!next) {
        result.failed = true;
        result.error = "the session stopped with nothing left to do in state " + std::string(engine::to_string(s));
        break;
      }
      if (*next - begin > config.max_virtual_time) {
        result.failed = true;
        result.error = "cut after " + std::to_string(std::chrono::duration_cast<std::chrono::seconds>(config.max_virtual_time).count()) +
                       " s of virtual time in state " + std::string(engine::to_string(s));
        break;
      }
      clock.advance_to(*next);
    }
    result.figures = metrics.figures();
    if (!result.failed && !result.figures.error.empty()) {
      result.failed = true;
      result.error = result.figures.error;
    }
    result.virtual_time = std::chrono::duration_cast<std::chrono::microseconds>(clock.steady() - begin);
    result.link = network.stats();
    eng->remove_observer(metrics);
    if (config.observer) eng->remove_observer(*config.observer);
    eng.reset();
    loop.run_until_idle();
  }
  loop.run_until_idle();
  return result;
}

}  // namespace abrplay::lab
