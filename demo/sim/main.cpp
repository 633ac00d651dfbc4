// abrplay-sim: runs ABR algorithms over a set of recorded network traces and reports QoE per
// algorithm: at chunk level (Pensieve mode, docs/abr.md), or with --engine as sessions of the real
// streaming engine on virtual time (the ABR lab, docs/abr-lab.md).
#include <CLI/CLI.hpp>

#include <malloc.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <iostream>
#include <thread>

#include "abrplay/abr/algorithm/registry.h"
#include "abrplay/abr/traceio/load_trace.h"
#include "abrplay/player/engine/load_control.h"
#include "abrplay/player/lab/lab_session.h"
#include "engine_runner.h"
#include "report.h"
#include "sim_runner.h"

namespace {

int fail(const std::string& message) {
  std::cerr << "abrplay-sim: error: " << message << "\n";
  return 2;
}

// Throughput of the simulator: every listed algorithm (except optimal) over every trace, one thread.
void bench(const std::vector<abrplay::abr::Trace>& traces, const abrplay::abr::Video& video,
           const abrplay::sim::RunConfig& config) {
  for (const std::string& name : config.algorithms) {
    abrplay::sim::RunConfig one = config;
    one.algorithms = {name};
    one.jobs = 1;
    const auto start = std::chrono::steady_clock::now();
    std::size_t runs = 0;
    double elapsed = 0;
    do {  // at least 0.5 s per algorithm, for a stable figure
      (void)abrplay::sim::run_all(traces, video, one);
      runs += traces.size();
      elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    } while (elapsed < 0.5 && !abrplay::sim::is_offline_planner(name));
    std::cout << name << ": " << static_cast<double>(runs) / elapsed << " traces/s/core (" << runs << " sessions in "
              << elapsed << " s)\n";
  }
}

// Engine mode's speed: sessions of the first trace per algorithm, one thread, for at least 1 s each.
void bench_engine(const std::vector<abrplay::abr::Trace>& traces, const abrplay::sim::EngineRunConfig& config) {
  for (const std::string& name : config.algorithms) {
    abrplay::lab::LabSessionConfig s = config.session;
    s.algorithm = name;
    const auto start = std::chrono::steady_clock::now();
    std::size_t runs = 0;
    double elapsed = 0, media_s = 0;
    do {
      s.link.trace = traces[runs % traces.size()];
      const auto r = abrplay::lab::run_lab_session(s);
      media_s += r.figures.played_s;
      ++runs;
      elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    } while (elapsed < 1.0);
    std::cout << name << ": " << static_cast<double>(runs) / elapsed << " sessions/s/core, "
              << media_s / static_cast<double>(runs) << " s of media each (" << runs << " sessions in " << elapsed
              << " s)\n";
  }
}

// The --ladder-kbps option as rates; Pensieve's ladder when it is not given.
std::vector<abrplay::DataRate> ladder_of(const std::vector<double>& kbps) {
  if (kbps.empty()) return abrplay::abr::kPensieveLadder;
  std::vector<abrplay::DataRate> out;
  for (double k : kbps) out.push_back(abrplay::DataRate::kilobits_per_second(k));
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"abrplay-sim: chunk-level ABR simulator (Pensieve mode) over recorded traces"};
  std::string traces_dir, sizes_dir, qoe = "lin", json_path, csv_path, plot_path;
  std::vector<double> ladder_kbps;
  double segment_s = 4;
  std::size_t chunks = abrplay::abr::kPensieveSegmentCount;
  std::vector<std::string> algos = {"bb",  "bola",      "bola-e",       "throughput", "dynamic",
                                    "mpc", "robustmpc", "scenario-mpc", "optimal"};
  unsigned jobs = std::max(1u, std::thread::hardware_concurrency());
  bool no_plot = false, paper = false, run_bench = false, engine_mode = false, sizes_only = false;
  std::string mpd_path;
  int rtt_ms = 40;
  double duration_s = 60;
  app.add_option("--traces", traces_dir, "directory of traces (Pensieve, Mahimahi or Sabre .json)")->required();
  auto* sizes = app.add_option("--video-sizes", sizes_dir, "directory of video_size_0..N files (Pensieve)");
  auto* ladder = app.add_option("--ladder-kbps", ladder_kbps, "CBR ladder, e.g. 300,750,1200")->delimiter(',');
  sizes->excludes(ladder);
  app.add_option("--segment-s", segment_s, "segment duration in seconds")->check(CLI::Range(0.1, 60.0));
  app.add_option("--chunks", chunks, "segments in the video")->check(CLI::Range(2, 100000));
  app.add_option("--algo", algos,
                 "algorithms, comma separated (" +
                     std::string("lowest,fixed,throughput,bb,bba0,"
                                 "bola,bola-e,mpc,robustmpc,dynamic,scenario-mpc,default,optimal,oracle-mpc; "
                                 "default = ") +
                     std::string(abrplay::abr::kDefaultAlgorithm) + ")")
      ->delimiter(',');
  app.add_option("--qoe", qoe, "QoE metric")->check(CLI::IsMember({"lin", "log", "hd"}));
  app.add_option("--json", json_path, "write the summary as JSON");
  app.add_option("--csv", csv_path, "write one row per trace and algorithm");
  app.add_option("--jobs", jobs, "worker threads (default: all cores)")->check(CLI::Range(1, 1024));
  app.add_option("--plot", plot_path, "PNG for the QoE CDF (drawn when gnuplot is installed; none without it)");
  app.add_flag("--no-plot", no_plot, "do not draw the CDF (the default without --plot; kept for scripts)");
  app.add_flag("--paper", paper, "papers' bb/mpc/robustmpc instead of Pensieve's code (see docs/abr.md)");
  app.add_flag("--bench", run_bench, "measure simulator speed (traces/s/core) instead of reporting QoE");
  app.add_flag("--engine", engine_mode, "run the real streaming engine on virtual time (the ABR lab)");
  auto* mpd_opt = app.add_option("--mpd", mpd_path,
                                 "--engine: the presentation, a manifest or a directory holding "
                                 "manifest.mpd (segments are served from the files beside it)");
  mpd_opt->excludes(sizes);
  app.add_option("--rtt-ms", rtt_ms, "--engine: round trip paid before each response's first byte")
      ->check(CLI::Range(0, 10000));
  double overhead_ms = static_cast<double>(abrplay::lab::kLoopbackRequestOverhead.count()) / 1000;
  app.add_option("--overhead-ms", overhead_ms,
                 "--engine: also paid before each first byte, what the real path costs per request "
                 "beyond the round trip (default: measured against abrplay-origin on loopback)")
      ->check(CLI::Range(0.0, 1000.0));
  app.add_option("--duration", duration_s, "--engine: seconds of media per session (0: to the end)")
      ->check(CLI::Range(0.0, 86400.0));
  std::string sessions_path;
  bool parallel_media = false;
  app.add_flag("--parallel-media", parallel_media,
               "--engine: audio and video segments load in parallel "
               "(EngineConfig::serial_media = false)");
  double max_virtual_s = 1800;
  app.add_option("--max-virtual-s", max_virtual_s,
                 "--engine: a session still going after this much virtual time "
                 "is cut and counted as failed")
      ->check(CLI::Range(1.0, 86400.0));
  app.add_option("--sessions-json", sessions_path, "--engine: write every session's figures and renditions as JSON");
  app.add_flag("--sizes-only", sizes_only, "--engine --mpd: serve media segments as zeros of their size");
  std::size_t oracle_horizon = 5;
  app.add_option("--oracle-horizon", oracle_horizon,
                 "'oracle-mpc': segments it plans ahead with the true future link (default 5, MPC's)")
      ->check(CLI::Range(1, 8));
  double min_buffer_s = 0, max_buffer_s = 0;
  app.add_option("--min-buffer-s", min_buffer_s, "--engine: LoadControlParams::min_buffer (0: the engine's)")
      ->check(CLI::Range(0.0, 3600.0));
  app.add_option("--max-buffer-s", max_buffer_s, "--engine: LoadControlParams::max_buffer (0: the engine's)")
      ->check(CLI::Range(0.0, 3600.0));
  CLI11_PARSE(app, argc, argv);

