// abrplay/abr/trace/trace.h: recorded network traces (bandwidth over time) and their parsers.
//
// A Trace is a list of segments, each a duration at a constant bandwidth (and an added one-way
// latency when the source records one). Traces loop: after the last segment comes the first again.
// Parsers take text, never a path, so abr/ stays free of I/O; abrplay/abr/traceio/load_trace.h reads
// files and directories. Every parser validates its input and returns a TraceError naming the trace
// and the line on bad data (non-numbers, NaN, negative or absurd values, times that go backwards,
// empty traces, traces that never deliver a byte). No parser throws.
//
// Threading: plain values and pure functions; safe from any thread.
#pragma once

#include <chrono>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "abrplay/core/expected.h"

namespace abrplay::abr {

struct TraceSegment {
  std::chrono::microseconds duration{0};  // > 0
  double bandwidth_kbps = 0;              // >= 0, kilobits (1000 bits) per second
  std::chrono::microseconds latency{0};   // one-way latency added to each request in this segment
};

struct Trace {
  std::string name;  // file name (or any label): used in error messages and reports
  std::vector<TraceSegment> segments;

  // Length of one loop of the trace.
  std::chrono::microseconds total_duration() const;
  // Time-weighted mean bandwidth over one loop, kbps (0 for an empty trace).
  double mean_kbps() const;
};

struct TraceError {
  std::string message;  // "<name>:<line>: <what is wrong>" (line omitted when it does not apply)
};

enum class TraceFormat {
  kPensieve,  // text, one "time_s Mbps" line per sample (tab or spaces), times strictly increasing
  kMahimahi,  // text, one integer millisecond timestamp per 1500-byte delivery opportunity
  kSabre,     // JSON list of {duration_ms, bandwidth_kbps, latency_ms} (decoded by traceio)
};

// Sanity limits. A value beyond them is a broken file, not a fast network: 100 Gbit/s exceeds any
// access link a player meets, and 10^7 s (about 4 months) exceeds any recorded session.
inline constexpr double kMaxTraceBandwidthKbps = 100e6;
inline constexpr double kMaxTraceTimeS = 1e7;

// Pensieve "cooked" traces, as Pensieve's simulator (fixed_env.py) reads them: the bandwidth on line
// i holds over the interval that ENDS at line i's time, (t[i-1], t[i]]; line 0's bandwidth is never
// used and the loop restarts at line 1. Segment k of the result is line k+1. That reading is what
// makes the Pensieve-mode simulator reproduce Pensieve's figures exactly. Needs at least 2 lines.
Expected<Trace, TraceError> parse_pensieve_trace(std::string_view text, std::string name);

// Mahimahi packet-delivery traces: each line is a millisecond timestamp at which one 1500-byte packet
// may be delivered (a timestamp repeats for several packets in the same ms). The trace loops with a
// period equal to its last timestamp (as mahimahi's link shell does; at least 1 ms). The result has
// one segment per `bin` of time, at the bandwidth the opportunities in that bin add up to; a shorter
// last bin is kept at its own length, and a run of empty bins is one zero-bandwidth segment (so
// memory grows with the line count, not with the timestamps). `bin` must be > 0.
Expected<Trace, TraceError> parse_mahimahi_trace(std::string_view text, std::string name,
                                                 std::chrono::milliseconds bin = std::chrono::milliseconds(100));

// One entry of a Sabre network trace (already decoded from JSON by the caller).
struct SabreEntry {
  double duration_ms = 0;
  double bandwidth_kbps = 0;
  double latency_ms = 0;
};

// Validates Sabre entries (entry i is reported as "entry i", counting from 0) and builds the trace.
Expected<Trace, TraceError> trace_from_sabre(std::span<const SabreEntry> entries, std::string name);

}  // namespace abrplay::abr
