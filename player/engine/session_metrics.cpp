#include "abrplay/player/engine/session_metrics.h"

#include <algorithm>
#include <cmath>
#include <iterator>

namespace abrplay::engine {

namespace {
double seconds_double(std::chrono::microseconds d) { return static_cast<double>(d.count()) / 1e6; }
constexpr double kStallPenalty = 4.3;  // Pensieve's QoE_lin: the top rung's Mbps, per stall second
}  // namespace

SessionMetrics::SessionMetrics(const Clock& clock) : clock_(clock), started_(clock.steady()) {}

void SessionMetrics::on_state(const StateChange& e) {
  const SteadyTime now = clock_.steady();
  f_.state = e.to;
  if (e.to == EngineState::kPlaying && !f_.startup_s)
    f_.startup_s = seconds_double(std::chrono::duration_cast<std::chrono::microseconds>(now - started_));
  if (e.from == EngineState::kPlaying && e.to == EngineState::kBuffering) {
    ++f_.stalls;
    stall_began_ = now;
  }
  if (stall_began_ && e.to != EngineState::kBuffering) {
    f_.stall_s += seconds_double(std::chrono::duration_cast<std::chrono::microseconds>(now - *stall_began_));
    stall_began_.reset();
  }
  if (e.to == EngineState::kEnded) {
    // Play out the last partial second too: it was shown.
    MediaTime end = e.position;
    if (!video_.empty()) end = std::max(end, video_.rbegin()->second.start + video_.rbegin()->second.duration);
    play_to(end);
  } else {
    play_to(e.position);
  }
}

void SessionMetrics::on_download(const DownloadEvent& e) {
  f_.bytes += e.bytes;
  if (e.kind != DownloadKind::kMedia) return;
  if (e.abandoned) {
    ++f_.abandoned;
    return;
  }
  ++f_.media_segments;
  if (e.track != TrackType::kVideo) return;
  video_[e.segment_start] = PlayedSegment{e.segment_start, e.segment_duration, e.representation_id, e.bandwidth};
}

void SessionMetrics::on_buffer(const BufferLevelEvent& e) { play_to(e.position); }

void SessionMetrics::on_error(const Error& e) { f_.error = e.describe(); }

void SessionMetrics::play_to(MediaTime position) {
  const double pos = seconds_double(position);
  if (pos > f_.played_s) f_.played_s = pos;
  // A second counts once the playhead has passed its start; the rendition is the segment's covering it.
  while (next_second_ < pos) {
    const auto at = std::chrono::microseconds(static_cast<std::int64_t>(std::llround(next_second_ * 1e6)));
    auto it = video_.upper_bound(at);
    // The playhead only passes buffered media, so an uncovered second is a gap it stepped over
    // (a skipped segment, a live jump): nothing was shown, nothing is counted.
    if (it == video_.begin() || at >= std::prev(it)->second.start + std::prev(it)->second.duration) {
      next_second_ += 1.0;
      continue;
    }
    --it;
    const DataRate shown = it->second.bandwidth;
    utility_ += shown.mbps() / 4.0;
    bitrate_sum_ += shown;
    ++seconds_;
    if (last_bitrate_ && it->second.representation_id != last_rep_) {
      ++f_.switches;
      smoothness_ += std::abs(shown.mbps() - last_bitrate_->mbps());
    }
    last_bitrate_ = shown;
    last_rep_ = it->second.representation_id;
    next_second_ += 1.0;
  }
}

SessionFigures SessionMetrics::figures() const {
  SessionFigures f = f_;
  if (stall_began_) {
    f.stall_s += seconds_double(std::chrono::duration_cast<std::chrono::microseconds>(clock_.steady() - *stall_began_));
  }
  f.bitrate = seconds_ ? bitrate_sum_ / static_cast<double>(seconds_) : DataRate::zero();
  f.smoothness = smoothness_;
  f.qoe_lin = utility_ - kStallPenalty * f.stall_s - smoothness_;
  f.video_segments.reserve(video_.size());
  for (const auto& [start, seg] : video_) f.video_segments.push_back(seg);
  if (const auto spread = median_and_sd(latencies_s_)) {
    f.live_latency_s = spread->median;
    f.live_latency_sd_s = spread->sd;
  }
  return f;
}

std::optional<Spread> median_and_sd(std::vector<double> values) {
  if (values.empty()) return std::nullopt;
  std::sort(values.begin(), values.end());
  const std::size_t n = values.size();
  Spread s;
  s.median = n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
  double mean = 0, var = 0;
  for (double v : values) mean += v / static_cast<double>(n);
  for (double v : values) var += (v - mean) * (v - mean) / static_cast<double>(n);
  s.sd = std::sqrt(var);
  return s;
}

void SessionMetrics::on_live_latency(const LiveLatencyEvent& e) {
  if (f_.state != EngineState::kPlaying) return;
  latencies_s_.push_back(seconds_double(e.latency));
}

}  // namespace abrplay::engine
