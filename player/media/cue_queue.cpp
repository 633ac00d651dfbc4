#include "track_shared.h"

namespace abrplay::media {

bool CueQueue::push(TextCue cue, std::uint64_t epoch, std::uint64_t splice) {
  std::lock_guard lock(mu_);
  if (epoch != epoch_ || splice != splice_) return false;
  q_.push_back(std::move(cue));
  return true;
}

std::optional<TextCue> CueQueue::pop_due(std::chrono::microseconds now, bool all) {
  std::lock_guard lock(mu_);
  if (q_.empty() || (!all && q_.front().start > now)) return std::nullopt;
  TextCue c = std::move(q_.front());
  q_.pop_front();
  return c;
}

void CueQueue::splice(std::uint64_t splice) {
  std::lock_guard lock(mu_);
  q_.clear();
  splice_ = splice;
}

void CueQueue::clear(std::uint64_t new_epoch) {
  std::lock_guard lock(mu_);
  q_.clear();
  epoch_ = new_epoch;
}

}  // namespace abrplay::media
