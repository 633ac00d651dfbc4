// abrplay/player/engine/rate_rules.h: the two small bitrate rules the engine applies itself.
// Video otherwise asks abr::AbrAlgorithm; these cover the moments an algorithm cannot help.
//
// Fast start (video, until the estimator has `min_samples` media samples): the highest rung whose
// bitrate fits `safety` x the estimate, where the estimate before any sample is
// `initial_estimate_kbps`. 1000 kbps matches dash.js's and Shaka's default initial estimates
// (ExoPlayer uses a per-country table around 1-3 Mbit/s); the 0.9 safety is dash.js's
// bandwidthSafetyFactor, so the first segment is dash.js's first choice. A lower safety (0.7, the
// lowest rung on the test ladder) started faster but cost QoE on every trace set in the ABR lab
// (docs/abr.md, "Startup"); abandonment stops a first segment the link cannot carry.
// Two samples: the first is usually inflated by TCP slow start
// being absent on a warm connection or deflated by the handshake; two cover one of each.
//
// Audio: the highest audio rung costing at most `audio_share` of the estimate (10 %: audio ladders
// span 64-256 kbps, so audio takes the top rung on any link that carries video at all), else the
// lowest. Audio changes are audible, so it follows the estimate only, never the buffer.
// Pure functions.
#pragma once
#include <cstddef>
#include <optional>
#include <span>

#include "abrplay/core/units.h"

namespace abrplay::engine {

struct RateRuleParams {
  DataRate initial_estimate = DataRate::kilobits_per_second(1000);
  double safety = 0.9;
  int min_samples = 2;
  double audio_share = 0.10;
};

// `ladder_kbps` ascending and not empty. Returns an index into it.
[[nodiscard]] std::size_t fast_start_index(std::span<const DataRate> ladder, std::optional<DataRate> estimate,
                                           const RateRuleParams& params);
[[nodiscard]] std::size_t audio_index(std::span<const DataRate> ladder, std::optional<DataRate> estimate,
                                      const RateRuleParams& params);

}  // namespace abrplay::engine
