#include "abrplay/player/lab/lab_session.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "abrplay/player/engine/event_loop.h"
#include "abrplay/player/engine/virtual_consumer.h"
#include "abrplay/player/lab/manual_clock.h"

namespace abrplay::lab {
namespace {

// The bytes playback waited for: the manifest's, and those of every download kept before the
// first time the engine reached kPlaying.
class StartupBytes final : public engine::EngineObserver {
 public:
  void on_state(const engine::StateChange& c) override {
    if (c.to == engine::EngineState::kPlaying) started_ = true;
  }
  void on_download(const engine::DownloadEvent& e) override {
    if (started_ || e.abandoned) return;
    if (e.kind == engine::DownloadKind::kManifest) {
      if (manifest_ == 0) manifest_ = static_cast<double>(e.bytes.bytes());
    } else if (e.kind != engine::DownloadKind::kClockSync) {
      media_ += static_cast<double>(e.bytes.bytes());
    }
  }
  bool started() const { return started_; }
  double manifest() const { return manifest_; }
  double media() const { return media_; }

 private:
  bool started_ = false;
  double manifest_ = 0, media_ = 0;
};

// Two round trips (each with the trace's own latency where the link begins) plus the bytes at the
// trace's rate (or the unshaped rate), from trace time 0.
double startup_lower_bound(const LabLinkParams& link, double manifest_bytes, double media_bytes) {
  using std::chrono::duration;
  const double rtt = duration<double>(link.rtt).count();
  if (!link.trace) {
    const double kbps = link.unshaped_kbps > 0 ? link.unshaped_kbps : 1'000'000;  // as LabNetwork
    const double bytes_per_s = kbps * 1000 / 8;
    return 2 * rtt + (manifest_bytes + media_bytes) / bytes_per_s;
  }
  const abr::TraceCursor cursor(*link.trace);
  // The trace's smallest added latency: a request sent at any moment waits at least this.
  double latency = std::numeric_limits<double>::infinity();
  for (const abr::TraceSegment& seg : link.trace->segments) {
    latency = std::min(latency, duration<double>(seg.latency).count());
  }
  if (!std::isfinite(latency)) latency = 0;
  const double first_byte = rtt + latency;
  const double manifest_done = first_byte + cursor.time_to_deliver_s(manifest_bytes, first_byte);
  const double media_first_byte = manifest_done + rtt + latency;
  return media_first_byte + cursor.time_to_deliver_s(media_bytes, media_first_byte);
}

}  // namespace

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
  ManualClock clock(config.wall_start.value_or(ManualClock{}.wall()));  // the default clock's start otherwise
  engine::EventLoop loop(clock, engine::EventLoop::Mode::kManual);
  const SteadyTime begin = clock.steady();
  {
    LabNetwork network(loop, config.content, config.link);
    engine::VirtualConsumer consumer(loop, 1.0);
    engine::SessionMetrics metrics(clock);
    StartupBytes startup_bytes;
    engine::EngineDeps deps{loop, network, consumer, std::move(algorithm), nullptr, nullptr};
    auto eng = std::make_unique<engine::StreamingEngine>(std::move(deps), config.engine);
    eng->add_observer(metrics);
    eng->add_observer(startup_bytes);
    if (config.observer) eng->add_observer(*config.observer);
    const LabSessionContext context{clock, loop, *eng};
    if (config.on_start) config.on_start(context);
    const Error loaded = eng->load(config.origin + config.mpd_path);
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
        result.error = "cut after " +
                       std::to_string(
                           std::chrono::duration_cast<std::chrono::seconds>(config.max_virtual_time).count()) +
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
    if (config.on_end) config.on_end(context, result);
    eng->remove_observer(metrics);
    eng->remove_observer(startup_bytes);
    if (startup_bytes.started()) {
      result.startup_lower_bound_s = startup_lower_bound(config.link, startup_bytes.manifest(), startup_bytes.media());
    }
    if (config.observer) eng->remove_observer(*config.observer);
    eng.reset();
    loop.run_until_idle();
  }
  loop.run_until_idle();
  return result;
}

}  // namespace abrplay::lab