  for (const std::string& name : algos) {
    const auto& known = abrplay::abr::algorithm_names();
    if (!abrplay::sim::is_offline_planner(name) && std::find(known.begin(), known.end(), name) == known.end()) {
      return fail("unknown algorithm '" + name + "'");
    }
  }
  auto traces = abrplay::abr::load_trace_dir(traces_dir);
  if (!traces) return fail(traces.error().message);
  if (engine_mode) {
    // Engine sessions allocate and free megabytes of segment bodies each; glibc would hand every
    // large block back to the kernel (mmap/trim) and fault it in again: keep them in the heap.
    mallopt(M_MMAP_THRESHOLD, 256 << 20);
    mallopt(M_TRIM_THRESHOLD, 512 << 20);
    for (const std::string& name : algos) {
      if (abrplay::sim::is_offline_planner(name))
        std::cerr << "abrplay-sim: note: '" << name
                  << "' is left out in --engine mode (it plans on Pensieve mode's link model)\n";
    }
    std::erase_if(algos, [](const std::string& name) { return abrplay::sim::is_offline_planner(name); });
    if (qoe != "lin")
      return fail("--engine reports QoE_lin, the player's own metric (--qoe " + qoe + " is for Pensieve mode)");
    if (mpd_path.empty() && sizes_dir.empty()) return fail("--engine needs --mpd PATH_OR_DIR or --video-sizes DIR");
    abrplay::sim::EngineRunConfig ec;
    ec.algorithms = algos;
    ec.jobs = jobs;
    ec.session.link.rtt = std::chrono::milliseconds(rtt_ms);
    ec.session.link.request_overhead = std::chrono::microseconds(std::llround(overhead_ms * 1000));
    ec.session.duration = std::chrono::microseconds(static_cast<long long>(duration_s * 1e6));
    ec.session.registry.pensieve_compat = !paper;
    ec.session.engine.serial_media = !parallel_media;
    if (min_buffer_s > 0)
      ec.session.engine.load.min_buffer = std::chrono::microseconds(std::llround(min_buffer_s * 1e6));
    if (max_buffer_s > 0)
      ec.session.engine.load.max_buffer = std::chrono::microseconds(std::llround(max_buffer_s * 1e6));
    if (const std::string bad = abrplay::engine::validate(ec.session.engine.load); !bad.empty())
      return fail("--min-buffer-s / --max-buffer-s: " + bad);
    ec.session.max_virtual_time = std::chrono::microseconds(static_cast<long long>(max_virtual_s * 1e6));
    std::string shown = mpd_path;
    if (!mpd_path.empty()) {
      std::filesystem::path p(mpd_path);
      if (std::filesystem::is_directory(p)) p /= "manifest.mpd";
      if (!std::filesystem::is_regular_file(p)) return fail(p.string() + ": no such manifest");
      auto content = abrplay::lab::LabContent::from_directory(p.parent_path(), sizes_only);
      if (!content) return fail(content.error());
      ec.session.content = std::make_shared<const abrplay::lab::LabContent>(std::move(content).value());
      ec.session.mpd_path = "/" + p.filename().string();
      shown = p.string();
    } else {
      auto loaded = abrplay::abr::load_video_sizes(sizes_dir, ladder_of(ladder_kbps), abrplay::Seconds{segment_s},
                                                   chunks);
      if (!loaded) return fail(loaded.error().message);
      ec.session.content = std::make_shared<const abrplay::lab::LabContent>(
          abrplay::lab::LabContent::synthetic(*loaded));
      ec.session.mpd_path = "/synthetic/manifest.mpd";
      shown = sizes_dir + " (synthetic MPD)";
    }
    // The presentation must play at all: one short session on an unshaped link.
    {
      abrplay::lab::LabSessionConfig probe = ec.session;
      probe.algorithm = "lowest";
      probe.duration = std::chrono::seconds(1);
      const auto r = abrplay::lab::run_lab_session(probe);
      if (r.failed) return fail(shown + ": the player refuses this presentation: " + r.error);
    }
    if (run_bench) {
      bench_engine(*traces, ec);
      return 0;
    }
    std::vector<std::vector<abrplay::lab::LabSessionResult>> sessions;
    const auto results = abrplay::sim::run_engine_all(*traces, ec, &sessions);
    if (!sessions_path.empty()) {
      if (auto err = abrplay::sim::write_sessions_json(sessions_path, *traces, algos, sessions)) return fail(*err);
    }
    const auto rows = abrplay::sim::summarize(results);
    std::cout << "engine in the loop: " << shown << ", rtt " << rtt_ms << " ms + " << overhead_ms << " ms per request, "
              << duration_s << " s sessions\n";
    abrplay::sim::print_table(std::cout, rows, traces->size(), "lin", "per second played, as the player's summary");
    if (!json_path.empty()) {
      if (auto err = abrplay::sim::write_json(json_path, rows, traces->size())) return fail(*err);
    }
    if (!csv_path.empty()) {
      if (auto err = abrplay::sim::write_csv(csv_path, results, *traces)) return fail(*err);
    }
    if (!no_plot && !plot_path.empty()) {
      if (auto err = abrplay::sim::plot_cdf(plot_path, results, "lin")) {
        std::cerr << "abrplay-sim: note: " << *err << "\n";
      } else {
        std::cout << "QoE CDF: " << plot_path << "\n";
      }
    }
    return 0;
  }

