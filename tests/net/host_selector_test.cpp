// HostSelector: a pure policy fed timestamped observations.
#include <catch2/catch.hpp>

#include "abrplay/net/host_selector.h"

namespace abrplay::net {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
const SteadyTime t0 = SteadyTime{} + std::chrono::hours(1);

HostSelector three_hosts(HostSelectorParams params = {}) {
  return HostSelector({{"http://a/", 1, 1}, {"http://b/", 1, 3}, {"http://c/", 2, 1}}, params);
}

}  // namespace

TEST_CASE("without measurements, hosts of the best priority share by weight", "[net][hosts]") {
  const auto s = three_hosts();
  // Weights 1 and 3: the first quarter of the unit interval picks a, the rest b; c (priority 2) never.
  CHECK(s.select(t0, 0.0).base_url == "http://a/");
  CHECK(s.select(t0, 0.24).base_url == "http://a/");
  CHECK(s.select(t0, 0.26).base_url == "http://b/");
  CHECK(s.select(t0, 0.99).base_url == "http://b/");
  CHECK(s.select(t0, 0.5).reason == HostChoiceReason::kWeighted);
}

TEST_CASE("a failed host is excluded for a while, then probed again", "[net][hosts]") {
  HostSelectorParams p;
  p.exclusion = milliseconds(5000);
  auto s = three_hosts(p);
  s.record_failure(1, t0);  // b
  CHECK(s.excluded(1, t0 + milliseconds(4999)));
  CHECK(s.select(t0 + milliseconds(10), 0.9).base_url == "http://a/");
  const auto probe = s.select(t0 + milliseconds(5000), 0.0);
  CHECK(probe.base_url == "http://b/");
  CHECK(probe.reason == HostChoiceReason::kProbe);
  // A second failure doubles the exclusion; a success clears it.
  s.record_failure(1, t0 + milliseconds(5000));
  CHECK(s.excluded(1, t0 + milliseconds(14999)));
  CHECK_FALSE(s.excluded(1, t0 + milliseconds(15000)));
  s.record_success(1, t0 + milliseconds(15000), 1e6, milliseconds(10));
  CHECK(s.hosts()[1].consecutive_failures == 0);
}

TEST_CASE("when the preferred priority is all excluded, the next priority serves", "[net][hosts]") {
  auto s = three_hosts();
  s.record_failure(0, t0);
  s.record_failure(1, t0);
  CHECK(s.select(t0 + milliseconds(1), 0.5).base_url == "http://c/");
}

TEST_CASE("when every host is excluded, the one whose exclusion ends first is used", "[net][hosts]") {
  auto s = three_hosts();
  s.record_failure(2, t0);
  s.record_failure(0, t0 + milliseconds(100));
  s.record_failure(1, t0 + milliseconds(200));
  const auto c = s.select(t0 + milliseconds(300), 0.5);
  CHECK(c.base_url == "http://c/");
  CHECK(c.reason == HostChoiceReason::kAllExcluded);
}

TEST_CASE("among measured healthy hosts, the faster expected fetch wins", "[net][hosts]") {
  auto s = three_hosts();
  s.record_success(0, t0, 20e6, milliseconds(20));  // a: 20 Mbit/s, 20 ms -> 0.42 s for 1 MB
  s.record_success(1, t0, 10e6, milliseconds(5));   // b: 10 Mbit/s, 5 ms  -> 0.805 s
  auto c = s.select(t0, 0.99);
  CHECK(c.base_url == "http://a/");
  CHECK(c.reason == HostChoiceReason::kBestMeasured);
  // a's latency climbs to ~1 s: b becomes the better choice.
  for (int i = 0; i < 10; ++i) s.record_success(0, t0 + seconds(i), 20e6, milliseconds(1000));
  CHECK(s.select(t0 + seconds(10), 0.0).base_url == "http://b/");
}

TEST_CASE("a success too short to time updates latency but does not count as a throughput sample", "[net][hosts]") {
  auto s = three_hosts();
  s.record_success(0, t0, 0.0, milliseconds(30));
  CHECK_FALSE(s.hosts()[0].measured);
  CHECK(s.hosts()[0].latency_s == Approx(0.030));
  s.record_success(1, t0, 5e6, milliseconds(30));
  CHECK(s.select(t0, 0.0).base_url == "http://b/");  // the only measured host
  s.record_success(0, t0, 50e6, milliseconds(30));
  CHECK(s.select(t0, 0.0).base_url == "http://a/");
}

}  // namespace abrplay::net
