#include <catch2/catch.hpp>

#include "abrplay/abr/estimator/estimators.h"

using abrplay::DataRate;
using abrplay::DataSize;
using abrplay::Seconds;
using abrplay::abr::EwmaEstimator;
using abrplay::abr::FixedEstimator;
using abrplay::abr::HarmonicMeanEstimator;
using abrplay::abr::LatencyEstimator;
using abrplay::abr::PercentileEstimator;
using abrplay::abr::ThroughputSample;

namespace {
// A transfer at `kbps` lasting `seconds`, with `ttfb` of latency included.
ThroughputSample at(double kbps, double seconds = 1, double ttfb = 0) {
  return {Seconds{seconds}, DataSize::bytes(static_cast<std::int64_t>(kbps * 1000 / 8 * seconds)), Seconds{seconds},
          Seconds{ttfb}};
}
}  // namespace

TEST_CASE("ThroughputSample: whole-request rate vs transfer rate without latency", "[estimator]") {
  const ThroughputSample s{Seconds{1}, DataSize::bytes(100'000), Seconds{1.0}, Seconds{0.2}};
  CHECK(s.rate().kbps() == Approx(800));
  CHECK(s.transfer_rate().kbps() == Approx(1000));
  const ThroughputSample all_latency{Seconds{1}, DataSize::bytes(100'000), Seconds{0.5}, Seconds{0.5}};
  CHECK(all_latency.transfer_rate().kbps() == Approx(all_latency.rate().kbps()));
}

TEST_CASE("Every estimator has no estimate before a sample and ignores empty samples", "[estimator]") {
  EwmaEstimator ewma;
  HarmonicMeanEstimator harmonic;
  PercentileEstimator percentile;
  for (abrplay::abr::ThroughputEstimator* e :
       std::initializer_list<abrplay::abr::ThroughputEstimator*>{&ewma, &harmonic, &percentile}) {
    CHECK_FALSE(e->estimate());
    e->add_sample({Seconds{1}, DataSize::zero(), Seconds{1}, Seconds{0}});
    e->add_sample({Seconds{1}, DataSize::bytes(1000), Seconds{0}, Seconds{0}});
    CHECK_FALSE(e->estimate());
    e->add_sample(at(2000));
    REQUIRE(e->estimate());
    CHECK(e->estimate()->kbps() == Approx(2000));  // one sample: every estimator returns it exactly
    e->reset();
    CHECK_FALSE(e->estimate());
  }
}

TEST_CASE("Harmonic mean covers exactly the last `window` samples", "[estimator]") {
  HarmonicMeanEstimator h(2);
  h.add_sample(at(100));
  h.add_sample(at(1000));
  h.add_sample(at(4000));
  CHECK(h.estimate()->kbps() == Approx(2.0 / (1.0 / 1000 + 1.0 / 4000)));  // 1600; the 100 left
}

TEST_CASE("Dual EWMA: drops with the fast average, rises with the slow one", "[estimator]") {
  EwmaEstimator e({Seconds{3}, Seconds{8}});
  e.add_sample(at(4000, 4));
  e.add_sample(at(1000, 4));
  // Both averages are bias-corrected; after a drop the fast one is lower, and min() takes it.
  const double fast_decay = std::pow(0.5, 4.0 / 3);
  const double slow_decay = std::pow(0.5, 4.0 / 8);
  const double fast = ((1 - fast_decay) * 4000 * fast_decay + (1 - fast_decay) * 1000) / (1 - fast_decay * fast_decay);
  const double slow = ((1 - slow_decay) * 4000 * slow_decay + (1 - slow_decay) * 1000) / (1 - slow_decay * slow_decay);
  CHECK(fast < slow);
  CHECK(e.estimate()->kbps() == Approx(fast));
  EwmaEstimator up;
  up.add_sample(at(1000, 4));
  up.add_sample(at(4000, 4));
  const double slow_up = ((1 - slow_decay) * 1000 * slow_decay + (1 - slow_decay) * 4000) /
                         (1 - slow_decay * slow_decay);
  CHECK(up.estimate()->kbps() == Approx(slow_up));  // the slow average holds it back
  CHECK(slow_up < 3000);
}

TEST_CASE("Sliding percentile: weighted median and the weight cap", "[estimator]") {
  PercentileEstimator p({0.5, 1e9});
  for (double kbps : {100.0, 5000.0, 300.0}) p.add_sample(at(kbps));  // equal bytes? no: weight sqrt(bytes)
  // Weights sqrt(bytes) favour the 5000 kbps sample (most bytes): sorted 100, 300, 5000 with weights
  // 112, 194, 791; half of 1097 is reached only at 5000.
  CHECK(p.estimate()->kbps() == Approx(5000));
  PercentileEstimator capped({0.5, 200});
  capped.add_sample(at(5000));  // weight 791, trimmed to 200 when the next arrives
  capped.add_sample(at(100));   // weight 112: total capped at 200 -> 5000 keeps 88
  CHECK(capped.estimate()->kbps() == Approx(100));
}

TEST_CASE("Latency is the mean TTFB of the window, apart from rate", "[estimator]") {
  LatencyEstimator l(2);
  CHECK(l.estimate() == Seconds{0});
  l.add_sample(at(1000, 1, 0.5));
  l.add_sample(at(1000, 1, 0.1));
  l.add_sample(at(1000, 1, 0.3));
  CHECK(l.estimate().count() == Approx(0.2));
  FixedEstimator f(DataRate::kilobits_per_second(1234));
  f.add_sample(at(1));
  CHECK(f.estimate()->kbps() == 1234);
}
