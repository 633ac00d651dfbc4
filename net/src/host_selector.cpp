#include "abrplay/net/host_selector.h"

#include <algorithm>
#include <cstdio>
#include <limits>

namespace abrplay::net {

namespace {

std::string mbps(double bps) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f Mbit/s", bps / 1e6);
  return buf;
}

}  // namespace

std::string_view to_string(HostChoiceReason reason) {
  switch (reason) {
    case HostChoiceReason::kWeighted: return "weighted";
    case HostChoiceReason::kFailover: return "failover";
    case HostChoiceReason::kAllExcluded: return "all_excluded";
    case HostChoiceReason::kProbe: return "probe";
    case HostChoiceReason::kPreferred: return "preferred";
    case HostChoiceReason::kMeasure: return "measure";
    case HostChoiceReason::kMeasuredBetter: return "measured_better";
    case HostChoiceReason::kSteered: return "steered";
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

HostChoice HostSelector::make(std::size_t index, HostChoiceReason reason, bool changed, std::string detail) const {
  return HostChoice{
      index, hosts_[index].candidate.base_url, hosts_[index].candidate.pathway, reason, changed, std::move(detail)};
}

std::int64_t HostSelector::rank(std::size_t index) const {
  const HostCandidate& c = hosts_[index].candidate;
  std::int64_t tier = 0;
  if (!pathway_priority_.empty()) {
    const auto it = std::find(pathway_priority_.begin(), pathway_priority_.end(), c.pathway);
    tier = c.pathway.empty() || it == pathway_priority_.end() ? static_cast<std::int64_t>(pathway_priority_.size())
                                                              : it - pathway_priority_.begin();
  }
  return (tier << 32) + std::clamp<std::int64_t>(c.priority, 0, std::numeric_limits<std::int32_t>::max());
}

std::size_t HostSelector::set_pathway_priority(std::vector<std::string> priority, std::string why) {
  std::size_t known = 0;
  for (const auto& p : priority) {
    if (std::any_of(hosts_.begin(), hosts_.end(),
                    [&](const HostState& h) { return !p.empty() && h.candidate.pathway == p; }))
      ++known;
  }
  if (!priority.empty() && known == 0) return 0;  // names none of ours: keep the order we have
  if (priority != pathway_priority_) {
    pathway_priority_ = std::move(priority);
    steering_pending_ = true;
  }
  steering_why_ = std::move(why);
  return known;
}

HostChoice HostSelector::switch_to(std::size_t index, HostChoiceReason reason, SteadyTime now, std::string detail) {
  current_ = index;
  current_reason_ = reason;
  current_detail_ = detail;
  steering_pending_ = false;
  if (reason == HostChoiceReason::kMeasuredBetter) last_switch_ = now;
  since_measure_ = 0;
  return make(index, reason, true, std::move(detail));
}

HostChoice HostSelector::select(SteadyTime now, double random_unit, std::uint64_t expected_bytes) {
  if (hosts_.empty()) return HostChoice{};
  std::vector<std::size_t> healthy;
  for (std::size_t i = 0; i < hosts_.size(); ++i)
    if (hosts_[i].excluded_until <= now) healthy.push_back(i);
  if (healthy.empty()) {
    auto soonest = std::min_element(hosts_.begin(), hosts_.end(), [](const HostState& a, const HostState& b) {
      return a.excluded_until < b.excluded_until;
    });
    return make(static_cast<std::size_t>(soonest - hosts_.begin()), HostChoiceReason::kAllExcluded, false,
                "every host is excluded after failures");
  }
  std::int64_t best_rank = std::numeric_limits<std::int64_t>::max();
  for (auto i : healthy) best_rank = std::min(best_rank, rank(i));
  std::vector<std::size_t> tier;
  for (auto i : healthy)
    if (rank(i) == best_rank) tier.push_back(i);
  const int best_priority = hosts_[tier.front()].candidate.priority;
  const std::string& best_pathway = hosts_[tier.front()].candidate.pathway;
  const bool steered = !pathway_priority_.empty() && !best_pathway.empty() &&
                       std::find(pathway_priority_.begin(), pathway_priority_.end(), best_pathway) !=
                           pathway_priority_.end();

  for (auto i : tier)
    if (hosts_[i].consecutive_failures > 0 && current_ != i)
      return make(i, HostChoiceReason::kProbe, false, "its exclusion after a failure ended");

  // The tier's host measured fastest, else a weighted pick.
  auto best_of_tier = [&] {
    std::optional<std::size_t> best;
    for (auto i : tier)
      if (hosts_[i].measured && (!best || expected_seconds(hosts_[i]) < expected_seconds(hosts_[*best]))) best = i;
    if (best) return *best;
    double total = 0;
    for (auto i : tier) total += std::max(1, hosts_[i].candidate.weight);
    double point = std::clamp(random_unit, 0.0, 1.0) * total;
    for (auto i : tier) {
      point -= std::max(1, hosts_[i].candidate.weight);
      if (point < 0) return i;
    }
    return tier.back();
  };
  const std::string tier_text = std::to_string(tier.size()) + " host" + (tier.size() == 1 ? "" : "s") +
                                " of priority " + std::to_string(best_priority) +
                                (steered ? " on pathway " + best_pathway : std::string());
  if (!current_) {
    if (steered)
      return switch_to(best_of_tier(), HostChoiceReason::kSteered, now, steering_why_ + "; among " + tier_text);
    return switch_to(best_of_tier(), HostChoiceReason::kWeighted, now, "by weight among " + tier_text);
  }
  const HostState& cur = hosts_[*current_];
  if (cur.excluded_until > now) {
    const std::size_t next = best_of_tier();
    return switch_to(next, HostChoiceReason::kFailover, now,
                     cur.candidate.base_url + " failed; " +
                         (hosts_[next].measured ? "the fastest measured" : "by weight") + " among " + tier_text);
  }
  if (rank(*current_) > best_rank) {
    if (steering_pending_)
      return switch_to(best_of_tier(), HostChoiceReason::kSteered, now, steering_why_ + "; among " + tier_text);
    return switch_to(best_of_tier(), HostChoiceReason::kPreferred, now,
                     "priority " + std::to_string(best_priority) + (steered ? " on pathway " + best_pathway : "") +
                         " is healthy again");
  }
  steering_pending_ = false;  // the new order keeps the current host's tier the best
  if (params_.measured_choice && tier.size() > 1) {
    if (cur.samples >= params_.min_samples && now - last_switch_ >= params_.min_dwell) {
      std::optional<std::size_t> alt;
      for (auto i : tier) {
        const HostState& h = hosts_[i];
        if (i == *current_ || h.samples < params_.min_samples || now - h.last_sample > params_.stale_after) continue;
        if (!alt || h.throughput_bps > hosts_[*alt].throughput_bps) alt = i;
      }
      if (alt && cur.throughput_bps < params_.switch_ratio * hosts_[*alt].throughput_bps)
        return switch_to(*alt, HostChoiceReason::kMeasuredBetter, now,
                         "throughput " + mbps(hosts_[*alt].throughput_bps) + " against " + mbps(cur.throughput_bps) +
                             " on " + cur.candidate.base_url);
    }
    if (since_measure_ < params_.measure_every) ++since_measure_;  // stays due until a large fetch comes
    if (since_measure_ >= params_.measure_every && expected_bytes >= params_.min_sample_bytes) {
      std::optional<std::size_t> due;
      for (auto i : tier) {
        const HostState& h = hosts_[i];
        if (i == *current_) continue;
        if (h.samples >= params_.min_samples && now - h.last_sample <= params_.stale_after) continue;
        if (!due || h.samples < hosts_[*due].samples ||
            (h.samples == hosts_[*due].samples && h.last_sample < hosts_[*due].last_sample))
          due = i;
      }
      if (due) {
        since_measure_ = 0;
        return make(*due, HostChoiceReason::kMeasure, false,
                    hosts_[*due].samples < params_.min_samples ? "not measured enough yet"
                                                               : "its measurement is stale");
      }
    }
  }
  return make(*current_, current_reason_, false, current_detail_);
}

void HostSelector::record_success(std::size_t index, SteadyTime now, double throughput_bps,
                                  std::chrono::microseconds latency, std::uint64_t bytes) {
  HostState& h = hosts_.at(index);
  h.consecutive_failures = 0;
  h.excluded_until = SteadyTime{};
  const double latency_s = std::chrono::duration<double>(latency).count();
  const double a = std::clamp(params_.smoothing, 0.0, 1.0);
  h.latency_s = h.latency_samples == 0 ? latency_s : a * latency_s + (1 - a) * h.latency_s;
  ++h.latency_samples;
  if (throughput_bps <= 0 || bytes < params_.min_sample_bytes) return;  // too short to time: latency only
  h.throughput_bps = h.measured ? a * throughput_bps + (1 - a) * h.throughput_bps : throughput_bps;
  h.measured = true;
  ++h.samples;
  h.last_sample = now;
}

void HostSelector::record_failure(std::size_t index, SteadyTime now) {
  HostState& h = hosts_.at(index);
  ++h.consecutive_failures;
  auto exclusion = params_.exclusion;
  for (int k = 1; k < h.consecutive_failures && exclusion < params_.max_exclusion; ++k) exclusion *= 2;
  h.excluded_until = now + std::min(exclusion, params_.max_exclusion);
}

}  // namespace abrplay::net
