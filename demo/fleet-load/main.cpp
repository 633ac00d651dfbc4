// abrplay-fleet-load: many short sessions of the real engine on virtual time (the ABR lab), with
// varied titles, traces, CDNs, devices and ABR algorithms, recorded as the player's telemetry and
// posted to a collector as players would (docs/telemetry.md, "Load generator").
//
//   abrplay-fleet-load --collector http://127.0.0.1:8088/telemetry --sessions 1000 --seed 7
//                      --hours 24 --jsonl fleet.jsonl
//
// Exit status: 0 when every payload was acknowledged; 1 when any was lost or refused; 2 on bad
// options or input (a trace directory that cannot be read).
#include <CLI/CLI.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <optional>
#include <thread>

#include "abrplay/abr/traceio/load_trace.h"
#include "abrplay/core/clock.h"
#include "abrplay/core/version.h"
#include "abrplay/net/http_client.h"
#include "fleet_delivery.h"
#include "fleet_plan.h"
#include "fleet_session.h"

namespace fs = std::filesystem;
using namespace abrplay;

namespace {

// Every trace in `dir` and in its immediate subdirectories (tests/data/traces holds one folder per
// set), named "set/file". An error names the file that failed, or says none were found.
Expected<std::vector<abr::Trace>, std::string> load_traces(const fs::path& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return Unexpected{dir.string() + ": not a directory of traces"};
  std::vector<fs::path> dirs{dir};
  for (const auto& entry : fs::directory_iterator(dir, ec))
    if (entry.is_directory()) dirs.push_back(entry.path());
  std::sort(dirs.begin() + 1, dirs.end());
  std::vector<abr::Trace> traces;
  for (const auto& d : dirs) {
    bool has_files = false;
    for (const auto& entry : fs::directory_iterator(d, ec)) {
      const std::string name = entry.path().filename().string();
      if (entry.is_regular_file() && name[0] != '.' && name.rfind("README", 0) != 0) has_files = true;
    }
    if (!has_files) continue;
    auto set = abr::load_trace_dir(d.string());
    if (!set) return Unexpected{set.error().message};
    for (auto& t : *set) {
      if (d != dir) t.name = d.filename().string() + "/" + t.name;
      if (!t.segments.empty()) traces.push_back(std::move(t));
    }
  }
  if (traces.empty()) return Unexpected{dir.string() + ": no trace files in it or its subdirectories"};
  return traces;
}

std::string percent(std::size_t part, std::size_t whole) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f %%",
                whole ? 100.0 * static_cast<double>(part) / static_cast<double>(whole) : 0.0);
  return buf;
}

