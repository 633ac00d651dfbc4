#include "abrplay/abr/sim/chunk_simulator.h"

#include <algorithm>
#include <cmath>

#include "abrplay/abr/sim/pensieve_link.h"

namespace abrplay::abr {

std::vector<Representation> Video::ladder() const {
  std::vector<Representation> out;
  for (std::size_t i = 0; i < bitrates.size(); ++i) {
    out.push_back({bitrates[i], i < segment_bytes.size() ? std::span<const std::int64_t>(segment_bytes[i])
                                                         : std::span<const std::int64_t>()});
  }
  return out;
}

Video Video::constant_bitrate(std::vector<DataRate> bitrates, Seconds segment_duration, std::size_t segment_count) {
  Video v;
  for (DataRate rate : bitrates) {
    const auto bytes = static_cast<std::int64_t>(std::llround(bytes_in(rate, segment_duration)));
    v.segment_bytes.emplace_back(segment_count, bytes);
  }
  v.bitrates = std::move(bitrates);
  v.segment_duration = segment_duration;
  v.segment_count = segment_count;
  return v;
}

SessionLog simulate_session(const Trace& trace, const Video& video, AbrAlgorithm& algorithm,
                            ThroughputEstimator& estimator, const SimParams& params) {
  algorithm.reset();
  estimator.reset();
  PensieveLink link(trace, params.payload_portion);
  const std::vector<Representation> ladder = video.ladder();
  const double segment_ms = video.segment_duration.count() * 1000;
  const double threshold_ms = params.buffer_threshold.count() * 1000;
  const double step_ms = params.drain_step.count() * 1000;
  SessionLog log;
  log.trace = trace.name;
  log.chunks.reserve(video.segment_count);
  std::vector<ThroughputSample> samples;
  double buffer_ms = 0;
  double clock_s = 0;
  std::size_t index = std::min(params.startup_index, ladder.size() - 1);
  for (std::size_t segment = 0; segment < video.segment_count; ++segment) {
    const double bytes = static_cast<double>(video.segment_bytes[index][segment]);
    const double latency_s = params.link_rtt.count() + link.latency_s();
    // Milliseconds, in the order fixed_env.py computes them.
    const double delay_ms = link.download(bytes) * 1000 + latency_s * 1000;
    const double rebuffer_ms = std::max(delay_ms - buffer_ms, 0.0);
    buffer_ms = std::max(buffer_ms - delay_ms, 0.0) + segment_ms;
    double sleep_ms = 0;
    if (buffer_ms > threshold_ms) {
      sleep_ms = std::ceil((buffer_ms - threshold_ms) / step_ms) * step_ms;
      buffer_ms -= sleep_ms;
      link.sleep_ms(sleep_ms);
    }
    clock_s += delay_ms / 1000;
    const ThroughputSample sample{Seconds{clock_s}, DataSize::bytes(static_cast<std::int64_t>(bytes)),
                                  Seconds{delay_ms / 1000}, Seconds{latency_s}};
    clock_s += sleep_ms / 1000;
    log.chunks.push_back({index, ladder[index].bitrate, bytes, Seconds{delay_ms / 1000}, Seconds{rebuffer_ms / 1000},
                          Seconds{buffer_ms / 1000}, Seconds{sleep_ms / 1000}});
    estimator.add_sample(sample);
    samples.push_back(sample);

    AbrInput in;
    in.ladder = ladder;
    in.buffer_level = Seconds{buffer_ms / 1000};
    in.buffer_capacity = params.buffer_threshold;
    in.last_index = index;
    in.throughput = estimator.estimate();
    in.recent_samples = samples;
    in.latency = Seconds{latency_s};
    in.segment_duration = video.segment_duration;
    in.rebuffering = rebuffer_ms > 0;  // the player stalled while this segment downloaded
    in.now = Seconds{clock_s};
    in.next_segment = segment + 1;
    in.segment_count = video.segment_count;
    const Decision decision = algorithm.choose(in);
    index = std::min(decision.index, ladder.size() - 1);
  }
  return log;
}

}  // namespace abrplay::abr