  abrplay::abr::Video video;
  if (!sizes_dir.empty()) {
    auto loaded = abrplay::abr::load_video_sizes(sizes_dir, ladder_of(ladder_kbps), abrplay::Seconds{segment_s},
                                                 chunks);
    if (!loaded) return fail(loaded.error().message);
    video = std::move(loaded).value();
  } else {
    const std::vector<abrplay::DataRate> rates = ladder_of(ladder_kbps);
    if (!std::is_sorted(rates.begin(), rates.end()) || rates.front() <= abrplay::DataRate::zero()) {
      return fail("--ladder-kbps must be positive and ascending");
    }
    video = abrplay::abr::Video::constant_bitrate(rates, abrplay::Seconds{segment_s}, chunks);
  }

  abrplay::sim::RunConfig config;
  config.algorithms = algos;
  config.metric = *abrplay::abr::parse_qoe_metric(qoe);
  config.jobs = jobs;
  config.pensieve_compat = !paper;
  config.oracle_horizon = oracle_horizon;
  if (run_bench) {
    bench(*traces, video, config);
    return 0;
  }
  const auto results = abrplay::sim::run_all(*traces, video, config);
  const auto rows = abrplay::sim::summarize(results);
  abrplay::sim::print_table(std::cout, rows, traces->size(), qoe);
  if (!json_path.empty()) {
    if (auto err = abrplay::sim::write_json(json_path, rows, traces->size())) return fail(*err);
  }
  if (!csv_path.empty()) {
    if (auto err = abrplay::sim::write_csv(csv_path, results, *traces)) return fail(*err);
  }
  if (!no_plot && !plot_path.empty()) {
    if (auto err = abrplay::sim::plot_cdf(plot_path, results, qoe)) {
      std::cerr << "abrplay-sim: note: " << *err << "\n";
    } else {
      std::cout << "QoE CDF: " << plot_path << "\n";
    }
  }
  return 0;
}
