#include "abrplay/net/host_selector.h"

#include <algorithm>
#include <limits>

namespace abrplay::net {

std::string_view to_string(HostChoiceReason reason) {
  switch (reason) {
    case HostChoiceReason::kBestMeasured: return "best_measured";
    case HostChoiceReason::kWeighted: return "weighted";
    case HostChoiceReason::kProbe: return "probe";
    case HostChoiceReason::kAllExcluded: return "all_excluded";
  }
  return "unknown";
}

HostSelector::HostSelector(std::vector<HostCandidate> candidates, HostSelectorParams params) : params_(params) {
  for (auto& c : candidates) hosts_.push_back(HostState{std::move(c)});
}

double HostSelector::expected_seconds(const HostState& h) const {
  const double transfer = h.throughput_bps > 0 ? static_cast<double>(params_.reference_bytes) * 8.0 / h.throughput_bps
                                               : std::numeric_limits<double>::infinity();
  return h.latency_s + transfer;
}

HostChoice HostSelector::select(SteadyTime now, double random_unit) const {
  if (hosts_.empty()) return HostChoice{};
  std::vector<std::size_t> healthy;
  for (std::size_t i = 0; i < hosts_.size(); ++i)
    if (hosts_[i].excluded_until <= now) healthy.push_back(i);
  if (healthy.empty()) {
    auto soonest = std::min_element(hosts_.begin(), hosts_.end(), [](const HostState& a, const HostState& b) {
      return a.excluded_until < b.excluded_until;
    });
    const auto i = static_cast<std::size_t>(soonest - hosts_.begin());
    return HostChoice{i, hosts_[i].candidate.base_url, HostChoiceReason::kAllExcluded};
  }
  int best_priority = std::numeric_limits<int>::max();
  for (auto i : healthy) best_priority = std::min(best_priority, hosts_[i].candidate.priority);
  std::vector<std::size_t> tier;
  for (auto i : healthy)
    if (hosts_[i].candidate.priority == best_priority) tier.push_back(i);

  for (auto i : tier)
    if (hosts_[i].consecutive_failures > 0)
      return HostChoice{i, hosts_[i].candidate.base_url, HostChoiceReason::kProbe};

  std::size_t best = tier.size();
  double best_seconds = std::numeric_limits<double>::infinity();
  for (std::size_t k = 0; k < tier.size(); ++k) {
    const HostState& h = hosts_[tier[k]];
    if (h.measured && expected_seconds(h) < best_seconds) {
      best_seconds = expected_seconds(h);
      best = k;
    }
  }
  if (best < tier.size())
    return HostChoice{tier[best], hosts_[tier[best]].candidate.base_url, HostChoiceReason::kBestMeasured};

  double total = 0;
  for (auto i : tier) total += std::max(1, hosts_[i].candidate.weight);
  double point = std::clamp(random_unit, 0.0, 1.0) * total;
  for (auto i : tier) {
    point -= std::max(1, hosts_[i].candidate.weight);
    if (point < 0) return HostChoice{i, hosts_[i].candidate.base_url, HostChoiceReason::kWeighted};
  }
  return HostChoice{tier.back(), hosts_[tier.back()].candidate.base_url, HostChoiceReason::kWeighted};
}

void HostSelector::record_success(std::size_t index, SteadyTime, double throughput_bps,
                                  std::chrono::microseconds latency) {
  HostState& h = hosts_.at(index);
  h.consecutive_failures = 0;
  h.excluded_until = SteadyTime{};
  const double latency_s = std::chrono::duration<double>(latency).count();
  const double a = std::clamp(params_.smoothing, 0.0, 1.0);
  h.latency_s = h.latency_samples == 0 ? latency_s : a * latency_s + (1 - a) * h.latency_s;
  ++h.latency_samples;
  if (throughput_bps <= 0) return;  // too short to time: latency only
  h.throughput_bps = h.measured ? a * throughput_bps + (1 - a) * h.throughput_bps : throughput_bps;
  h.measured = true;
}

void HostSelector::record_failure(std::size_t index, SteadyTime now) {
  HostState& h = hosts_.at(index);
  ++h.consecutive_failures;
  auto exclusion = params_.exclusion;
  for (int k = 1; k < h.consecutive_failures && exclusion < params_.max_exclusion; ++k) exclusion *= 2;
  h.excluded_until = now + std::min(exclusion, params_.max_exclusion);
}

}  // namespace abrplay::net
