// abrplay/net/host_selector.h: which base URL (CDN) to fetch from. A pure policy: time and
// randomness come in as values, observations carry their timestamps, no clock, no I/O, no locks.
//
// Candidates come from the MPD's BaseURLs (DVB-DASH priority and weight): a lower `priority`
// number is preferred; `weight` shares load between hosts of equal priority.
//
// select():
//   1. Hosts excluded after a failure are skipped until their exclusion ends. If every host is
//      excluded, the one whose exclusion ends first is used (kAllExcluded): never "no host".
//   2. Only the healthy hosts with the best (lowest) priority number compete.
//   3. A host back from exclusion is probed first (kProbe): it is the preferred tier again.
//   4. Among measured hosts, the lowest expected time for a reference-sized fetch wins
//      (latency + reference_bytes / throughput, each a moving average) (kBestMeasured).
//   5. With no measurements yet, a weighted random choice (kWeighted) picks the host.
// A failure excludes the host for `exclusion`, doubling with each consecutive failure up to
// `max_exclusion`; a success clears its failures.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "abrplay/core/time.h"

namespace abrplay::net {

struct HostCandidate {
  std::string base_url;
  int priority = 1;  // lower is preferred (DVB-DASH @dvb:priority)
  int weight = 1;    // share among equal priorities (DVB-DASH @dvb:weight); 0 counts as 1
};

struct HostSelectorParams {
  std::chrono::milliseconds exclusion{5'000};
  std::chrono::milliseconds max_exclusion{60'000};
  double smoothing = 0.3;  // weight of a new measurement in the moving averages
  // The fetch size the score is computed for. 1 MB is a 2 s segment at 4 Mbit/s: the size where
  // throughput and latency both matter.
  std::uint64_t reference_bytes = 1'000'000;
};

enum class HostChoiceReason { kBestMeasured, kWeighted, kProbe, kAllExcluded };
std::string_view to_string(HostChoiceReason reason);

struct [[nodiscard]] HostChoice {
  std::size_t index = 0;
  std::string base_url;
  HostChoiceReason reason = HostChoiceReason::kWeighted;
};

class HostSelector {
 public:
  struct HostState {
    HostCandidate candidate;
    int consecutive_failures = 0;
    SteadyTime excluded_until{};
    bool measured = false;      // a throughput sample has been recorded
    double throughput_bps = 0;  // moving average
    double latency_s = 0;       // moving average of time to first byte
    int latency_samples = 0;
  };

  // `candidates` must not be empty.
  HostSelector(std::vector<HostCandidate> candidates, HostSelectorParams params = {});

  HostChoice select(SteadyTime now, double random_unit) const;

  // A throughput of 0 (a transfer too short to time) updates the latency only.
  void record_success(std::size_t index, SteadyTime now, double throughput_bps, std::chrono::microseconds latency);
  void record_failure(std::size_t index, SteadyTime now);

  bool excluded(std::size_t index, SteadyTime now) const { return hosts_.at(index).excluded_until > now; }
  const std::vector<HostState>& hosts() const { return hosts_; }

 private:
  double expected_seconds(const HostState& h) const;

  HostSelectorParams params_;
  std::vector<HostState> hosts_;
};

}  // namespace abrplay::net
