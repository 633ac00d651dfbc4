// abrplay-soak: plays a stream again and again for a long time, as fast as decoding allows, through
// an in-process abrplay-origin that injects faults, and reports over time what must not grow:
// resident memory (now and peak), threads and open file descriptors.
//
//   abrplay-soak --root build/content [--content number] [--faults demo/soak/faults.json]
//                [--cdn 2] [--minutes 30 | --seconds S] [--sample-s 10] [--json FILE]
//
// One Player for the whole run (load, play to the end or to an error, stop, load again), so what
// a session leaves behind accumulates. Verdict at the end: memory, threads and descriptors in the
// last third of the run against the first third (after a warm-up of one sample); exit 1 when one
// grew (RSS: median + 25 % + 16 MiB; threads: max + 2; descriptors: max + 6, the connections curl
// may keep per host), 0 otherwise, 2 for a bad
// command line. Reads /proc/self: Linux only (a demo tool; the library itself stays portable).
#include <dirent.h>

#include <algorithm>
#include <chrono>
#include <climits>
#include <condition_variable>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <mutex>
#include <sstream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "abrplay/player.h"
#include "fault_plan.h"
#include "origin.h"

namespace {

using Clock = std::chrono::steady_clock;

struct Sample {
  double t_s = 0;
  std::uint64_t sessions = 0, errors = 0, frames = 0;
  double rss_mib = 0, peak_mib = 0;
  int threads = 0, fds = 0;
};

// VmRSS, VmHWM (kB) and Threads from /proc/self/status.
void read_status(Sample& s) {
  std::ifstream in("/proc/self/status");
  std::string key;
  while (in >> key) {
    if (key == "VmRSS:") {
      in >> s.rss_mib;
      s.rss_mib /= 1024.0;
    } else if (key == "VmHWM:") {
      in >> s.peak_mib;
      s.peak_mib /= 1024.0;
    } else if (key == "Threads:") {
      in >> s.threads;
    }
    in.ignore(1 << 12, '\n');
  }
}

int count_fds() {
  int n = 0;
  if (DIR* d = ::opendir("/proc/self/fd")) {
    while (const dirent* e = ::readdir(d)) n += e->d_name[0] != '.';
    ::closedir(d);
    --n;  // the descriptor opendir itself holds
  }
  return n;
}

// Counts sessions: a session ends at kEnded or kError.
class SessionListener final : public abrplay::PlayerListener {
 public:
  void on_event(const abrplay::PlayerEvent& e) override {
    if (e.kind != abrplay::PlayerEvent::Kind::kStateChanged) return;
    if (e.state != abrplay::PlayerState::kEnded && e.state != abrplay::PlayerState::kError) return;
    std::lock_guard lock(mu_);
    ended_ = true;
    errors_ += e.state == abrplay::PlayerState::kError;
    cv_.notify_all();
  }
  // Waits until the session ends or `until`; true when it ended.
  bool wait_end(Clock::time_point until) {
    std::unique_lock lock(mu_);
    return cv_.wait_until(lock, until, [&] { return ended_; });
  }
  void reset() {
    std::lock_guard lock(mu_);
    ended_ = false;
  }
  std::uint64_t errors() {
    std::lock_guard lock(mu_);
    return errors_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool ended_ = false;
  std::uint64_t errors_ = 0;
};

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"abrplay-soak: play a stream in a loop with faults and watch memory, threads and descriptors"};
  std::string root, content = "number", faults_path, json_path;
  int cdns = 2;
  double minutes = 30, seconds = 0, sample_s = 10;
  app.add_option("--root", root, "content root served by the in-process origin (make-test-stream output)")->required();
  app.add_option("--content", content, "content folder under the root (its manifest.mpd is played)");
  app.add_option("--faults", faults_path, "fault rules for CDN 0 (abrplay-origin's --faults format)");
  app.add_option("--cdn", cdns, "number of CDNs (faults go to the first)")->check(CLI::Range(1, 8));
  app.add_option("--minutes", minutes, "how long to run")->check(CLI::Range(0.0, 24.0 * 60));
  app.add_option("--seconds", seconds, "how long to run, in seconds (overrides --minutes)")
      ->check(CLI::Range(0.0, 86400.0));
  app.add_option("--sample-s", sample_s, "seconds between samples")->check(CLI::Range(0.5, 3600.0));
  app.add_option("--json", json_path, "also write the samples and the verdict as JSON");
  CLI11_PARSE(app, argc, argv);
  const double run_s = seconds > 0 ? seconds : minutes * 60;

  abrplay::origin::OriginConfig oc;
  oc.roots = {root};
  oc.cdns = std::vector<abrplay::origin::CdnSetup>(static_cast<std::size_t>(cdns));
  if (!faults_path.empty()) {
    auto plan = abrplay::origin::FaultPlan::load(faults_path);
    if (!plan) {
      std::cerr << "abrplay-soak: " << plan.error() << "\n";
      return 2;
    }
    oc.cdns[0].faults = std::make_shared<abrplay::origin::FaultPlan>(std::move(*plan));
  }
  auto origin = abrplay::origin::Origin::start(std::move(oc));
  if (!origin) {
    std::cerr << "abrplay-soak: " << origin.error() << "\n";
    return 2;
  }
  const std::string url = (*origin)->url(0) + content + "/manifest.mpd";

