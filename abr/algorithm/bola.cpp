#include "abrplay/abr/algorithm/bola.h"

#include <algorithm>
#include <cmath>

namespace abrplay::abr {

BolaAlgorithm::Derived BolaAlgorithm::derive(const AbrInput& in) const {
  Derived d;
  const double base = in.ladder.front().bitrate.kbps();
  for (const Representation& r : in.ladder) d.utilities.push_back(std::log(r.bitrate.kbps() / base) + 1);
  const double target = std::max(params_.stable_buffer.count(),
                                 params_.min_buffer.count() +
                                     params_.buffer_per_level.count() * static_cast<double>(in.ladder.size()));
  const double u_max = d.utilities.back();
  // A one-level ladder has u_max = 1; keep γp positive so V stays finite.
  d.gp = std::max(u_max - 1, 1e-9) / (target / params_.min_buffer.count() - 1);
  d.v = params_.min_buffer.count() / d.gp;
  return d;
}

double BolaAlgorithm::switch_threshold(const Derived& d, const AbrInput& in, std::size_t m) {
  const double s_m = in.ladder[m].bitrate.kbps(), s_n = in.ladder[m + 1].bitrate.kbps();
  return d.v * (d.gp + (s_n * d.utilities[m] - s_m * d.utilities[m + 1]) / (s_n - s_m));
}

std::size_t BolaAlgorithm::by_buffer(const Derived& d, const AbrInput& in, double buffer_s) {
  std::size_t best = 0;
  double best_score = 0;
  for (std::size_t m = 0; m < in.ladder.size(); ++m) {
    const double score = (d.v * (d.utilities[m] + d.gp) - buffer_s) / in.ladder[m].bitrate.kbps();
    if (m == 0 || score >= best_score) {  // dash.js: later (higher) index wins ties
      best = m;
      best_score = score;
    }
  }
  return best;
}

Decision BolaAlgorithm::choose(const AbrInput& in) {
  const Derived d = derive(in);
  const double buffer = in.buffer_level.count();
  if (!params_.enhanced) return {by_buffer(d, in, buffer), "BOLA: maximise (V(u+gp) - Q)/S"};

  const std::size_t safe = in.throughput
                               ? in.highest_index_at_most(*in.throughput * params_.throughput_safety / in.playback_rate)
                               : 0;
  if (!started_ || in.rebuffering || !in.last_index) {
    // Start-up: choose by throughput, and insert the placeholder buffer that makes BOLA agree.
    started_ = true;
    const double level = safe == 0 ? 0 : switch_threshold(d, in, safe - 1);
    placeholder_s_ = std::max(0.0, level - buffer);
    last_buffer_s_ = buffer;
    return {safe, "BOLA-E start-up: throughput choice, placeholder buffer set"};
  }
  // A buffer that shrank since the last decision (a download slower than real time) eats the
  // placeholder first: it stands for buffer the player could have had, and that time was spent.
  if (buffer < last_buffer_s_) placeholder_s_ = std::max(0.0, placeholder_s_ - (last_buffer_s_ - buffer));
  last_buffer_s_ = buffer;
  // The placeholder never lifts the effective buffer above the level where BOLA picks the top.
  const double top_level = d.v * (d.utilities.back() + d.gp);
  placeholder_s_ = std::clamp(top_level - buffer, 0.0, placeholder_s_);
  std::size_t quality = by_buffer(d, in, buffer + placeholder_s_);
  const std::size_t last = *in.last_index;
  std::string_view reason = "BOLA-E: buffer + placeholder";
  if (quality > last && quality > safe) {
    quality = std::max(safe, last);
    reason = "BOLA-O: capped at max(throughput choice, last)";
  }
  // As dash.js does, shrink the placeholder so that buffer + placeholder does not exceed the highest
  // level at which BOLA itself would pick `quality`: a placeholder that argues for more than the
  // chosen quality would only delay the reaction to a falling buffer.
  if (quality + 1 < in.ladder.size()) {
    placeholder_s_ = std::clamp(switch_threshold(d, in, quality) - buffer, 0.0, placeholder_s_);
  }
  return {quality, reason};
}

}  // namespace abrplay::abr
