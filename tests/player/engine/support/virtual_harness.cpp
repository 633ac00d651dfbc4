#include "support/virtual_harness.h"

#include <stdexcept>

#include "abrplay/player/lab/lab_content.h"
#include "abrplay/player/lab/lab_session.h"

namespace abrplay::engine::test {

class VirtualHarness::StateTimes final : public EngineObserver {
 public:
  explicit StateTimes(VirtualHarness& h) : h_(h) {}
  void on_state(const StateChange&) override { h_.state_at.push_back(h_.elapsed()); }

 private:
  VirtualHarness& h_;
};

VirtualHarness::VirtualHarness(const SyntheticContent& content, lab::LabLinkParams link, double speed)
    : state_times_(std::make_unique<StateTimes>(*this)), began_(clock.steady()) {
  auto files = lab::LabContent::from_directory(content.dir(), false);
  if (!files) throw std::runtime_error(files.error());
  network = std::make_unique<lab::LabNetwork>(loop, std::make_shared<const lab::LabContent>(std::move(*files)),
                                              std::move(link));
  consumer = std::make_unique<VirtualConsumer>(loop, speed);
}

VirtualHarness::~VirtualHarness() {
  if (engine) {
    engine->remove_observer(rec);
    engine->remove_observer(*state_times_);
  }
  engine.reset();
  consumer.reset();
  loop.run_until_idle();
  network.reset();
  loop.run_until_idle();
}

void VirtualHarness::start(EngineConfig config, std::unique_ptr<abr::AbrAlgorithm> algorithm) {
  EngineDeps deps{loop, *network, *consumer, std::move(algorithm), nullptr, nullptr};
  engine = std::make_unique<StreamingEngine>(std::move(deps), std::move(config));
  engine->add_observer(rec);
  engine->add_observer(*state_times_);
}

Error VirtualHarness::load(const std::string& path) { return engine->load(std::string(lab::kLabOrigin) + "/" + path); }

bool VirtualHarness::run_until(const std::function<bool()>& pred, std::chrono::microseconds limit) {
  const SteadyTime until = clock.steady() + limit;
  for (;;) {
    loop.run_until_idle();
    if (pred()) return true;
    const auto next = loop.next_deadline();
    if (!next || *next > until) return false;
    clock.advance_to(*next);
  }
}

bool VirtualHarness::run_until_state(EngineState s, std::chrono::microseconds limit) {
  return run_until([&] { return engine->state() == s; }, limit);
}

std::chrono::microseconds VirtualHarness::elapsed() const {
  return std::chrono::duration_cast<std::chrono::microseconds>(clock.steady() - began_);
}

}  // namespace abrplay::engine::test
