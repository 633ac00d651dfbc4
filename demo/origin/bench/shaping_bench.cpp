// abrplay-origin-shaping-bench: downloads through an in-process origin shaped by a recorded trace
// and compares what arrived with what the trace allows (abr::TraceCursor), per bin and in total.
//
//   abrplay-origin-shaping-bench --trace tests/data/traces/pensieve_train/<file> [--seconds 60] [--bin-s 1]
//
// One long GET of a file larger than the trace can deliver in the run; curl's progress callback
// records bytes over time; the transfer is aborted at --seconds. Prints, as one JSON object: the
// bytes expected and received, their ratio, and the mean absolute relative error of per-bin
// throughput (bins of --bin-s and of 4 s, a segment's duration). Single-threaded apart from the
// origin's own threads; uses the steady clock (this measures real pacing).
#include <curl/curl.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "abrplay/abr/trace/trace_cursor.h"
#include "abrplay/abr/traceio/load_trace.h"
#include "origin.h"

namespace {

using Clock = std::chrono::steady_clock;

struct Progress {
  Clock::time_point start;
  double limit_s = 60;
  std::vector<std::pair<double, double>> samples;  // (seconds since start, bytes so far)
};

int on_progress(void* user, curl_off_t, curl_off_t dlnow, curl_off_t, curl_off_t) {
  auto* p = static_cast<Progress*>(user);
  const double t = std::chrono::duration<double>(Clock::now() - p->start).count();
  p->samples.emplace_back(t, static_cast<double>(dlnow));
  return t >= p->limit_s ? 1 : 0;  // non-zero aborts the transfer
}

std::size_t discard(char*, std::size_t size, std::size_t n, void*) { return size * n; }

// Bytes received by time t (linear between progress samples).
double bytes_at(const std::vector<std::pair<double, double>>& s, double t) {
  double prev_t = 0, prev_b = 0;
  for (const auto& [st, sb] : s) {
    if (st >= t) return st == prev_t ? sb : prev_b + (sb - prev_b) * (t - prev_t) / (st - prev_t);
    prev_t = st;
    prev_b = sb;
  }
  return prev_b;
}

// Mean absolute relative error of per-bin throughput, over bins where the trace delivers.
double bin_error(const Progress& p, const abrplay::abr::TraceCursor& cursor, double bin_s, double run_s) {
  double sum = 0;
  int n = 0;
  for (double t0 = 0; t0 + bin_s <= run_s + 1e-9; t0 += bin_s) {
    const double want = cursor.bytes_between_s(t0, t0 + bin_s);
    if (want <= 0) continue;
    sum += std::fabs(bytes_at(p.samples, t0 + bin_s) - bytes_at(p.samples, t0) - want) / want;
    ++n;
  }
  return n ? sum / n : 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::string trace_path;
  double seconds = 60, bin_s = 1;
  CLI::App app{"Measures how closely abrplay-origin's shaping follows a recorded trace",
               "abrplay-origin-shaping-bench"};
  app.add_option("--trace", trace_path, "Trace file (Pensieve, Mahimahi or Sabre)")->required();
  app.add_option("--seconds", seconds, "Length of the run in seconds (default 60)")->check(CLI::Range(1.0, 3600.0));
  app.add_option("--bin-s", bin_s, "Throughput bin in seconds (default 1)")->check(CLI::Range(0.1, 60.0));
  CLI11_PARSE(app, argc, argv);

  auto trace = abrplay::abr::load_trace_file(trace_path);
  if (!trace) {
    std::cerr << "abrplay-origin-shaping-bench: " << trace.error().message << "\n";
    return 2;
  }
  const abrplay::abr::TraceCursor cursor(*trace);
  const double expected = cursor.bytes_between_s(0, seconds);

  // A file the run cannot finish: 20% more than the trace delivers in it.
  const auto dir = std::filesystem::temp_directory_path() / "abrplay-shaping-bench";
  std::filesystem::create_directories(dir);
  {
    std::ofstream out(dir / "big.bin", std::ios::binary | std::ios::trunc);
    const std::vector<char> block(1 << 20, 'x');
    for (double left = expected * 1.2; left > 0; left -= static_cast<double>(block.size())) {
      out.write(block.data(), static_cast<std::streamsize>(block.size()));
    }
    if (!out) {
      std::cerr << "abrplay-origin-shaping-bench: cannot write " << (dir / "big.bin").string() << "\n";
      return 1;
    }
  }
  abrplay::origin::OriginConfig config;
  config.roots = {dir.string()};
  config.cdns[0].trace = *trace;
  auto origin = abrplay::origin::Origin::start(config);
  if (!origin) {
    std::cerr << "abrplay-origin-shaping-bench: " << origin.error() << "\n";
    return 1;
  }
  const std::string url = (*origin)->url(0) + "big.bin";

  Progress progress;
  progress.limit_s = seconds;
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), curl_easy_cleanup);
  curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, discard);
  curl_easy_setopt(curl.get(), CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(curl.get(), CURLOPT_XFERINFOFUNCTION, on_progress);
  curl_easy_setopt(curl.get(), CURLOPT_XFERINFODATA, &progress);
  progress.start = Clock::now();
  const CURLcode rc = curl_easy_perform(curl.get());
  (*origin)->stop();
  std::filesystem::remove_all(dir);
  if (rc != CURLE_ABORTED_BY_CALLBACK && rc != CURLE_OK) {
    std::cerr << "abrplay-origin-shaping-bench: " << url << ": " << curl_easy_strerror(rc) << "\n";
    return 1;
  }
  const double got = bytes_at(progress.samples, seconds);
  const nlohmann::json report = {{"trace", trace->name},
                                 {"seconds", seconds},
                                 {"trace_mean_kbps", trace->mean_kbps()},
                                 {"expected_bytes", std::llround(expected)},
                                 {"received_bytes", std::llround(got)},
                                 {"received_over_expected", got / expected},
                                 {"bin_s", bin_s},
                                 {"mean_abs_error_per_bin", bin_error(progress, cursor, bin_s, seconds)},
                                 {"mean_abs_error_per_4s", bin_error(progress, cursor, 4, seconds)}};
  std::cout << report.dump(2) << "\n";
  return 0;
}