std::string counts(const std::map<std::string, std::size_t>& m) {
  std::string out;
  for (const auto& [k, v] : m) out += (out.empty() ? "" : ", ") + k + " " + std::to_string(v);
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"abrplay-fleet-load: many short sessions of the engine lab, posted as telemetry to a collector"};
  std::string collector, jsonl;
  std::string traces_dir = ABRPLAY_FLEET_TRACES_DIR;
  std::size_t sessions = 1000, senders = 8;
  unsigned jobs = std::max(1u, std::thread::hardware_concurrency());
  std::uint64_t seed = 1;
  double hours = 24, heartbeat_s = 10;
  std::optional<long long> now_s;
  int deadline_s = 120;
  app.add_option("--collector", collector, "POST target, e.g. http://127.0.0.1:8088/telemetry (none: play only)");
  app.add_option("--jsonl", jsonl, "write every payload sent (or, without --collector, made), one per line");
  app.add_option("--sessions", sessions, "sessions to play")->check(CLI::Range(1, 10'000'000));
  app.add_option("--seed", seed, "seed of every choice (titles, traces, CDNs, devices, algorithms, times, faults)");
  app.add_option("--hours", hours, "start times spread over the last H hours")->check(CLI::Range(0.2, 24.0 * 366));
  app.add_option("--now", now_s, "the end of that window, Unix seconds (default: the wall clock; not in the future)");
  app.add_option("--traces", traces_dir, "directory of traces (and of folders of traces)");
  app.add_option("--jobs", jobs, "threads playing sessions")->check(CLI::Range(1, 256));
  app.add_option("--senders", senders, "sessions being posted at once")->check(CLI::Range(1, 256));
  app.add_option("--heartbeat-s", heartbeat_s, "heartbeat interval, seconds of virtual time")
      ->check(CLI::Range(1.0, 600.0));
  app.add_option("--session-deadline-s", deadline_s, "give up delivering a session after this long")
      ->check(CLI::Range(1, 3600));
  CLI11_PARSE(app, argc, argv);

  const WallTime wall_now = SystemClock{}.wall();
  const WallTime now = now_s ? WallTime{std::chrono::seconds{*now_s}}
                             : std::chrono::floor<std::chrono::seconds>(wall_now);
  if (now > wall_now) {
    std::cerr << "abrplay-fleet-load: --now " << *now_s << " is in the future (collectors refuse future wall times)\n";
    return 2;
  }
  auto traces = load_traces(traces_dir);
  if (!traces) {
    std::cerr << "abrplay-fleet-load: --traces: " << traces.error() << "\n";
    return 2;
  }
  const fleet::FleetWorld world = fleet::default_world(std::move(*traces));
  fleet::PlanOptions po;
  po.sessions = sessions;
  po.seed = seed;
  po.hours = hours;
  po.now = now;
  const std::vector<fleet::SessionPlan> plans = fleet::plan_fleet(world, po);
  fleet::SessionSettings settings;
  settings.heartbeat = std::chrono::milliseconds(static_cast<long long>(heartbeat_s * 1000));
  settings.max_virtual_time = po.latest_end;
  settings.library_version = "abrplay " + std::string(version_string());

  std::ofstream out;
  if (!jsonl.empty()) {
    out.open(jsonl, std::ios::trunc);
    if (!out) {
      std::cerr << "abrplay-fleet-load: --jsonl " << jsonl << ": cannot write\n";
      return 2;
    }
  }
  std::optional<net::HttpClient> http;
  std::optional<fleet::FleetDelivery> delivery;
  if (!collector.empty()) {
    http.emplace();
    delivery.emplace(*http, fleet::DeliveryConfig{.url = collector,
                                                  .senders = senders,
                                                  .max_waiting = 64,
                                                  .session_deadline = std::chrono::seconds(deadline_s)});
  }

  const auto t0 = std::chrono::steady_clock::now();
  std::vector<fleet::SessionOutcome> outcomes(plans.size());
  std::atomic<std::size_t> next{0};
  std::vector<std::thread> workers;
  for (unsigned j = 0; j < std::min<std::size_t>(jobs, plans.size()); ++j) {
    workers.emplace_back([&] {
      for (std::size_t i = next++; i < plans.size(); i = next++) {
        fleet::SessionOutcome o = fleet::run_fleet_session(world, plans[i], settings);
        if (delivery) delivery->submit(o.payloads);
        if (jsonl.empty()) o.payloads.clear();
        outcomes[i] = std::move(o);
      }
    });
  }
  for (auto& w : workers) w.join();
  const double lab_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const fleet::DeliveryTotals totals = delivery ? delivery->finish() : fleet::DeliveryTotals{};
  const double total_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  std::size_t payloads = 0, joined = 0, fatal = 0;
  std::map<std::string, std::size_t> by_reason, by_algo, by_cdn, by_device, by_title, by_fault;
  for (std::size_t i = 0; i < plans.size(); ++i) {
    const auto& o = outcomes[i];
    for (const auto& p : o.payloads) out << p << '\n';
    payloads += o.payloads.size();
    joined += o.joined;
    fatal += o.fatal;
    ++by_reason[o.end_reason.empty() ? "none (" + o.lab_error + ")" : o.end_reason];
    ++by_algo[plans[i].algorithm];
    ++by_cdn[world.cdns[plans[i].cdn].name];
    ++by_device[plans[i].device];
    ++by_title[world.titles[plans[i].title].id];
    ++by_fault[std::string(fleet::to_string(plans[i].fault))];
  }
  if (out.is_open()) {
    out.close();
    if (!out) {
      std::cerr << "abrplay-fleet-load: --jsonl " << jsonl << ": write failed\n";
      return 2;
    }
  }
  const std::size_t n = plans.size();
  std::printf("abrplay-fleet-load: %zu sessions (seed %llu, over %.1f h, %zu traces) in %.2f s: %.1f sessions/s "
              "(playing %.2f s on %u threads)\n",
              n, static_cast<unsigned long long>(seed), hours, world.traces.size(), total_s,
              static_cast<double>(n) / total_s, lab_s, jobs);
  std::printf("  joined %zu (%s), join failures %zu, fatal errors %zu; ended: %s\n", joined, percent(joined, n).c_str(),
              n - joined, fatal, counts(by_reason).c_str());
  std::printf("  algorithms: %s\n  cdns: %s\n  devices: %s\n  titles: %s\n  faults: %s\n", counts(by_algo).c_str(),
              counts(by_cdn).c_str(), counts(by_device).c_str(), counts(by_title).c_str(), counts(by_fault).c_str());
  if (!delivery) {
    std::printf("payloads: %zu made, none sent (no --collector)\n", payloads);
    return 0;
  }
  std::printf("payloads: %llu sent, %llu acknowledged, %llu rejected, %llu lost; %llu requests, %llu retried\n",
              static_cast<unsigned long long>(totals.payloads), static_cast<unsigned long long>(totals.acknowledged),
              static_cast<unsigned long long>(totals.rejected), static_cast<unsigned long long>(totals.lost),
              static_cast<unsigned long long>(totals.requests),
              static_cast<unsigned long long>(totals.retried_requests));
  for (const auto& p : totals.problems) std::printf("  problem: %s\n", p.c_str());
  return totals.lost == 0 && totals.rejected == 0 ? 0 : 1;
}
