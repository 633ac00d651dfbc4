#include "abrplay/abr/algorithm/scenario_mpc.h"

#include <algorithm>
#include <cmath>

namespace abrplay::abr {

namespace {

// Where one scenario stands before a segment: buffer, and (low-latency live) when the segment's
// last chunk is encoded and the lowest buffer the plan has reached so far.
struct PlanState {
  double buffer = 0;
  double encode_left = 0;
  double lowest = 0;
};

// Depth-first search over plans; each node carries one state per scenario.
class ScenarioSearch {
 public:
  ScenarioSearch(const AbrInput& in, const ScenarioMpcParams& p, const std::vector<double>& bytes_per_s,
                 double latency_s, std::size_t depth)
      : in_(in),
        p_(p),
        rate_(bytes_per_s),
        latency_s_(latency_s),
        depth_(depth),
        live_d_(std::max(in.segment_duration.count(), 0.001)),
        live_chunk_(in.live_chunks && std::isfinite(in.live_chunks->chunk.count())
                        ? std::clamp(in.live_chunks->chunk.count(), 0.001, live_d_)
                        : live_d_),
        state_(depth + 1, std::vector<PlanState>(bytes_per_s.size())),
        rebuffer_(depth + 1, std::vector<double>(bytes_per_s.size(), 0.0)) {}

  std::size_t best(std::size_t last) {
    // An encode time that is not a finite number of seconds ahead counts as none left.
    const double encode_left = in_.live_chunks ? in_.live_chunks->encode_left.count() : 0.0;
    const PlanState now{in_.buffer_level.count(), std::isfinite(encode_left) ? std::clamp(encode_left, 0.0, 1e6) : 0.0,
                        in_.buffer_level.count()};
    std::fill(state_[0].begin(), state_[0].end(), now);
    visit(0, 0, last, 0);
    return best_first_;
  }

 private:
  double gain(std::size_t q, std::size_t last) const {
    const double kbps = in_.ladder[q].bitrate.kbps();
    return kbps / 1000 * in_.segment_duration.count() / p_.bitrate_reference_s -
           p_.smoothness_penalty * std::abs(kbps - in_.ladder[last].bitrate.kbps()) / 1000;
  }

  // One segment of `bytes` at `bytes_per_s`: the state after it, and the stall it causes.
  PlanState advance(const PlanState& s, double bytes, double bytes_per_s, double& stall) const {
    const double transfer = bytes / bytes_per_s;
    if (!in_.live_chunks) {
      const double download = latency_s_ + transfer;
      stall = std::max(download - s.buffer, 0.0);
      return {std::max(s.buffer - download, 0.0) + in_.segment_duration.count(), 0.0};
    }
    // Low-latency live: each chunk plays as soon as it has arrived, and none arrives before it is
    // encoded. The first chunk is encoded `wait` from now; a link slower than the encoder falls
    // behind by the excess of the transfer over the segment's duration. The stall is the decisive
    // chunk's lateness (latency + wait + the larger of one chunk's transfer and the transfer less
    // all but one chunk's duration) past the buffer. The next decision comes when the last chunk
    // has arrived; the next segment's last chunk is encoded one segment duration after this one's.
    const double d = live_d_, chunk_s = live_chunk_;
    const double one_chunk = transfer * chunk_s / d;
    const double wait = std::max(s.encode_left - d + chunk_s, 0.0);
    const double late = latency_s_ + wait + std::max(one_chunk, transfer - d + chunk_s);
    stall = std::max(late - s.buffer, 0.0);
    const double elapsed = latency_s_ + std::max(wait + transfer, s.encode_left + one_chunk);
    const double buffer = std::max(s.buffer - elapsed + stall + d, 0.0);
    return {buffer, std::max(s.encode_left + d - elapsed, 0.0), std::min(s.lowest, buffer)};
  }

  void visit(std::size_t pos, double score, std::size_t last, std::size_t first) {
    if (pos == depth_) {
      double rebuffer = 0;
      for (double r : rebuffer_[pos]) rebuffer += r;
      if (in_.live_chunks) {
        // Low-latency live: the buffer a plan spends is latency at risk (ScenarioMpcParams).
        for (std::size_t k = 0; k < rate_.size(); ++k)
          rebuffer += p_.live_spent_buffer_weight * std::max(state_[0][k].buffer - state_[pos][k].lowest, 0.0);
      }
      const double total = score - p_.rebuffer_penalty * rebuffer / static_cast<double>(rate_.size());
      if (total > best_score_) {  // strict: ties keep the earlier (lower) plan
        best_score_ = total;
        best_first_ = first;
      }
      return;
    }
    const std::size_t segment = in_.next_segment + pos;
    for (std::size_t q = 0; q < in_.ladder.size(); ++q) {
      const double bytes = in_.segment_bytes(q, segment);
      for (std::size_t k = 0; k < rate_.size(); ++k) {
        double stall = 0;
        state_[pos + 1][k] = advance(state_[pos][k], bytes, rate_[k], stall);
        rebuffer_[pos + 1][k] = rebuffer_[pos][k] + stall;
      }
      visit(pos + 1, score + gain(q, last), q, pos == 0 ? q : first);
    }
  }

