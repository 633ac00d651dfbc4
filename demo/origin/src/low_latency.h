// low_latency.h: low-latency live (chunked CMAF), as a live packager with LL-DASH publishes it.
//
// A live segment is encoded while it is being served. Each CMAF chunk of it (one moof + mdat, with
// any styp/sidx/prft boxes before it) becomes available when the live clock has passed its end:
// chunk j of n in a segment covering [s, e) of the period at AST + s + (j + 1) (e - s) / n. The MPD
// says so with SegmentTemplate@availabilityTimeOffset = segment duration - chunk duration (the first
// chunk is ready that much before the whole segment) and @availabilityTimeComplete="false", and a
// ServiceDescription carries the target latency and the playback-rate bounds for catch-up
// (ISO/IEC 23009-1 Annex K; DASH-IF IOP low-latency modes).
//
// A request for a segment that is still being encoded gets 200 with chunked transfer encoding: each
// chunk is written (through the CDN's shaped link) once it is available. A finished segment is
// served like any other (Content-Length, ranges). Ranges on an unfinished segment are not served:
// it is sent whole.
// Threading: plain functions and immutable values; the body provider runs on its connection's thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include <httplib.h>

#include "abrplay/core/expected.h"
#include "content_store.h"
#include "stop_token_wait.h"

namespace pugi {
class xml_node;
}

namespace abrplay::origin {

using WallTime = std::chrono::system_clock::time_point;

struct LowLatencyParams {
  bool enabled = false;
  // The content's CMAF chunk duration (what the MPD's availabilityTimeOffset is computed from; the
  // chunks served are the segment files' own moof+mdat pairs).
  std::chrono::milliseconds chunk{1'000};
  // ServiceDescription: Latency@target/min/max (ms) and PlaybackRate@min/max.
  std::chrono::milliseconds target_latency{3'000};
  std::chrono::milliseconds min_latency{2'000};
  std::chrono::milliseconds max_latency{6'000};
  double min_playback_rate = 0.9;
  double max_playback_rate = 1.1;
  // false: a CDN that ignores chunking (store and forward): the MPD still announces low latency,
  // but a request for a segment being encoded waits until the segment is complete and gets it
  // whole. The player must notice and fall back to plain live (docs/engine.md).
  bool chunked_transfer = true;
};

// Where each CMAF chunk of a segment ends (byte offsets, ascending, the last = the body's size):
// a chunk ends with each top-level mdat. A body without mdat is one chunk. An error names the box
// that does not fit in the body.
Expected<std::vector<std::uint64_t>, std::string> cmaf_chunk_ends(const Body& body);

// When each chunk of a segment published over [start, end) (wall time) becomes available: chunk j
// of n at start + (j + 1) (end - start) / n.
std::vector<WallTime> chunk_availability(WallTime start, WallTime end, std::size_t chunks);

// Writes the low-latency signalling into a dynamic MPD: a ServiceDescription (replacing any
// already there) and @availabilityTimeOffset / @availabilityTimeComplete on every SegmentTemplate.
// `max_segment` is the longest segment (availabilityTimeOffset = max_segment - chunk, at least 0).
void describe_low_latency(pugi::xml_node mpd, const LowLatencyParams& params, std::chrono::microseconds max_segment);

// The body provider for a segment still being encoded: before writing chunk j it waits (polling
// `wall_clock` every 10 ms, so a test's hand-moved clock releases it, and through `stop`) until
// chunk_times[j], then hands the chunk to `paced` (paced_body.h: the shaped link and the faults).
httplib::ContentProviderWithoutLength chunked_live_body(std::shared_ptr<Body> body, std::vector<std::uint64_t> ends,
                                                        std::vector<WallTime> chunk_times,
                                                        std::function<WallTime()> wall_clock, StopSignal& stop,
                                                        httplib::ContentProvider paced);

}  // namespace abrplay::origin
