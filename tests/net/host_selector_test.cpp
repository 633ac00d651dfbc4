// HostSelector: a pure policy fed timestamped observations.
#include <catch2/catch.hpp>

#include <algorithm>

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

TEST_CASE("the first choice shares hosts of the best priority by weight, then stays", "[net][hosts]") {
  // Weights 1 and 3: the first quarter of the unit interval picks a, the rest b; c (priority 2) never.
  CHECK(three_hosts().select(t0, 0.0).base_url == "http://a/");
  CHECK(three_hosts().select(t0, 0.24).base_url == "http://a/");
  CHECK(three_hosts().select(t0, 0.26).base_url == "http://b/");
  auto s = three_hosts();
  const auto first = s.select(t0, 0.99);
  CHECK(first.base_url == "http://b/");
  CHECK(first.reason == HostChoiceReason::kWeighted);
  CHECK(first.changed);
  CHECK(first.detail == "by weight among 2 hosts of priority 1");
  // The draw is per session: later fetches stay whatever the random number.
  const auto next = s.select(t0 + seconds(1), 0.0);
  CHECK(next.base_url == "http://b/");
  CHECK_FALSE(next.changed);
  CHECK(next.detail == first.detail);
}

TEST_CASE("a failed host is excluded for a while, the other serves, then the failed one is probed", "[net][hosts]") {
  HostSelectorParams p;
  p.exclusion = milliseconds(5000);
  auto s = three_hosts(p);
  REQUIRE(s.select(t0, 0.9).base_url == "http://b/");
  s.record_failure(1, t0);  // b
  CHECK(s.excluded(1, t0 + milliseconds(4999)));
  const auto failover = s.select(t0 + milliseconds(10), 0.9);
  CHECK(failover.base_url == "http://a/");
  CHECK(failover.reason == HostChoiceReason::kFailover);
  CHECK(failover.changed);
  CHECK(failover.detail.find("http://b/ failed") == 0);
  const auto probe = s.select(t0 + milliseconds(5000), 0.0);
  CHECK(probe.base_url == "http://b/");
  CHECK(probe.reason == HostChoiceReason::kProbe);
  CHECK_FALSE(probe.changed);
  // A second failure doubles the exclusion; a success clears it.
  s.record_failure(1, t0 + milliseconds(5000));
  CHECK(s.excluded(1, t0 + milliseconds(14999)));
  CHECK_FALSE(s.excluded(1, t0 + milliseconds(15000)));
  s.record_success(1, t0 + milliseconds(15000), 1e6, milliseconds(10));
  CHECK(s.hosts()[1].consecutive_failures == 0);
  CHECK(s.select(t0 + milliseconds(15001), 0.0).base_url == "http://a/");  // a stays current
}

