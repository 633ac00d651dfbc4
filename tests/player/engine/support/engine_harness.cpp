#include "support/engine_harness.h"

namespace abrplay::engine::test {

void Recorder::changed() { cv_.notify_all(); }

void Recorder::on_state(const StateChange& e) {
  {
    std::lock_guard l(mu_);
    state = e.to;
    states.push_back(e);
    state_times.push_back(std::chrono::steady_clock::now());
  }
  changed();
}
void Recorder::on_abr_decision(const AbrDecisionEvent& e) {
  {
    std::lock_guard l(mu_);
    decisions.push_back(e);
  }
  changed();
}
void Recorder::on_download(const DownloadEvent& e) {
  {
    std::lock_guard l(mu_);
    downloads.push_back(e);
  }
  changed();
}
void Recorder::on_buffer(const BufferLevelEvent& e) {
  {
    std::lock_guard l(mu_);
    buffers.push_back(e);
  }
  changed();
}
void Recorder::on_error(const Error& e) {
  {
    std::lock_guard l(mu_);
    errors.push_back(e);
  }
  changed();
}
void Recorder::on_cdn_change(const CdnChangeEvent& e) {
  {
    std::lock_guard l(mu_);
    cdn_changes.push_back(e);
  }
  changed();
}

void Recorder::on_live_latency(const LiveLatencyEvent& e) {
  {
    std::lock_guard l(mu_);
    latencies.push_back(e);
  }
  changed();
}

void Recorder::on_warning(const Error& e) {
  {
    std::lock_guard l(mu_);
    warnings.push_back(e);
  }
  changed();
}

bool Recorder::wait(const std::function<bool()>& pred, std::chrono::milliseconds limit) {
  std::unique_lock l(mu_);
  return cv_.wait_for(l, limit, pred);
}

bool Recorder::wait_state(EngineState s, std::chrono::milliseconds limit) {
  // on_error follows the change to kError: wait for both.
  auto done = [&] {
    if (state == EngineState::kError) return !errors.empty();
    return state == s;
  };
  return wait(done, limit) && state == s;
}

std::vector<DownloadEvent> Recorder::media(TrackType track) const {
  std::vector<DownloadEvent> out;
  for (const auto& d : downloads) {
    if (d.kind == DownloadKind::kMedia && d.track == track && !d.abandoned) out.push_back(d);
  }
  return out;
}

Harness::Harness(double speed) : consumer(std::make_unique<VirtualConsumer>(loop, speed)) {}

Harness::~Harness() {
  loop.run_sync([&] {
    if (engine) engine->remove_observer(rec);
    engine.reset();
    consumer.reset();
  });
  http.reset();  // cancelled completions still reach the loop, and find nothing to call
  loop.stop();
  cache.reset();  // after the loop: its tasks (cache hits, completions passing through) call into it
}

void Harness::start(EngineConfig config, std::unique_ptr<abr::AbrAlgorithm> algorithm) {
  loop.run_sync([&] {
    net::Transport& transport = cache ? static_cast<net::Transport&>(*cache) : *http;
    EngineDeps deps{loop, transport, *consumer, std::move(algorithm), nullptr, nullptr};
    engine = std::make_unique<StreamingEngine>(std::move(deps), std::move(config));
    engine->add_observer(rec);
  });
}

Error Harness::load(const std::string& url) {
  Error e;
  loop.run_sync([&] { e = engine->load(url); });
  return e;
}

}  // namespace abrplay::engine::test
