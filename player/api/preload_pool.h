// player/api/preload_pool.h: the titles a Player has preloaded (Player::preload, docs/net.md
// "Preload").
//
// A preload is the streaming engine itself, started paused: a StreamingEngine built exactly as a
// session's (the same track selection, the same ABR algorithm and its first choice, the same load
// control) over a RecordingTransport, with a VirtualConsumer that never plays and buffer goals cut
// to the startup buffer. It fetches and parses the manifest, picks the tracks and the first rung,
// and fetches the init segments and the first media segment(s) of each track up to the startup
// buffer; every response is kept in the title's PreloadStore within its byte budget. Once the
// engine is ready to play (it reaches kPaused), or a response does not fit in the budget, the
// engine is stopped and only the store remains: no decoder ever ran.
//
// Lifecycle of an entry, each end reported once through `report`:
//   start() ──► loading ──► ready (kReady) ──► take() by a load() of the same URL: the store goes
//                  │           │                to that session (no event)
//                  │           ├─ expiry ──────► freed (kDiscarded, "expired ...")
//                  │           └─ cancel()/destruction ──► freed (kDiscarded)
//                  └─ engine error ─► freed (kFailed, the error)
// A take() while still loading stops the preload where it is and hands over what it has.
//
// Threads: player thread only (the loop's); the entries' engines live there too.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "abrplay/player.h"
#include "abrplay/player/engine/event_loop.h"
#include "abrplay/player/engine/liveness.h"
#include "abrplay/player/engine/streaming_engine.h"
#include "preload_store.h"

namespace abrplay::player_impl {

struct PreloadReport {
  enum class Kind { kReady, kFailed, kDiscarded };
  Kind kind = Kind::kReady;
  std::string url;
  std::uint64_t bytes = 0;  // body bytes kept
  Error error;              // kFailed
  std::string reason;       // kReady (why it stopped) and kDiscarded (why it was freed)
};

class PreloadPool {
 public:
  // Builds the preload's engine as the session would (config, ABR), over `transport` and `consumer`.
  using EngineFactory =
      std::function<std::unique_ptr<engine::StreamingEngine>(net::Transport& transport, engine::SegmentConsumer&)>;

  PreloadPool(engine::EventLoop& loop, net::Transport& network, EngineFactory make_engine,
              std::function<void(const PreloadReport&)> report);
  // Frees every entry, each reported kDiscarded ("the player was destroyed").
  ~PreloadPool();
  PreloadPool(const PreloadPool&) = delete;
  PreloadPool& operator=(const PreloadPool&) = delete;

  // Starts preloading `url`. A URL already in the pool keeps its entry (nothing restarts).
  void start(const std::string& url, const PreloadOptions& options);
  // Frees the entry of `url` (kDiscarded, `reason`); false when there is none.
  bool cancel(const std::string& url, const std::string& reason);
  // The store of `url`'s preload, removed from the pool (loading: stopped where it is); null when
  // there is none.
  std::shared_ptr<PreloadStore> take(const std::string& url);
  std::size_t size() const { return entries_.size(); }

 private:
  struct Entry;
  class EntryObserver;
  void on_ready(std::uint64_t id, const std::string& reason);
  void on_failed(std::uint64_t id, const Error& error);
  Entry* find(std::uint64_t id);
  void stop_engine(Entry& entry);
  void erase(const std::string& url);

  engine::EventLoop& loop_;
  net::Transport& network_;
  EngineFactory make_engine_;
  std::function<void(const PreloadReport&)> report_;
  std::uint64_t next_id_ = 0;
  std::map<std::string, std::unique_ptr<Entry>> entries_;
  engine::Liveness alive_;  // last: posted tasks and timers check it
};

}  // namespace abrplay::player_impl