TEST_CASE("when the preferred priority is all excluded, the next serves until the preferred is back", "[net][hosts]") {
  HostSelectorParams p;
  p.exclusion = milliseconds(1000);
  auto s = three_hosts(p);
  REQUIRE(s.select(t0, 0.0).base_url == "http://a/");
  s.record_failure(0, t0);
  s.record_failure(1, t0);
  CHECK(s.select(t0 + milliseconds(1), 0.5).base_url == "http://c/");
  // a's exclusion ends: it is probed; once it succeeds, priority 1 takes the traffic back.
  const auto probe = s.select(t0 + milliseconds(1001), 0.0);
  CHECK(probe.reason == HostChoiceReason::kProbe);
  s.record_success(probe.index, t0 + milliseconds(1100), 4e6, milliseconds(10));
  s.record_success(1, t0 + milliseconds(1100), 4e6, milliseconds(10));
  const auto back = s.select(t0 + milliseconds(1200), 0.0);
  CHECK(back.reason == HostChoiceReason::kPreferred);
  CHECK(back.changed);
  CHECK(s.hosts()[back.index].candidate.priority == 1);
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

namespace {

// a and b of equal priority and weight; a is the first choice. Each fetch takes 1 s and the one the
// selector names is recorded at that host's rate; returns the choices made.
std::vector<HostChoice> run_fetches(HostSelector& s, int n, SteadyTime& t, double a_bps, double b_bps) {
  std::vector<HostChoice> out;
  for (int i = 0; i < n; ++i) {
    HostChoice c = s.select(t, 0.0);
    t += seconds(1);
    s.record_success(c.index, t, c.index == 0 ? a_bps : b_bps, milliseconds(20), 500'000);
    out.push_back(std::move(c));
  }
  return out;
}

HostSelector two_hosts(HostSelectorParams p = {}) {
  return HostSelector({{"http://a/", 1, 1}, {"http://b/", 1, 1}}, p);
}

long count_reason(const std::vector<HostChoice>& v, HostChoiceReason r) {
  // A measured switch counts once (the fetches after it carry the same reason, unchanged).
  return std::count_if(v.begin(), v.end(), [r](const HostChoice& c) {
    return c.reason == r && (r != HostChoiceReason::kMeasuredBetter || c.changed);
  });
}

}  // namespace

TEST_CASE("a host measured at under half another's throughput loses the traffic to it", "[net][hosts]") {
  auto s = two_hosts();
  SteadyTime t = t0;
  const auto choices = run_fetches(s, 20, t, 1e6, 3e6);
  // Every 4th fetch after the choice measures b until it has 3 samples; then b takes over with the figures as reason.
  REQUIRE(choices[0].base_url == "http://a/");
  CHECK(choices[4].reason == HostChoiceReason::kMeasure);
  CHECK(choices[4].base_url == "http://b/");
  const auto sw = std::find_if(choices.begin(), choices.end(),
                               [](const HostChoice& c) { return c.reason == HostChoiceReason::kMeasuredBetter; });
  REQUIRE(sw != choices.end());
  CHECK(sw->changed);
  CHECK(sw->base_url == "http://b/");
  CHECK(sw->detail == "throughput 3.00 Mbit/s against 1.00 Mbit/s on http://a/");
  CHECK(sw - choices.begin() <= 13);
  CHECK(s.current() == std::size_t{1});
  CHECK(choices.back().base_url == "http://b/");
}

TEST_CASE("hysteresis: traffic stays put inside the band and does not flap", "[net][hosts]") {
  auto s = two_hosts();
  SteadyTime t = t0;
  (void)run_fetches(s, 20, t, 1e6, 3e6);
  REQUIRE(s.current() == std::size_t{1});
  // a recovers to 5 Mbit/s: b (3) is 0.6 of it, inside the band: no switch back, only re-measuring.
  auto later = run_fetches(s, 120, t, 5e6, 3e6);
  CHECK(count_reason(later, HostChoiceReason::kMeasuredBetter) == 0);
  CHECK(count_reason(later, HostChoiceReason::kMeasure) >= 3);  // a stays measured (stale after 30 s)
  CHECK(count_reason(later, HostChoiceReason::kMeasure) <= 12);
  // a at 8 Mbit/s: b is under half of it; a takes the traffic back.
  later = run_fetches(s, 120, t, 8e6, 3e6);
  CHECK(count_reason(later, HostChoiceReason::kMeasuredBetter) == 1);
  CHECK(s.current() == std::size_t{0});
}

TEST_CASE("without measured choice the first pick stays and nothing is spent on measuring", "[net][hosts]") {
  HostSelectorParams p;
  p.measured_choice = false;
  auto s = two_hosts(p);
  SteadyTime t = t0;
  const auto choices = run_fetches(s, 40, t, 1e6, 3e6);
  for (const auto& c : choices) CHECK(c.base_url == "http://a/");
}

TEST_CASE("measurements go only to fetches large enough to time", "[net][hosts]") {
  auto s = two_hosts();
  REQUIRE(s.select(t0, 0.0).base_url == "http://a/");
  // Audio-sized fetches (8 kB) never measure b, however many; the next video-sized one does.
  for (int i = 0; i < 10; ++i) CHECK(s.select(t0 + seconds(i), 0.0, 8'000).base_url == "http://a/");
  const auto m = s.select(t0 + seconds(10), 0.0, 100'000);
  CHECK(m.base_url == "http://b/");
  CHECK(m.reason == HostChoiceReason::kMeasure);
}

TEST_CASE("short transfers time the latency, not the throughput", "[net][hosts]") {
  auto s = two_hosts();
  s.record_success(0, t0, 0.0, milliseconds(30));
  CHECK_FALSE(s.hosts()[0].measured);
  CHECK(s.hosts()[0].latency_s == Approx(0.030));
  s.record_success(1, t0, 5e6, milliseconds(30), 20'000);  // 20 kB: mostly round trips
  CHECK_FALSE(s.hosts()[1].measured);
  s.record_success(1, t0, 5e6, milliseconds(30), 200'000);
  CHECK(s.hosts()[1].samples == 1);
}

}  // namespace abrplay::net

namespace abrplay::net {
namespace {

// Two pathways of two hosts each (the second host of each a DVB backup), and a host of no pathway.
HostSelector pathways(HostSelectorParams params = {}) {
  return HostSelector({{"http://a1/", 1, 1, "alpha"},
                       {"http://a2/", 2, 1, "alpha"},
                       {"http://b1/", 1, 1, "beta"},
                       {"http://b2/", 2, 1, "beta"},
                       {"http://x/", 1, 1, ""}},
                      params);
}

}  // namespace

TEST_CASE("a pathway priority ranks hosts by pathway first, then by their own priority", "[net][hosts][steering]") {
  auto s = pathways();
  CHECK(s.set_pathway_priority({"beta", "alpha"}, "steering answer from http://s/") == 2);
  const auto first = s.select(t0, 0.0);
  CHECK(first.base_url == "http://b1/");
  CHECK(first.pathway == "beta");
  CHECK(first.reason == HostChoiceReason::kSteered);
  CHECK(first.detail == "steering answer from http://s/; among 1 host of priority 1 on pathway beta");
  // b1 fails: its own pathway's backup b2 comes before any host of alpha.
  s.record_failure(first.index, t0);
  const auto over = s.select(t0, 0.0);
  CHECK(over.base_url == "http://b2/");
  CHECK(over.reason == HostChoiceReason::kFailover);
  // The whole of beta fails: alpha's best serves.
  s.record_failure(over.index, t0);
  CHECK(s.select(t0, 0.0).base_url == "http://a1/");
}

TEST_CASE("a new pathway priority moves the traffic at the next fetch, with reason steered", "[net][hosts][steering]") {
  auto s = pathways();
  REQUIRE(s.set_pathway_priority({"alpha", "beta"}, "the MPD's defaultServiceLocation") == 2);
  CHECK(s.select(t0, 0.0).base_url == "http://a1/");
  CHECK_FALSE(s.select(t0 + seconds(1), 0.0).changed);
  // The same order again changes nothing.
  REQUIRE(s.set_pathway_priority({"alpha", "beta"}, "steering answer 2") == 2);
  CHECK_FALSE(s.select(t0 + seconds(2), 0.0).changed);
  REQUIRE(s.set_pathway_priority({"beta", "alpha"}, "steering answer 3") == 2);
  const auto moved = s.select(t0 + seconds(3), 0.0);
  CHECK(moved.base_url == "http://b1/");
  CHECK(moved.changed);
  CHECK(moved.reason == HostChoiceReason::kSteered);
  CHECK(moved.detail.find("steering answer 3") == 0);
  CHECK_FALSE(s.select(t0 + seconds(4), 0.0).changed);
}

TEST_CASE("pathways a steering answer leaves out serve only as failover, and unknown ones are ignored",
          "[net][hosts][steering]") {
  auto s = pathways();
  // "gamma" is no pathway of ours; beta is left out, and the host of no pathway too.
  CHECK(s.set_pathway_priority({"gamma", "alpha"}, "answer") == 1);
  CHECK(s.select(t0, 0.0).base_url == "http://a1/");
  s.record_failure(0, t0);
  CHECK(s.select(t0, 0.0).base_url == "http://a2/");
  s.record_failure(1, t0);
  // Every listed host is excluded: the unlisted ones of the best DVB priority take over.
  const auto fallback = s.select(t0, 0.0);
  CHECK((fallback.base_url == "http://b1/" || fallback.base_url == "http://x/"));
  CHECK(fallback.reason == HostChoiceReason::kFailover);
}

TEST_CASE("a pathway priority naming none of the hosts' pathways keeps the order there was", "[net][hosts][steering]") {
  auto s = pathways();
  REQUIRE(s.set_pathway_priority({"beta"}, "answer 1") == 1);
  CHECK(s.set_pathway_priority({"gamma", "delta"}, "answer 2") == 0);
  CHECK(s.pathway_priority() == std::vector<std::string>{"beta"});
  CHECK(s.select(t0, 0.0).base_url == "http://b1/");
  // An empty list goes back to the hosts' own priorities (DVB), with a weighted first choice.
  auto plain = pathways();
  CHECK(plain.set_pathway_priority({}, "none") == 0);
  CHECK(plain.select(t0, 0.0).reason == HostChoiceReason::kWeighted);
}

TEST_CASE("measured choice works inside the steered pathway and never leaves it", "[net][hosts][steering]") {
  HostSelectorParams p;
  p.min_samples = 1;
  p.measure_every = 1;
  HostSelector s({{"http://a1/", 1, 1, "alpha"}, {"http://a2/", 1, 1, "alpha"}, {"http://b1/", 1, 1, "beta"}}, p);
  REQUIRE(s.set_pathway_priority({"alpha", "beta"}, "answer") == 2);
  const auto first = s.select(t0, 0.0);
  REQUIRE(first.base_url == "http://a1/");
  s.record_success(0, t0, 1e6, milliseconds(10), 1'000'000);
  s.record_success(2, t0, 50e6, milliseconds(10), 1'000'000);  // beta is far faster, but not steered to
  // The next large fetch measures a2 (alpha's other host), never b1.
  const auto measure = s.select(t0 + seconds(1), 0.0, 1'000'000);
  CHECK(measure.base_url == "http://a2/");
  CHECK(measure.reason == HostChoiceReason::kMeasure);
  s.record_success(1, t0 + seconds(1), 5e6, milliseconds(10), 1'000'000);
  const auto better = s.select(t0 + seconds(20), 0.0, 1'000'000);
  CHECK(better.base_url == "http://a2/");
  CHECK(better.reason == HostChoiceReason::kMeasuredBetter);
}

}  // namespace abrplay::net
