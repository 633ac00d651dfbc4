// Builds AbrInput values for algorithm tests.
#pragma once

#include <vector>

#include "abrplay/abr/algorithm/abr_algorithm.h"

namespace abrplay::abr::test {

inline const std::vector<double> kLadder = {300, 750, 1200, 1850, 2850, 4300};

struct InputBuilder {
  std::vector<Representation> ladder;
  std::vector<ThroughputSample> samples;
  AbrInput input;
  explicit InputBuilder(const std::vector<double>& kbps = kLadder) {
    for (double k : kbps) ladder.push_back({DataRate::kilobits_per_second(k), {}});
    input.segment_count = 48;
  }
  AbrInput& at_buffer(double seconds) {
    input.buffer_level = Seconds{seconds};
    return get();
  }
  AbrInput& get() {
    input.ladder = ladder;
    input.recent_samples = samples;
    return input;
  }
  void add_sample(double kbps, double seconds = 4, double ttfb = 0) {
    const double end = samples.empty() ? seconds : samples.back().end_time.count() + seconds;
    const auto bytes = static_cast<std::int64_t>(kbps * 1000 / 8 * (seconds - ttfb));
    samples.push_back({Seconds{end}, DataSize::bytes(bytes), Seconds{seconds}, Seconds{ttfb}});
  }
};

}  // namespace abrplay::abr::test
