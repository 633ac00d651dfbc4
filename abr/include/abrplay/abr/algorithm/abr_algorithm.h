// abrplay/abr/algorithm/abr_algorithm.h: the interface every ABR algorithm implements.
//
// An algorithm is asked once per segment which representation to fetch next. Everything it may use
// arrives in one AbrInput; it answers with a [[nodiscard]] Decision (index + reason, the reason feeds
// telemetry). A second hook, should_abandon(), is asked while a download is in flight whether to give
// it up for a lower representation (the spirit of dash.js's AbandonRequestsRule).
//
// Algorithms may keep state between calls (RobustMPC's error history, BBA's last rate); reset()
// starts a new stream. They hold no clock: AbrInput::now is the caller's time.
// Threading: not thread-safe; one owner (the player thread, or one simulator worker).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "abrplay/abr/estimator/throughput_sample.h"
#include "abrplay/core/time.h"

namespace abrplay::abr {

struct Representation {
  DataRate bitrate;                             // declared (average) bitrate
  std::span<const std::int64_t> segment_bytes;  // size of each segment when known (may be empty)
};

// A low-latency live segment: its last chunk is encoded `encode_left` after the decision (on the
// live clock); each chunk holds `chunk` of media.
struct LiveChunks {
  Seconds encode_left{0};
  Seconds chunk{1};
};

struct AbrInput {
  std::span<const Representation> ladder;            // ascending bitrate, at least one entry
  Seconds buffer_level{0};                           // media ahead of the playhead
  Seconds buffer_capacity{60};                       // the loader stops fetching above this
  std::optional<std::size_t> last_index;             // previous choice; nullopt for the first segment
  std::optional<DataRate> throughput;                // the estimator's output; nullopt before any sample
  std::span<const ThroughputSample> recent_samples;  // oldest first, this stream only
  Seconds latency{0};                                // estimated time to first byte
  Seconds segment_duration{4};
  double playback_rate = 1.0;
  bool rebuffering = false;                  // the player is stalled waiting for data
  Seconds now{0};                            // caller's clock
  std::size_t next_segment = 0;              // index of the segment to be chosen
  std::optional<std::size_t> segment_count;  // total segments (nullopt: live or unknown)
  // Low-latency live: the next segment is fetched while it is being encoded, in CMAF chunks that
  // play as they arrive (nullopt: whole segments). Algorithms that plan downloads use it.
  std::optional<LiveChunks> live_chunks;

  // Bytes of segment `segment` of representation `index`: the known size, else bitrate × duration.
  double segment_bytes(std::size_t index, std::size_t segment) const;
  // Segments left including the next one, or nullopt when the length is unknown.
  std::optional<std::size_t> segments_left() const;
  // Highest index whose bitrate is <= rate (0 when none is).
  std::size_t highest_index_at_most(DataRate rate) const;
};

struct [[nodiscard]] Decision {
  std::size_t index = 0;
  std::string_view reason;  // static text, e.g. "buffer above cushion"
};

struct AbandonInput {
  const AbrInput* context = nullptr;  // the state when the download started
  std::size_t index = 0;              // representation being downloaded
  double bytes_total = 0;
  double bytes_loaded = 0;
  Seconds elapsed{0};  // since the request was sent
  Seconds ttfb{0};     // 0 until the first byte arrived
};

struct [[nodiscard]] AbandonDecision {
  bool abandon = false;
  std::size_t switch_to = 0;  // valid when abandon
  std::string_view reason;
};

// dash.js AbandonRequestsRule constants: do not judge a download in its first 500 ms (grace), and
// abandon when it is projected to take more than 1.8 segment durations. Unlike dash.js, a download
// that will complete with `reserve_segments` segment durations still buffered is kept whatever it
// takes: abandoning it would throw its bytes away to avoid a stall that is not coming (in the ABR
// lab, the dash.js rule alone abandoned top-rung segments with 14 s buffered; docs/abr.md); so is
// one with fewer bytes left than the lower rung's whole segment (finishing it is quicker).
struct AbandonParams {
  Seconds grace{0.5};
  double max_duration_multiplier = 1.8;
  double reserve_segments = 1.0;
};

class AbrAlgorithm {
 public:
  virtual ~AbrAlgorithm() = default;
  [[nodiscard]] virtual Decision choose(const AbrInput& input) = 0;
  // Default: the rule above (AbandonInput::context->buffer_level is the buffer now), switching to
  // the highest representation whose segment the measured rate delivers within one segment
  // duration. Never abandons the lowest one.
  [[nodiscard]] virtual AbandonDecision should_abandon(const AbandonInput& input) const;
  virtual void reset() {}
  virtual std::string_view name() const = 0;
  // True when the algorithm pins its choice whatever the network does (fixed, lowest): a player's
  // start-up rule (fast start) must not override it.
  virtual bool pinned() const { return false; }
};

}  // namespace abrplay::abr
