// abrplay/abr/sim/chunk_simulator.h: the chunk-level trace simulator (Pensieve mode).
//
// One session = one video played over one trace, from an empty buffer at the trace's start:
//  1. segment 0 is fetched at `startup_index` whatever the algorithm wants (Pensieve: index 1);
//  2. download time = the link's delivery time (PensieveLink) + link_rtt + the trace's latency;
//  3. rebuffer = max(download − buffer, 0); buffer = max(buffer − download, 0) + segment duration;
//  4. above buffer_threshold the player sleeps whole drain_steps until back under it (the link clock
//     advances, the sleep is not download time);
//  5. the finished transfer becomes a ThroughputSample for the estimator, and the algorithm chooses
//     the next segment. It is also asked once after the last segment (its answer is ignored), as
//     Pensieve's loop does, so stateful algorithms see every sample. AbrInput::rebuffering is true
//     when the player stalled while the last segment downloaded.
// The defaults are Pensieve's constants. Pure and deterministic; no threads.
#pragma once

#include <string>
#include <vector>

#include "abrplay/abr/algorithm/abr_algorithm.h"
#include "abrplay/abr/estimator/throughput_estimator.h"
#include "abrplay/abr/sim/video.h"
#include "abrplay/abr/trace/trace.h"

namespace abrplay::abr {

struct SimParams {
  Seconds link_rtt{0.08};         // Pensieve LINK_RTT = 80 ms, paid once per segment
  double payload_portion = 0.95;  // Pensieve PACKET_PAYLOAD_PORTION
  Seconds buffer_threshold{60};   // Pensieve BUFFER_THRESH
  Seconds drain_step{0.5};        // Pensieve DRAIN_BUFFER_SLEEP_TIME
  std::size_t startup_index = 1;  // Pensieve DEFAULT_QUALITY
};

struct ChunkRecord {
  std::size_t index = 0;  // representation fetched
  DataRate bitrate;
  double bytes = 0;
  Seconds download{0};  // including RTT and latency
  Seconds rebuffer{0};
  Seconds buffer_after{0};  // after adding the segment and any sleep
  Seconds sleep{0};
};

struct SessionLog {
  std::string trace;
  std::vector<ChunkRecord> chunks;  // one per segment, in order
};

// Plays `video` over `trace`. The algorithm and estimator are reset() first.
SessionLog simulate_session(const Trace& trace, const Video& video, AbrAlgorithm& algorithm,
                            ThroughputEstimator& estimator, const SimParams& params = {});

}  // namespace abrplay::abr
