// Player::Impl, presentation: the "abrplay-present" thread pumps the current pipeline (or the
// embedder's thread does, through pump(), for external sinks); set_output() swaps pipelines.
#include "player_impl.h"

#include <algorithm>

namespace abrplay {

std::shared_ptr<player_impl::Output> Player::Impl::output() const {
  std::lock_guard lock(present_mu_);
  return output_;
}

void Player::Impl::set_output(std::shared_ptr<Output> out) {
  std::shared_ptr<Output> old;
  {
    std::lock_guard lock(present_mu_);
    old = std::move(output_);
    output_ = std::move(out);
  }
  present_cv_.notify_all();
  if (old && config_.sinks.kind == SinkKind::kExternal) {
    // The embedder's audio sink is shared by every session: the old pipeline must close it here,
    // before a new one opens it on this thread. pump() holds a copy for one step at most and
    // lets it go under present_mu_ (otherwise the old pipeline would close the sink on the pump thread
    // while the new one reopens it here: two SDL_CloseAudioDevice calls, a hang).
    std::unique_lock lock(present_mu_);
    present_cv_.wait(lock, [&] { return old.use_count() == 1; });
  }
  old.reset();  // joins its decode threads (unless the presentation thread still holds it)
}

void Player::Impl::pump(microseconds max_wait) {
  if (config_.sinks.kind != SinkKind::kExternal) return;
  std::shared_ptr<Output> out;
  {
    std::unique_lock lock(present_mu_);
    if (!output_) {
      present_cv_.wait_for(lock, max_wait, [this] { return present_stop_ || output_ != nullptr; });
      return;
    }
    out = output_;
  }
  const microseconds next = out->pipeline->pump();
  out->pipeline->wait(std::clamp(next, microseconds{0}, max_wait));
  {
    std::lock_guard lock(present_mu_);  // set_output() may be waiting for this copy to go
    out.reset();
  }
  present_cv_.notify_all();
}

void Player::Impl::present_main() {
  for (;;) {
    std::shared_ptr<Output> out;
    {
      std::unique_lock lock(present_mu_);
      present_cv_.wait(lock, [this] { return present_stop_ || output_ != nullptr; });
      if (present_stop_) return;
      out = output_;
    }
    const microseconds next = out->pipeline->pump();
    out->pipeline->wait(std::clamp(next, microseconds{0}, microseconds{20'000}));
  }
}

}  // namespace abrplay
