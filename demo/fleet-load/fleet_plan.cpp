#include "fleet_plan.h"

#include <algorithm>
#include <cstdio>
#include <random>

#include "abrplay/abr/sim/video.h"

namespace abrplay::fleet {
namespace {

// A VBR-looking encode: each segment bitrate × duration × a factor in [0.7, 1.3], the same factor
// for every rung of a segment (scene complexity), from a per-title seed.
abr::Video vbr_video(const std::vector<double>& ladder_kbps, double segment_s, std::size_t segments,
                     std::uint64_t seed) {
  abr::Video v;
  for (double kbps : ladder_kbps) v.bitrates.push_back(DataRate::kilobits_per_second(kbps));
  v.segment_duration = Seconds{segment_s};
  v.segment_count = segments;
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> complexity(0.7, 1.3);
  std::vector<double> factor(segments);
  for (double& f : factor) f = complexity(rng);
  for (double kbps : ladder_kbps) {
    std::vector<std::int64_t> sizes;
    for (std::size_t s = 0; s < segments; ++s)
      sizes.push_back(static_cast<std::int64_t>(kbps * 1000 / 8 * segment_s * factor[s]));
    v.segment_bytes.push_back(std::move(sizes));
  }
  return v;
}

Title make_title(std::string id, const std::vector<double>& ladder_kbps, double segment_s, std::size_t segments,
                 std::uint64_t seed) {
  Title t;
  t.id = std::move(id);
  t.content = std::make_shared<const lab::LabContent>(
      lab::LabContent::synthetic(vbr_video(ladder_kbps, segment_s, segments, seed)));
  t.mpd_path = "/synthetic/manifest.mpd";
  t.duration_s = segment_s * static_cast<double>(segments);
  t.segment_s = segment_s;
  return t;
}

}  // namespace

std::string_view to_string(Fault fault) {
  switch (fault) {
    case Fault::kNone: return "none";
    case Fault::kDeadCdn: return "dead-cdn";
    case Fault::kNeverDelivers: return "never-delivers";
    case Fault::kSegmentErrors: return "segment-errors";
  }
  return "?";
}

FleetWorld default_world(std::vector<abr::Trace> traces) {
  FleetWorld w;
  w.titles.push_back(make_title("nature-doc", {300, 750, 1200, 1850, 2850, 4300}, 4, 60, 11));
  w.titles.push_back(make_title("news-replay", {200, 500, 1000, 2000}, 2, 90, 12));
  w.titles.push_back(make_title("football-highlights", {500, 1200, 2500, 4500, 7500}, 4, 45, 13));
  w.titles.push_back(make_title("kids-cartoon", {250, 600, 1100}, 6, 40, 14));
  w.traces = std::move(traces);
  // cdn-c is the worse edge: half the bandwidth, a long round trip, and 3 % of media requests reset.
  w.cdns = {{"cdn-a.example", "https://cdn-a.example", 1.0, std::chrono::milliseconds(20), 0.0},
            {"cdn-b.example", "https://cdn-b.example", 0.8, std::chrono::milliseconds(40), 0.005},
            {"cdn-c.example", "https://cdn-c.example", 0.5, std::chrono::milliseconds(120), 0.03}};
  w.devices = {"android-tv", "ios-phone", "web-chrome", "roku-stick"};
  w.algorithms = {"default", "bola", "robustmpc", "throughput"};
  return w;
}

std::vector<SessionPlan> plan_fleet(const FleetWorld& world, const PlanOptions& options) {
  std::vector<SessionPlan> plans;
  if (world.titles.empty() || world.traces.empty() || world.cdns.empty() || world.devices.empty() ||
      world.algorithms.empty())
    return plans;
  std::mt19937_64 rng(options.seed);
  auto pick = [&](std::size_t n) { return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng); };
  const auto span = std::chrono::duration_cast<std::chrono::microseconds>(
      std::chrono::duration<double, std::ratio<3600>>(options.hours) - options.latest_end);
  std::uniform_int_distribution<long long> offset(0, std::max<long long>(span.count(), 0));
  std::uniform_real_distribution<double> unit(0, 1);
  for (std::size_t i = 0; i < options.sessions; ++i) {
    SessionPlan p;
    p.index = i;
    char id[64];
    std::snprintf(id, sizeof id, "fleet-%llu-%06zu-%08llx", static_cast<unsigned long long>(options.seed), i,
                  static_cast<unsigned long long>(rng() & 0xffffffffULL));
    p.session_id = id;
    p.title = pick(world.titles.size());
    p.trace = pick(world.traces.size());
    p.cdn = pick(world.cdns.size());
    p.algorithm = world.algorithms[pick(world.algorithms.size())];
    p.device = world.devices[pick(world.devices.size())];
    p.start = options.now - std::chrono::duration_cast<std::chrono::microseconds>(options.latest_end) -
              std::chrono::microseconds(offset(rng));
    const double title_s = world.titles[p.title].duration_s;
    const double watch_s = std::min(title_s, 20 + unit(rng) * 220);  // 20 s to 4 min
    p.watch = std::chrono::seconds(static_cast<long long>(watch_s));
    p.trace_rotation = pick(std::max<std::size_t>(world.traces[p.trace].segments.size(), 1));
    const double f = unit(rng);
    p.fault = f < 0.02   ? Fault::kDeadCdn
              : f < 0.04 ? Fault::kNeverDelivers
              : f < 0.14 ? Fault::kSegmentErrors
                         : Fault::kNone;
    p.fault_seed = rng();
    plans.push_back(std::move(p));
  }
  return plans;
}

}  // namespace abrplay::fleet
