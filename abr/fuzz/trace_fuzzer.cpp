// libFuzzer target: the trace readers (trace.h, traceio/load_trace.h) on arbitrary text.
//
// Every input goes through format detection and all three parsers: Pensieve, Mahimahi (100 ms bins
// and a bin of 1..64 ms taken from the input's length) and Sabre JSON. Whatever a parser accepts
// must be a trace the rest of abr/ can use: segments with positive durations and finite, non-negative
// bandwidths (Pensieve and Sabre within kMaxTraceBandwidthKbps), and a TraceCursor over it that
// delivers a byte count and takes it back (time_to_deliver then bytes_between) within rounding.
// Built only with -DABRPLAY_FUZZ=ON and clang; seeded by tests/fuzz/run-fuzzers with the files of
// tests/data/traces (Pensieve, FCC, Mahimahi, Sabre).
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "abrplay/abr/trace/trace.h"
#include "abrplay/abr/trace/trace_cursor.h"
#include "abrplay/abr/traceio/load_trace.h"

using namespace abrplay::abr;

namespace {

void check(const Trace& trace, bool bandwidth_capped) {
  if (trace.segments.empty()) std::abort();
  for (const TraceSegment& s : trace.segments) {
    if (s.duration.count() <= 0 || s.latency.count() < 0) std::abort();
    if (!std::isfinite(s.bandwidth_kbps) || s.bandwidth_kbps < 0) std::abort();
    if (bandwidth_capped && s.bandwidth_kbps > kMaxTraceBandwidthKbps) std::abort();
  }
  if (trace.total_duration().count() <= 0 || !std::isfinite(trace.mean_kbps())) std::abort();

  const TraceCursor cursor(trace);
  const double loop_bytes = cursor.loop_bytes();
  if (!(loop_bytes > 0) || !std::isfinite(loop_bytes) || !(cursor.loop_duration_s() > 0)) std::abort();
  for (double start_s : {0.0, cursor.loop_duration_s() / 3}) {
    const double want = loop_bytes * 1.5;
    const double took_s = cursor.time_to_deliver_s(want, start_s);
    if (!std::isfinite(took_s) || took_s < 0) std::abort();
    const double got = cursor.bytes_between_s(start_s, start_s + took_s);
    if (std::fabs(got - want) > 1e-6 * want + 1e-3) std::abort();
    (void)cursor.bandwidth_kbps_at(std::chrono::microseconds(123456789));
    (void)cursor.latency_at(std::chrono::microseconds(987654321));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)detect_trace_format("fuzz.log", text);
  if (auto t = parse_pensieve_trace(text, "fuzz")) check(*t, true);
  if (auto t = parse_mahimahi_trace(text, "fuzz")) check(*t, false);
  if (auto t = parse_mahimahi_trace(text, "fuzz", std::chrono::milliseconds(1 + size % 64))) check(*t, false);
  if (auto t = parse_sabre_json(text, "fuzz.json")) check(*t, true);
  return 0;
}
