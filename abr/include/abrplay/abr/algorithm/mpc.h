// abrplay/abr/algorithm/mpc.h: MPC and RobustMPC (Yin, Jindal, Sekar, Sinopoli, SIGCOMM 2015), as
// Pensieve's baseline implements them.
//
// Prediction: the harmonic mean of the last `window` (5) whole-request throughputs. RobustMPC divides
// it by 1 + the largest relative error |predicted − measured| / measured of the last `error_window`
// (5) predictions. Then every sequence of representations for the next `horizon` (5) segments —
// fewer near the end of the video — is simulated at that bandwidth (download = bytes / bandwidth;
// buffer −= download, rebuffer when it runs dry; + one segment duration), scored
//   Σ bitrate_Mbps − rebuffer_penalty × rebuffer_s − smoothness_penalty × Σ |Δbitrate_Mbps|
// and the first step of the best sequence is chosen. Sequences are tried in lexicographic order and a
// later one wins a tie (as Pensieve's code does).
//
// Two switches reproduce Pensieve's code exactly rather than the paper: `keep_errors_across_streams`
// (its error history is a global that survives from one trace to the next) and
// `lookahead_size_offset` = 1 (its look-ahead reads the sizes of the segment after the one it plans).
#pragma once

#include <deque>

#include "abrplay/abr/algorithm/abr_algorithm.h"

namespace abrplay::abr {

struct MpcParams {
  std::size_t horizon = 5;
  std::size_t window = 5;
  bool robust = false;
  std::size_t error_window = 5;
  double rebuffer_penalty = 4.3;    // per rebuffer second (Pensieve's QoE_lin: the top bitrate in Mbps)
  double smoothness_penalty = 1.0;  // per Mbps of change
  bool keep_errors_across_streams = false;
  std::size_t lookahead_size_offset = 0;
};

class MpcAlgorithm final : public AbrAlgorithm {
 public:
  explicit MpcAlgorithm(MpcParams params = {}) : params_(params) {}
  [[nodiscard]] Decision choose(const AbrInput& in) override;
  void reset() override;
  std::string_view name() const override { return params_.robust ? "robustmpc" : "mpc"; }

  // The bandwidth (kbps) the last choose() planned with (for tests and telemetry).
  double last_future_kbps() const { return last_future_kbps_; }

 private:
  void record_error(const AbrInput& in);
  MpcParams params_;
  std::deque<double> errors_;
  std::optional<double> last_prediction_kbps_;
  std::optional<Seconds> last_seen_sample_;
  double last_future_kbps_ = 0;
};

}  // namespace abrplay::abr
