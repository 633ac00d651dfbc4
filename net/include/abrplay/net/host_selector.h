// abrplay/net/host_selector.h: which base URL (CDN) to fetch from. A pure policy: time and
// randomness come in as values, observations carry their timestamps, no clock, no I/O, no locks.
//
// Candidates come from the MPD's BaseURLs (DVB-DASH priority and weight): a lower `priority`
// number is preferred; `weight` shares load between hosts of equal priority.
//
// The selector keeps a current host, and each select() says which host serves the next fetch:
//   1. The first choice: among the healthy hosts of the best (lowest) priority number, a weighted
//      random pick (kWeighted): DVB's load sharing, one draw per session.
//   2. Hosts excluded after a failure are skipped until their exclusion ends. When the current
//      host is excluded, another of the best healthy priority takes over: the one measured faster
//      (expected time of a reference-sized fetch), else by weight (kFailover). If every host is
//      excluded, the one whose exclusion ends first is used (kAllExcluded): never "no host".
//   3. A host back from exclusion in the preferred priority is probed once (kProbe); a healthy host
//      of a better priority than the current one takes the traffic back (kPreferred).
//   4. Measured choice (`measured_choice`): every `measure_every` fetches, one goes to a host of the
//      current priority whose throughput is unknown (fewer than `min_samples` samples) or older than
//      `stale_after` (kMeasure), so the alternatives stay measured. When the current host's
//      throughput is under `switch_ratio` of another's (both with `min_samples` samples), that
//      other host takes the traffic (kMeasuredBetter), at most once per `min_dwell`: the band
//      between switch_ratio and its inverse is hysteresis, so traffic does not flap.
//   5. Steering (set_pathway_priority, e.g. from a DASH-IF Content Steering answer): each candidate
//      may name its `pathway` (a DASH BaseURL@serviceLocation). Once a pathway priority is set,
//      hosts rank first by the position of their pathway in it, then by their own priority; hosts
//      of pathways the list does not name rank after every listed one (failover only, as dash.js
//      falls back to them only when no listed pathway is usable). Everything above then works within
//      that order: failover and probes across it, measured choice inside the best healthy tier.
//      When a new order makes another tier the best, the next select() moves there (kSteered).
// A failure excludes the host for `exclusion`, doubling with each consecutive failure up to
// `max_exclusion`; a success clears its failures. Transfers under `min_sample_bytes` time the
// latency only (their "throughput" is mostly round trips).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "abrplay/core/time.h"

namespace abrplay::net {

struct HostCandidate {
  std::string base_url;
  int priority = 1;       // lower is preferred (DVB-DASH @dvb:priority)
  int weight = 1;         // share among equal priorities (DVB-DASH @dvb:weight); 0 counts as 1
  std::string pathway{};  // the steering pathway it belongs to (DASH @serviceLocation); "" for none
};

struct HostSelectorParams {
  std::chrono::milliseconds exclusion{5'000};
  std::chrono::milliseconds max_exclusion{60'000};
  double smoothing = 0.3;  // weight of a new measurement in the moving averages
  // The fetch size the failover score is computed for. 1 MB is a 2 s segment at 4 Mbit/s: the size
  // where throughput and latency both matter.
  std::uint64_t reference_bytes = 1'000'000;
  bool measured_choice = true;
  int min_samples = 3;
  int measure_every = 4;
  std::chrono::milliseconds stale_after{30'000};
  double switch_ratio = 0.5;
  std::chrono::milliseconds min_dwell{10'000};
  std::uint64_t min_sample_bytes = 64 * 1024;
};

// kSteered: a pathway priority (set_pathway_priority) made this host's tier the best one.
enum class HostChoiceReason {
  kWeighted,
  kFailover,
  kAllExcluded,
  kProbe,
  kPreferred,
  kMeasure,
  kMeasuredBetter,
  kSteered
};
std::string_view to_string(HostChoiceReason reason);

struct [[nodiscard]] HostChoice {
  std::size_t index = 0;
  std::string base_url;
  std::string pathway;  // the host's HostCandidate::pathway
  HostChoiceReason reason = HostChoiceReason::kWeighted;
  // This choice made `index` the current host (the first choice, a failover, a measured switch);
  // false for fetches that stay on it and for one-off probes and measurements.
  bool changed = false;
  // Why, in words: "throughput 3.30 Mbit/s against 1.10 Mbit/s on http://b/", for events and logs
  // (for a fetch that stays on the current host: why that host became current).
  std::string detail;
};

class HostSelector {
 public:
  struct HostState {
    HostCandidate candidate;
    int consecutive_failures = 0;
    SteadyTime excluded_until{};
    bool measured = false;      // a throughput sample has been recorded
    double throughput_bps = 0;  // moving average
    int samples = 0;            // throughput samples
    SteadyTime last_sample{};
    double latency_s = 0;  // moving average of time to first byte
    int latency_samples = 0;
  };

  // `candidates` must not be empty.
  HostSelector(std::vector<HostCandidate> candidates, HostSelectorParams params = {});

  // The host for the next fetch of `expected_bytes` (0: unknown), and the current host's
  // bookkeeping (see the file comment). Measurements go only to fetches of min_sample_bytes or more.
  HostChoice select(SteadyTime now, double random_unit, std::uint64_t expected_bytes = ~std::uint64_t{0});

  // `bytes` fetched at `throughput_bps` (0: too short to time), after `latency` to the first byte.
  void record_success(std::size_t index, SteadyTime now, double throughput_bps, std::chrono::microseconds latency,
                      std::uint64_t bytes = ~std::uint64_t{0});
  void record_failure(std::size_t index, SteadyTime now);

  // Ranks the hosts by pathway (see 5. in the file comment): `priority` best first; an empty list
  // goes back to the candidates' own priorities. `why` names the source for the choice's detail
  // ("steering answer from http://s/steer: cdn-b, cdn-a"). Pathways no candidate has are ignored;
  // returns how many of the listed pathways some candidate has (0: the order changed nothing).
  std::size_t set_pathway_priority(std::vector<std::string> priority, std::string why);
  const std::vector<std::string>& pathway_priority() const { return pathway_priority_; }

  bool excluded(std::size_t index, SteadyTime now) const { return hosts_.at(index).excluded_until > now; }
  const std::vector<HostState>& hosts() const { return hosts_; }
  std::optional<std::size_t> current() const { return current_; }

 private:
  double expected_seconds(const HostState& h) const;
  // The host's rank: its pathway's position in pathway_priority_ (unlisted: after every listed
  // one), then its own priority. Lower is preferred. Equal to `priority` without steering.
  std::int64_t rank(std::size_t index) const;
  HostChoice make(std::size_t index, HostChoiceReason reason, bool changed, std::string detail = {}) const;
  HostChoice switch_to(std::size_t index, HostChoiceReason reason, SteadyTime now, std::string detail = {});

  HostSelectorParams params_;
  std::vector<HostState> hosts_;
  std::optional<std::size_t> current_;
  HostChoiceReason current_reason_ = HostChoiceReason::kWeighted;
  std::string current_detail_;  // why the current host became current
  SteadyTime last_switch_{};    // of the last measured switch (min_dwell)
  int since_measure_ = 0;
  std::vector<std::string> pathway_priority_;
  std::string steering_why_;       // set_pathway_priority's `why`
  bool steering_pending_ = false;  // a new order came since the current host was chosen
};

}  // namespace abrplay::net