  const AbrInput& in_;
  const ScenarioMpcParams& p_;
  const std::vector<double>& rate_;
  double latency_s_;
  std::size_t depth_;
  double live_d_;      // low-latency live: the segment duration (at least 1 ms)
  double live_chunk_;  // and the chunk's, within it
  std::vector<std::vector<PlanState>> state_;
  std::vector<std::vector<double>> rebuffer_;
  double best_score_ = -1e300;
  std::size_t best_first_ = 0;
};

}  // namespace

void ScenarioMpc::reset() {
  ratios_.clear();
  last_prediction_kbps_.reset();
  last_seen_sample_.reset();
}

std::size_t ScenarioMpc::live_rate_window(Seconds segment) const {
  // The rates of the last live_rate_window_s of media, at least two: 3 of 2 s segments, 2 of 4 s.
  // A duration or window that is not a finite positive number of seconds gives the two.
  const double d = segment.count(), window = params_.live_rate_window_s;
  if (!std::isfinite(d) || !std::isfinite(window) || d <= 0 || window <= 0) return 2;
  const double n = std::ceil(window / std::max(d, 0.001) - 1e-9);
  return static_cast<std::size_t>(std::clamp(n, 2.0, 1000.0));
}

void ScenarioMpc::record_ratio(const ThroughputSample& newest) {
  if (last_seen_sample_ && *last_seen_sample_ == newest.end_time) return;
  last_seen_sample_ = newest.end_time;
  if (!last_prediction_kbps_) return;
  // Clamped so one freak sample cannot create an absurd scenario.
  const double measured = params_.separate_latency ? newest.transfer_rate().kbps() : newest.rate().kbps();
  ratios_.push_back(std::clamp(measured / *last_prediction_kbps_, 0.05, 20.0));
  while (ratios_.size() > params_.error_window) ratios_.pop_front();
}

Decision ScenarioMpc::choose(const AbrInput& in) {
  const std::size_t last = in.last_index ? std::min(*in.last_index, in.ladder.size() - 1) : 0;
  std::vector<const ThroughputSample*> usable;
  for (const ThroughputSample& s : in.recent_samples) {
    if (s.bytes > DataSize::zero() && s.duration.count() > 0) usable.push_back(&s);
  }
  double predicted_kbps = 0;
  double latency_s = in.latency.count();
  if (!usable.empty()) {
    record_ratio(*usable.back());
    const std::size_t window = in.live_chunks ? live_rate_window(in.segment_duration) : params_.rate_window;
    const std::size_t n = std::min(std::max<std::size_t>(window, 1), usable.size());
    double inverse_sum = 0, ttfb_sum = 0;
    for (std::size_t i = usable.size() - n; i < usable.size(); ++i) {
      inverse_sum += 1 / (params_.separate_latency ? usable[i]->transfer_rate().kbps() : usable[i]->rate().kbps());
      ttfb_sum += params_.separate_latency ? usable[i]->ttfb.count() : 0.0;
    }
    predicted_kbps = static_cast<double>(n) / inverse_sum;
    latency_s = ttfb_sum / static_cast<double>(n);
    last_prediction_kbps_ = predicted_kbps;
  } else if (in.throughput) {
    predicted_kbps = in.throughput->kbps();
  } else {
    return {0, "no throughput sample yet: lowest"};
  }
  // Scenarios: the measured ratios, topped up with the prior while fewer than prior_until exist.
  std::vector<double> ratios(ratios_.begin(), ratios_.end());
  if (!in.live_chunks) {
    for (std::size_t i = 0; ratios.size() < params_.prior_until && i < params_.prior_ratios.size(); ++i) {
      ratios.push_back(params_.prior_ratios[i]);
    }
  } else if (ratios.size() < params_.live_prior_until) {  // low-latency live: the whole prior, briefly
    ratios.insert(ratios.end(), params_.prior_ratios.begin(), params_.prior_ratios.end());
  }
  if (ratios.empty()) ratios.push_back(1.0);
  std::sort(ratios.begin(), ratios.end());
  const std::size_t n = params_.scenarios == 0 ? ratios.size() : std::min(params_.scenarios, ratios.size());
  std::vector<double> quantiles;
  if (n == ratios.size()) quantiles = ratios;
  for (std::size_t i = 0; n < ratios.size() && i < n; ++i) {
    const double rank = (static_cast<double>(i) + 0.5) / static_cast<double>(n) *
                        static_cast<double>(ratios.size() - 1);
    const auto lo = static_cast<std::size_t>(rank);
    const std::size_t hi = std::min(lo + 1, ratios.size() - 1);
    quantiles.push_back(ratios[lo] + (rank - static_cast<double>(lo)) * (ratios[hi] - ratios[lo]));
  }
  scenarios_kbps_.clear();
  std::vector<double> bytes_per_s;
  for (double r : quantiles) {
    if (in.live_chunks) r = std::min(r, params_.live_max_ratio);
    scenarios_kbps_.push_back(predicted_kbps * r);
    bytes_per_s.push_back(predicted_kbps * r * 1000 / 8);
  }
  const std::size_t depth = std::min(params_.horizon, in.segments_left().value_or(params_.horizon));
  if (depth == 0) return {last, "end of video: nothing to plan"};
  ScenarioSearch search(in, params_, bytes_per_s, latency_s, depth);
  return {search.best(last), "ScenarioMPC: best expected QoE over forecast-error scenarios"};
}

}  // namespace abrplay::abr
