// The titles a Player has preloaded (preload_pool.h): a paused engine per title, then its store.
#include "preload_pool.h"

#include <utility>

#include "abrplay/player/engine/virtual_consumer.h"
#include "abrplay/player/manifest/model.h"

namespace abrplay::player_impl {

struct PreloadPool::Entry {
  std::uint64_t id = 0;
  std::string url;
  PreloadOptions options;
  std::shared_ptr<PreloadStore> store;
  engine::EventLoop::TimerId expiry = 0;
  bool ready = false;
  // Declared in the order they are built: the engine goes first, before what it uses.
  std::unique_ptr<RecordingTransport> transport;
  std::unique_ptr<engine::VirtualConsumer> consumer;
  std::unique_ptr<EntryObserver> observer;
  std::unique_ptr<engine::StreamingEngine> engine;
};

// The preload engine's events, handed to the pool through the loop (never inside the engine's own
// callback: the pool stops and destroys that engine). The tasks hold the pool and the entry's id,
// not this observer, which may be gone when they run.
class PreloadPool::EntryObserver final : public engine::EngineObserver {
 public:
  EntryObserver(PreloadPool& pool, std::uint64_t id) : pool_(pool), id_(id) {}
  void on_state(const engine::StateChange& change) override {
    // kPaused: every track holds the startup buffer (ready to play, not playing).
    if (change.to != engine::EngineState::kPaused) return;
    post([pool = &pool_, id = id_] { pool->on_ready(id, "ready to play"); });
  }
  void on_error(const Error& error) override {
    post([pool = &pool_, id = id_, error] { pool->on_failed(id, error); });
  }

 private:
  template <class Fn>
  void post(Fn fn) {
    pool_.loop_.post([watch = pool_.alive_.watch(), fn = std::move(fn)] {
      if (!watch.expired()) fn();
    });
  }
  PreloadPool& pool_;
  const std::uint64_t id_;
};

PreloadPool::PreloadPool(engine::EventLoop& loop, net::Transport& network, EngineFactory make_engine,
                         std::function<void(const PreloadReport&)> report)
    : loop_(loop), network_(network), make_engine_(std::move(make_engine)), report_(std::move(report)) {}

PreloadPool::~PreloadPool() {
  while (!entries_.empty()) cancel(entries_.begin()->first, "the player was destroyed");
}

void PreloadPool::start(const std::string& url, const PreloadOptions& options) {
  if (entries_.count(url) != 0) return;
  auto e = std::make_unique<Entry>();
  const std::uint64_t id = ++next_id_;
  e->id = id;
  e->url = url;
  e->options = options;
  e->store = std::make_shared<PreloadStore>(options.byte_budget);
  const engine::Liveness::Watch watch = alive_.watch();
  e->transport = std::make_unique<RecordingTransport>(network_, e->store, [this, watch, id] {
    if (watch.expired()) return;
    loop_.post([this, watch, id] {
      if (!watch.expired()) on_ready(id, "byte budget reached");
    });
  });
  e->consumer = std::make_unique<engine::VirtualConsumer>(loop_);
  e->observer = std::make_unique<EntryObserver>(*this, id);
  e->engine = make_engine_(*e->transport, *e->consumer);
  e->engine->add_observer(*e->observer);
  e->expiry = loop_.post_after(options.expiry, [this, watch, id] {
    if (watch.expired()) return;
    Entry* entry = find(id);
    if (!entry) return;
    entry->expiry = 0;
    const auto s = std::chrono::duration_cast<std::chrono::seconds>(entry->options.expiry).count();
    cancel(entry->url, "expired: not played within " + std::to_string(s) + " s");
  });
  engine::StreamingEngine& engine = *e->engine;
  entries_.emplace(url, std::move(e));
  const Error started = engine.load(url);
  if (started.code != ErrorCode::kOk) on_failed(id, started);
}

bool PreloadPool::cancel(const std::string& url, const std::string& reason) {
  auto it = entries_.find(url);
  if (it == entries_.end()) return false;
  PreloadReport r;
  r.kind = PreloadReport::Kind::kDiscarded;
  r.url = url;
  r.bytes = it->second->store->bytes();
  r.reason = reason;
  erase(url);
  report_(r);
  return true;
}

std::shared_ptr<PreloadStore> PreloadPool::take(const std::string& url) {
  auto it = entries_.find(url);
  if (it == entries_.end()) return nullptr;
  std::shared_ptr<PreloadStore> store = it->second->store;
  erase(url);
  return store;
}

void PreloadPool::on_ready(std::uint64_t id, const std::string& reason) {
  Entry* e = find(id);
  if (!e || e->ready) return;
  // A live edge moves: the manifest and segments kept now would start the session in the past.
  const manifest::Mpd* mpd = e->engine ? e->engine->manifest() : nullptr;
  if (mpd && mpd->is_dynamic()) {
    return on_failed(id, Error{ErrorCode::kUnsupported,
                               "preload of " + e->url + ": a live (dynamic) presentation cannot be preloaded"});
  }
  if (e->store->responses() == 0) {
    return on_failed(id, Error{ErrorCode::kNetworkTooLarge, "preload of " + e->url + ": the byte budget of " +
                                                                std::to_string(e->store->budget()) +
                                                                " bytes does not hold the manifest"});
  }
  e->ready = true;
  stop_engine(*e);
  PreloadReport r;
  r.kind = PreloadReport::Kind::kReady;
  r.url = e->url;
  r.bytes = e->store->bytes();
  r.reason = reason;
  report_(r);
}

void PreloadPool::on_failed(std::uint64_t id, const Error& error) {
  Entry* e = find(id);
  if (!e) return;
  PreloadReport r;
  r.kind = PreloadReport::Kind::kFailed;
  r.url = e->url;
  r.error = error;
  erase(e->url);
  report_(r);
}

PreloadPool::Entry* PreloadPool::find(std::uint64_t id) {
  for (auto& [url, e] : entries_) {
    if (e->id == id) return e.get();
  }
  return nullptr;
}

void PreloadPool::stop_engine(Entry& e) {
  if (!e.engine) return;
  e.engine->remove_observer(*e.observer);
  e.engine->stop();
  e.engine.reset();
  e.consumer.reset();
}

void PreloadPool::erase(const std::string& url) {
  auto it = entries_.find(url);
  if (it == entries_.end()) return;
  if (it->second->expiry != 0) loop_.cancel(it->second->expiry);
  stop_engine(*it->second);
  entries_.erase(it);
}

}  // namespace abrplay::player_impl
