// StreamingEngine::Impl, live latency control: the target, the catch-up rate, the jump to the edge.
#include <algorithm>

#include "abrplay/player/manifest/time.h"
#include "engine_impl.h"

namespace abrplay::engine {

std::optional<CatchupParams> StreamingEngine::Impl::catchup_params() const {
  if (!mpd_ || !mpd_->is_dynamic() || !mpd_->availability_start_time || low_latency_off_) return std::nullopt;
  const manifest::ServiceDescription* sd = mpd_->service_description ? &*mpd_->service_description : nullptr;
  std::optional<MediaTime> target = config_.target_latency;
  if (!target && sd) target = sd->target_latency;
  if (!target) return std::nullopt;
  CatchupParams p = config_.catchup;
  p.target = *target;
  // Beyond max latency catching up by rate would take too long: the ServiceDescription's max, else
  // twice the target (at least 2 s more).
  p.max_latency = sd && sd->max_latency && *sd->max_latency > *target
                      ? *sd->max_latency
                      : std::max<MediaTime>(2 * *target, *target + std::chrono::seconds(2));
  if (sd && sd->min_playback_rate) p.min_rate = *sd->min_playback_rate;
  if (sd && sd->max_playback_rate) p.max_rate = *sd->max_playback_rate;
  return p;
}

void StreamingEngine::Impl::chunked_first_byte(TrackType, const std::string& url, bool whole) {
  if (low_latency_off_) return;
  whole_segments_in_a_row_ = whole ? whole_segments_in_a_row_ + 1 : 0;
  if (whole_segments_in_a_row_ < 2) return;
  // A server (or CDN) that buffers whole segments: a segment arrives only once it is complete, so the
  // buffer can never hold the target latency; catching up would only run it dry. Plain live from here:
  // no target, normal start and resume thresholds, playback at 1x.
  low_latency_off_ = true;
  warn(Error{ErrorCode::kUnsupported,
             "low-latency live off: the server sent " + url +
                 " only once it was complete, twice in a row, not chunk by chunk; playing as plain live "
                 "(no target latency, no catch-up)"});
  if (rate_ != 1.0) {
    rate_ = 1.0;
    consumer_.set_rate(rate_);
  }
}

void StreamingEngine::Impl::control_latency() {
  if (state_ != EngineState::kPlaying || !live_anchor_) return;
  const auto params = catchup_params();
  if (!params) return;
  const MediaTime edge = std::chrono::duration_cast<MediaTime>(live_now() - *mpd_->availability_start_time);
  const MediaTime latency = edge - position_;
  std::optional<MediaTime> ahead;
  for (const auto& l : loaders_) {
    if (l->type() == TrackType::kText) continue;
    const MediaTime a = l->buffer().ahead(position_);
    ahead = ahead ? std::min(*ahead, a) : a;
  }
  const CatchupDecision d = config_.live_catchup ? decide_catchup(latency, ahead.value_or(MediaTime{0}), *params)
                                                 : CatchupDecision{};
  LiveLatencyEvent e{latency, params->target, d.seek_to_edge ? rate_ : d.rate};
  for (auto* o : observers) o->on_live_latency(e);
  if (d.seek_to_edge) {
    warn(Error{ErrorCode::kOk, "live latency " + manifest::format_seconds(latency) + " is beyond " +
                                   manifest::format_seconds(params->max_latency) + ": seeking to " +
                                   manifest::format_seconds(params->target) + " behind the live edge"});
    if (rate_ != 1.0) {
      rate_ = 1.0;
      consumer_.set_rate(rate_);
    }
    (void)seek(edge - params->target);
    return;
  }
  if (d.rate != rate_) {
    rate_ = d.rate;
    consumer_.set_rate(rate_);
  }
}

}  // namespace abrplay::engine