  abrplay::PlayerConfig pc;
  pc.sinks.kind = abrplay::SinkKind::kNullMaxSpeed;
  // Every session replays the same title: with the HTTP cache the later ones would come from
  // memory, and the faults (and the transfers they break) would no longer be exercised.
  pc.cache.enabled = false;
  SessionListener listener;
  abrplay::Player player(pc);
  player.set_listener(&listener);

  std::cout << "abrplay-soak: " << url << " for " << run_s
            << " s, faults: " << (faults_path.empty() ? "none" : faults_path)
            << "\n     t_s  sessions  errors     frames   rss_MiB  peak_MiB  threads  fds\n";
  std::vector<Sample> samples;
  std::uint64_t sessions = 0, frames = 0;
  const auto start = Clock::now();
  const auto end = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(run_s));
  auto next_sample = start;
  bool loaded = false;
  while (true) {
    const auto now = Clock::now();
    if (now >= next_sample || now >= end) {
      Sample s;
      s.t_s = std::chrono::duration<double>(now - start).count();
      s.sessions = sessions;
      s.errors = listener.errors();
      s.frames = frames + player.stats().frames_presented;
      read_status(s);
      s.fds = count_fds();
      samples.push_back(s);
      std::printf("%8.0f  %8llu  %6llu  %9llu  %8.1f  %8.1f  %7d  %3d\n", s.t_s,
                  static_cast<unsigned long long>(s.sessions), static_cast<unsigned long long>(s.errors),
                  static_cast<unsigned long long>(s.frames), s.rss_mib, s.peak_mib, s.threads, s.fds);
      std::fflush(stdout);
      next_sample += std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(sample_s));
      if (now >= end) break;
    }
    if (!loaded) {
      listener.reset();
      if (player.load(url).code != abrplay::ErrorCode::kOk) {
        std::cerr << "abrplay-soak: load refused\n";
        return 1;
      }
      loaded = true;
    }
    if (listener.wait_end(std::min(next_sample, end))) {
      frames += player.stats().frames_presented;
      player.stop();
      ++sessions;
      loaded = false;
    }
  }
  player.stop();
  player.set_listener(nullptr);

  // Verdict: last third against the first third, skipping the first sample (warm-up). Memory by
  // its median. Threads and descriptors move by a few either way as sessions end and start (a
  // sample between two sessions counts some twice, connections come and go), so they grew only if
  // the fewest of the last third exceed the most of the first third by more than 2: a leak raises
  // every sample, noise does not.
  bool grew = false;
  nlohmann::json verdict = nlohmann::json::object();
  if (samples.size() >= 4) {
    const std::size_t third = (samples.size() - 1) / 3;
    std::vector<double> rss_first, rss_last;
    int thr_first = 0, thr_last = INT_MAX, fd_first = 0, fd_last = INT_MAX;
    for (std::size_t i = 1; i <= third; ++i) {
      rss_first.push_back(samples[i].rss_mib);
      thr_first = std::max(thr_first, samples[i].threads);
      fd_first = std::max(fd_first, samples[i].fds);
    }
    for (std::size_t i = samples.size() - third; i < samples.size(); ++i) {
      rss_last.push_back(samples[i].rss_mib);
      thr_last = std::min(thr_last, samples[i].threads);
      fd_last = std::min(fd_last, samples[i].fds);
    }
    const double m1 = median(rss_first), m2 = median(rss_last);
    const bool rss_grew = m2 > m1 * 1.25 + 16;
    const bool thr_grew = thr_last > thr_first + 2;
    // Descriptors: the sockets curl keeps open to a host come and go with timing, up to net's cap
    // of 6 connections per host (HttpClient's max_host_connections); a leak of one per session
    // passes that within a few sessions.
    constexpr int kFdSlack = 6;
    const bool fd_grew = fd_last > fd_first + kFdSlack;
    grew = rss_grew || thr_grew || fd_grew;
    std::printf(
        "verdict: RSS median %.1f -> %.1f MiB%s; threads %d (most, first third) -> %d (fewest, last third)%s; fds %d -> %d%s; peak RSS %.1f MiB; "
        "%llu sessions (%llu ended in an error)\n",
        m1, m2, rss_grew ? " (GREW)" : "", thr_first, thr_last, thr_grew ? " (GREW)" : "", fd_first, fd_last,
        fd_grew ? " (GREW)" : "", samples.back().peak_mib, static_cast<unsigned long long>(sessions),
        static_cast<unsigned long long>(listener.errors()));
    verdict = {{"rss_median_first_mib", m1},
               {"rss_median_last_mib", m2},
               {"threads_peak_first", thr_first},
               {"threads_floor_last", thr_last},
               {"fds_peak_first", fd_first},
               {"fds_floor_last", fd_last},
               {"grew", grew}};
  } else {
    std::printf("verdict: too few samples (%zu) to compare; run longer or sample more often\n", samples.size());
  }
  if (!json_path.empty()) {
    nlohmann::json j = {{"url", url},           {"seconds", run_s},   {"faults", faults_path},
                        {"sessions", sessions}, {"verdict", verdict}, {"samples", nlohmann::json::array()}};
    for (const auto& s : samples)
      j["samples"].push_back({{"t_s", s.t_s},
                              {"sessions", s.sessions},
                              {"errors", s.errors},
                              {"frames", s.frames},
                              {"rss_mib", s.rss_mib},
                              {"peak_mib", s.peak_mib},
                              {"threads", s.threads},
                              {"fds", s.fds}});
    std::ofstream(json_path) << j.dump(2) << "\n";
  }
  return grew ? 1 : 0;
}
