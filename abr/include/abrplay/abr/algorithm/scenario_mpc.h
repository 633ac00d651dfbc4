// abrplay/abr/algorithm/scenario_mpc.h: the project's own MPC, "ScenarioMPC" ("scenario-mpc").
//
// Model-predictive control, like MPC, with the two weak points of RobustMPC replaced:
//  1. Uncertainty. RobustMPC plans for one bandwidth, the prediction divided by 1 + the worst recent
//     error: one bad guess makes it plan for the worst case for five segments, and a good streak
//     makes it plan as if the prediction were exact. ScenarioMPC keeps the recent ratios
//     measured / predicted (its own forecast errors, this stream only) and plans against all of them
//     at once: each candidate plan is scored by its QoE averaged over the scenarios
//     "bandwidth = prediction × ratio_k". A plan that stalls in the bad scenarios pays for it in
//     proportion to how often such errors happen; the same plan is not punished for errors that no
//     longer occur. Until enough ratios are measured, a fixed prior set stands in (prior_ratios).
//  2. Latency. Each request pays its time to first byte before bytes flow. The rate is measured
//     without it (ThroughputSample::transfer_kbps) and the plan adds the latency estimate per segment,
//     so small segments are not mistaken for slow links and the fixed cost is not scaled by bitrate.
// At the low-latency live edge (AbrInput::live_chunks) the plan models a segment that arrives in
// chunks as they are encoded, each playable on arrival: a rung the link carries costs no buffer,
// one it does not falls behind by the excess (docs/abr.md, "Low-latency live").
// The search is exhaustive over the horizon (depth-first, sharing prefixes: ~9,300 nodes × scenarios
// for 6 levels and 5 segments, times up to 45 scenarios: about 2 ms). `scenarios` > 0 summarises the
// ratios by that many equally likely quantiles instead, trading some QoE for speed (measured in
// docs/abr.md). Ties go to the lower index.
#pragma once

#include <deque>
#include <vector>

#include "abrplay/abr/algorithm/abr_algorithm.h"

namespace abrplay::abr {

struct ScenarioMpcParams {
  std::size_t horizon = 5;        // segments planned (MPC's horizon)
  std::size_t rate_window = 5;    // harmonic mean of the last 5 transfer rates (MPC's predictor)
  std::size_t error_window = 40;  // forecast errors kept (160 s of 4 s segments: the recent network)
  std::size_t scenarios = 0;      // > 0: summarise the kept errors by this many quantiles (faster)
  // Stand-in ratios while fewer than prior_until real ones exist: a spread around 1 (one bad, one
  // good), topping the scenarios up to prior_until, so early decisions already hedge.
  std::vector<double> prior_ratios = {0.5, 0.75, 1.0, 1.0, 1.25};
  std::size_t prior_until = 40;
  bool separate_latency = true;     // false: plan with whole-request rates and no latency term
  double rebuffer_penalty = 4.3;    // QoE_lin: μ per rebuffer second
  double smoothness_penalty = 1.0;  // per Mbps of change
  // QoE_lin counts a chunk's bitrate (Mbps) once per 4 s chunk in Pensieve's model, where the
  // penalties were set. A planned segment of another duration earns its bitrate per second of
  // media, scaled to this reference: otherwise a 2 s segment would weigh bitrate twice as much
  // against a stall second (docs/abr.md, "Per second of media, not per segment").
  double bitrate_reference_s = 4.0;
  // Low-latency live (AbrInput::live_chunks), where a stall is at most a segment away:
  //  - the prior only until live_prior_until ratios are measured, not 40: its one-in-five halving
  //    kept the LL benchmark's sessions a rung or two under the link for all of their 30 s
  //    (0.62-0.93 x dash.js's bitrate, docs/abr.md); without it at all, the second segment was
  //    planned on one sample alone and stalled where the link started slower than that sample;
  //  - no scenario faster than the prediction: without the prior, one early ratio above 1 (a
  //    predictor still averaging the slow first segments) sent a session to the top and into stalls;
  //  - the harmonic mean of the rates of the last 6 s of media (at least 2), not of 5 segments:
  //    after a step down, 5 of 2 s kept the old rate in the prediction until the buffer ran out;
  //    3 of 4 s (12 s) lagged a link that climbed;
  //  - a plan pays for the deepest it takes the buffer below where it is now as for that many stall
  //    seconds (x live_spent_buffer_weight): at the live edge the buffer is the only reserve. Without
  //    it a plan borrowed a second of buffer for three segments above the link, to repay it later,
  //    and a dip meanwhile stalled (the yahoo trace, 2 s segments).
  std::size_t live_prior_until = 1;
  double live_max_ratio = 1.0;
  double live_rate_window_s = 6.0;
  double live_spent_buffer_weight = 1.0;
};

class ScenarioMpc final : public AbrAlgorithm {
 public:
  explicit ScenarioMpc(ScenarioMpcParams params = {}) : params_(std::move(params)) {}
  [[nodiscard]] Decision choose(const AbrInput& in) override;
  void reset() override;
  std::string_view name() const override { return "scenario-mpc"; }

  // The bandwidth scenarios (kbps) the last choose() planned with.
  const std::vector<double>& last_scenarios_kbps() const { return scenarios_kbps_; }

 private:
  void record_ratio(const ThroughputSample& newest);
  std::size_t live_rate_window(Seconds segment) const;
  ScenarioMpcParams params_;
  std::deque<double> ratios_;
  std::optional<double> last_prediction_kbps_;
  std::optional<Seconds> last_seen_sample_;
  std::vector<double> scenarios_kbps_;
};

}  // namespace abrplay::abr
