#include "abrplay/abr/trace/trace.h"

#include <cmath>
#include <cstdint>

#include "line_reader.h"

namespace abrplay::abr {

using std::chrono::microseconds;

microseconds Trace::total_duration() const {
  microseconds total{0};
  for (const TraceSegment& s : segments) total += s.duration;
  return total;
}

double Trace::mean_kbps() const {
  double weighted = 0;
  double total_us = 0;
  for (const TraceSegment& s : segments) {
    weighted += s.bandwidth_kbps * static_cast<double>(s.duration.count());
    total_us += static_cast<double>(s.duration.count());
  }
  return total_us > 0 ? weighted / total_us : 0;
}

namespace {

Unexpected<TraceError> fail(const std::string& name, std::size_t line, std::string_view what) {
  return Unexpected{TraceError{detail::located(name, line, what)}};
}

// A trace that never delivers a byte would make every download last forever.
bool delivers_something(const Trace& trace) {
  for (const TraceSegment& s : trace.segments) {
    if (s.bandwidth_kbps > 0 && s.duration.count() > 0) return true;
  }
  return false;
}

microseconds seconds_to_us(double s) { return microseconds(std::llround(s * 1e6)); }

}  // namespace

Expected<Trace, TraceError> parse_pensieve_trace(std::string_view text, std::string name) {
  const std::vector<detail::TextLine> lines = detail::non_blank_lines(text);
  if (lines.size() < 2) return fail(name, 0, "a Pensieve trace needs at least 2 'time_s Mbps' lines");
  Trace trace;
  trace.name = name;
  trace.segments.reserve(lines.size() - 1);
  double previous_time_s = 0;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const std::vector<std::string_view> fields = detail::split_fields(lines[i].text);
    if (fields.size() != 2) return fail(name, lines[i].number, "expected 2 columns 'time_s Mbps'");
    const std::optional<double> time_s = detail::parse_finite(fields[0]);
    const std::optional<double> mbps = detail::parse_finite(fields[1]);
    if (!time_s) return fail(name, lines[i].number, "time is not a finite number");
    if (!mbps) return fail(name, lines[i].number, "bandwidth is not a finite number");
    if (*time_s < 0 || *time_s > kMaxTraceTimeS) return fail(name, lines[i].number, "time out of range");
    if (*mbps < 0 || *mbps * 1000 > kMaxTraceBandwidthKbps) {
      return fail(name, lines[i].number, "bandwidth out of range (0 to 100000 Mbps)");
    }
    if (i > 0) {
      // Durations are kept in whole microseconds; Pensieve times have millisecond precision.
      const microseconds duration = seconds_to_us(*time_s) - seconds_to_us(previous_time_s);
      if (duration.count() <= 0) return fail(name, lines[i].number, "time does not increase");
      trace.segments.push_back({duration, *mbps * 1000, microseconds{0}});
    }
    previous_time_s = *time_s;
  }
  if (!delivers_something(trace)) return fail(name, 0, "trace has zero bandwidth throughout");
  return trace;
}

Expected<Trace, TraceError> parse_mahimahi_trace(std::string_view text, std::string name,
                                                 std::chrono::milliseconds bin) {
  if (bin.count() <= 0) return fail(name, 0, "mahimahi bin must be positive");
  const std::vector<detail::TextLine> lines = detail::non_blank_lines(text);
  if (lines.empty()) return fail(name, 0, "empty mahimahi trace");
  std::vector<std::int64_t> stamps_ms;
  stamps_ms.reserve(lines.size());
  for (const detail::TextLine& line : lines) {
    const std::vector<std::string_view> fields = detail::split_fields(line.text);
    const std::optional<double> ms = fields.size() == 1 ? detail::parse_finite(fields[0]) : std::nullopt;
    if (!ms || *ms != std::floor(*ms)) return fail(name, line.number, "expected one integer (ms)");
    if (*ms < 0 || *ms > kMaxTraceTimeS * 1000) return fail(name, line.number, "timestamp out of range");
    const auto stamp = static_cast<std::int64_t>(*ms);
    if (!stamps_ms.empty() && stamp < stamps_ms.back()) {
      return fail(name, line.number, "timestamp goes backwards");
    }
    stamps_ms.push_back(stamp);
  }
  // Mahimahi repeats the trace every `last timestamp` ms; a packet at time 0 belongs to the next
  // loop's start just as well, so the period is at least 1 ms.
  const std::int64_t period_ms = std::max<std::int64_t>(stamps_ms.back(), 1);
  const std::int64_t bin_ms = bin.count();
  const std::int64_t bins = (period_ms + bin_ms - 1) / bin_ms;
  // A packet at exactly the period (the last line) is delivered at the end of the last bin.
  const auto bin_of = [&](std::int64_t stamp) {
    return std::min(stamp == period_ms ? bins - 1 : stamp / bin_ms, bins - 1);
  };
  Trace trace;
  trace.name = std::move(name);
  constexpr double kPacketBits = 1500 * 8;
  // Stamps are sorted, so bins fill in order. A run of empty bins becomes one zero-bandwidth segment
  // (the same delivery as one per bin), so memory follows the line count, not the period: a single
  // line "10000000000" is 10^8 bins of 100 ms. The last stamp lies in the last bin, so the segments
  // cover the whole period.
  std::int64_t next_bin = 0;  // first bin not yet in trace.segments
  for (std::size_t k = 0; k < stamps_ms.size();) {
    const std::int64_t b = bin_of(stamps_ms[k]);
    std::int64_t packets = 0;
    for (; k < stamps_ms.size() && bin_of(stamps_ms[k]) == b; ++k) ++packets;
    if (b > next_bin)
      trace.segments.push_back({std::chrono::milliseconds((b - next_bin) * bin_ms), 0.0, microseconds{0}});
    const std::int64_t length_ms = std::min(bin_ms, period_ms - b * bin_ms);
    const double kbps = static_cast<double>(packets) * kPacketBits / static_cast<double>(length_ms);  // bits/ms == kbps
    trace.segments.push_back({std::chrono::milliseconds(length_ms), kbps, microseconds{0}});
    next_bin = b + 1;
  }
  return trace;
}

Expected<Trace, TraceError> trace_from_sabre(std::span<const SabreEntry> entries, std::string name) {
  if (entries.empty()) return fail(name, 0, "empty Sabre trace");
  Trace trace;
  trace.name = name;
  trace.segments.reserve(entries.size());
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const SabreEntry& e = entries[i];
    const std::string where = "entry " + std::to_string(i) + ": ";
    if (!std::isfinite(e.duration_ms) || e.duration_ms <= 0 || e.duration_ms > kMaxTraceTimeS * 1000) {
      return fail(name, 0, where + "duration_ms must be a positive finite number");
    }
    if (!std::isfinite(e.bandwidth_kbps) || e.bandwidth_kbps < 0 || e.bandwidth_kbps > kMaxTraceBandwidthKbps) {
      return fail(name, 0, where + "bandwidth_kbps out of range");
    }
    if (!std::isfinite(e.latency_ms) || e.latency_ms < 0 || e.latency_ms > 600000) {
      return fail(name, 0, where + "latency_ms out of range (0 to 600000)");
    }
    const microseconds duration = seconds_to_us(e.duration_ms / 1000);
    if (duration.count() <= 0) return fail(name, 0, where + "duration_ms below 1 microsecond");
    trace.segments.push_back({duration, e.bandwidth_kbps, seconds_to_us(e.latency_ms / 1000)});
  }
  if (!delivers_something(trace)) return fail(name, 0, "trace has zero bandwidth throughout");
  return trace;
}

}  // namespace abrplay::abr
