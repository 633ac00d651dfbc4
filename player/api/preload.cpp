// Player::Impl, preload (player thread but for the two commands): titles preloaded by the pool
// (preload_pool.h), their events, and a session that starts from one.
#include "player_impl.h"

#include "abrplay/abr/algorithm/registry.h"
#include "abrplay/player/engine/segment_consumer.h"

namespace abrplay {

Error Player::Impl::preload(std::string url, PreloadOptions options) {
  if (url.empty()) return {ErrorCode::kInvalidArgument, "preload: empty URL"};
  if (options.byte_budget == 0) return {ErrorCode::kInvalidArgument, "preload of " + url + ": byte budget 0"};
  if (options.expiry <= milliseconds{0}) {
    return {ErrorCode::kInvalidArgument, "preload of " + url + ": expiry must be positive"};
  }
  command([this, url = std::move(url), options] {
    if (preload_pool_) preload_pool_->start(url, options);
  });
  return {};
}

void Player::Impl::cancel_preload(std::string url) {
  command([this, url = std::move(url)] {
    if (preload_pool_) preload_pool_->cancel(url, "cancelled by cancel_preload()");
  });
}

std::unique_ptr<engine::StreamingEngine> Player::Impl::make_preload_engine(net::Transport& transport,
                                                                           engine::SegmentConsumer& consumer) {
  engine::EngineConfig ec = engine_config();
  // Paused, and loading stops at the startup buffer: the first segment(s) of each track.
  ec.play_when_ready = false;
  ec.load.min_buffer = ec.load.max_buffer = ec.load.rebuffer_buffer = ec.load.startup_buffer;
  // Request headers only: CMCD belongs to a session (its sid), and a preload is none yet.
  ec.decorate_request = [this](net::Request& req, const engine::RequestInfo&) {
    for (const auto& [name, value] : config_.request_headers) req.headers.push_back({name, value});
  };
  auto algo = player_impl::make_abr(abr_spec_, config_.abr_pensieve_compat);
  if (!algo) algo = abr::make_algorithm(abr::kDefaultAlgorithm);
  engine::EngineDeps deps{*loop_, transport, consumer, std::move(algo), nullptr, nullptr};
  return std::make_unique<engine::StreamingEngine>(std::move(deps), ec);
}

void Player::Impl::on_preload(const player_impl::PreloadReport& report) {
  using K = player_impl::PreloadReport::Kind;
  PlayerEvent ev;
  ev.kind = report.kind == K::kReady    ? PlayerEvent::Kind::kPreloadReady
            : report.kind == K::kFailed ? PlayerEvent::Kind::kPreloadFailed
                                        : PlayerEvent::Kind::kPreloadDiscarded;
  ev.url = report.url;
  ev.bytes = report.bytes;
  ev.reason = report.reason;
  ev.error = report.error;
  {
    std::lock_guard lock(visible_mu_);
    ev.state = visible_state_;
  }
  const std::string what = report.kind == K::kFailed ? "failed: " + report.error.describe()
                                                     : report.reason + " (" + std::to_string(report.bytes) + " bytes)";
  log(report.kind == K::kFailed ? LogLevel::kWarning : LogLevel::kInfo, "preload of " + report.url + ": " + what);
  emit(ev);
}

net::Transport& Player::Impl::session_transport(const std::string& url) {
  pooled_transport_.reset();
  std::shared_ptr<player_impl::PreloadStore> store = preload_pool_ ? preload_pool_->take(url) : nullptr;
  if (!store) return transport();
  log(LogLevel::kInfo, "starting " + url + " from its preload (" + std::to_string(store->responses()) + " responses)");
  pooled_transport_ =
      std::make_unique<player_impl::PooledTransport>(transport(), std::move(store), [this, g = generation_] {
        if (g != generation_) return;  // an answer delivered after its session ended
        std::lock_guard lock(visible_mu_);
        ++stats_.preload_responses_used;
      });
  return *pooled_transport_;
}

}  // namespace abrplay
