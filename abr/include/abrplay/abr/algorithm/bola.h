// abrplay/abr/algorithm/bola.h: BOLA (Spiteri, Urgaonkar, Sitaraman, INFOCOM 2016) and BOLA-E
// (Spiteri, Sitaraman, Sparacio, "From Theory to Practice", MMSys 2018 / dash.js BolaRule).
//
// BOLA picks the representation m maximising (V·(u_m + γp) − Q) / S_m: utility u_m = ln(S_m / S_1) + 1
// (bitrates stand in for sizes), Q the buffer in seconds. V and γp come from the buffer target as in
// dash.js: with B_min = 10 s and B_target = max(stable buffer, 10 s + 2 s × levels),
// γp = (u_max − 1) / (B_target / B_min − 1) and V = B_min / γp, so the lowest bitrate is chosen below
// B_min and the highest from B_target up. Switching from m to m+1 happens at buffer level
//   V·(γp + (S_{m+1}·u_m − S_m·u_{m+1}) / (S_{m+1} − S_m))   (switch_threshold()).
// BOLA-E adds (a) a placeholder buffer: at start-up and after a stall it picks by throughput and
// pretends the buffer is already at the level where BOLA would pick the same, so it does not start at
// the lowest bitrate; (b) BOLA-O: it never moves up past the throughput-safe bitrate and the last one,
// which removes BOLA's oscillation between neighbours. The placeholder shrinks when the real buffer
// shrinks (the time it stood for was spent) and never argues for more than the chosen quality.
#pragma once

#include <vector>

#include "abrplay/abr/algorithm/abr_algorithm.h"

namespace abrplay::abr {

struct BolaParams {
  Seconds stable_buffer{12};       // dash.js stableBufferTime
  Seconds min_buffer{10};          // dash.js MINIMUM_BUFFER_S
  Seconds buffer_per_level{2};     // dash.js MINIMUM_BUFFER_PER_BITRATE_LEVEL_S
  bool enhanced = false;           // BOLA-E: placeholder buffer + BOLA-O
  double throughput_safety = 0.9;  // BOLA-E's throughput-safe choice (dash.js safety factor)
};

class BolaAlgorithm final : public AbrAlgorithm {
 public:
  explicit BolaAlgorithm(BolaParams params = {}) : params_(params) {}
  [[nodiscard]] Decision choose(const AbrInput& in) override;
  void reset() override {
    placeholder_s_ = 0;
    started_ = false;
  }
  std::string_view name() const override { return params_.enhanced ? "bola-e" : "bola"; }

  // The parameters BOLA derives from a ladder (exposed for tests and docs).
  struct Derived {
    std::vector<double> utilities;
    double gp = 0;
    double v = 0;
  };
  Derived derive(const AbrInput& in) const;
  // Buffer level (s) above which BOLA prefers index m+1 over m.
  static double switch_threshold(const Derived& d, const AbrInput& in, std::size_t m);

 private:
  static std::size_t by_buffer(const Derived& d, const AbrInput& in, double buffer_s);
  BolaParams params_;
  double placeholder_s_ = 0;
  double last_buffer_s_ = 0;
  bool started_ = false;
};

}  // namespace abrplay::abr
