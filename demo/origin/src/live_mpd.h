// live_mpd.h: serving a VOD folder as a live (dynamic) presentation.
//
// The VOD MPD's timeline is laid out from availabilityStartTime (AST): segment k, covering media
// time [s_k, e_k) of the period, becomes available at AST + e_k (once it is complete, as a live
// packager would publish it) and stays available until AST + e_k + timeShiftBufferDepth + its
// duration (ISO/IEC 23009-1, 5.3.9.5.3). When AST + the content duration has passed, the event is
// over: the MPD stays dynamic but gains mediaPresentationDuration and loses minimumUpdatePeriod.
//
// Needs SegmentTemplate addressing with $Number$ or $Time$ (with @duration or a SegmentTimeline);
// SegmentBase/SegmentList content cannot be served live and is refused with a clear error.
//
// Pure: every call takes the wall-clock time `now` as a value, so tests move the clock freely.
// Threading: LiveIndex is immutable after parse(); safe from any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include "abrplay/core/expected.h"
#include "low_latency.h"

namespace abrplay::origin {

using WallTime = std::chrono::system_clock::time_point;

struct LiveParams {
  WallTime availability_start;                 // AST
  std::chrono::seconds time_shift_buffer{30};  // the DVR window a client may seek in
  std::string utc_timing_url;                  // absolute URL of the UTCTiming endpoint
  // Low-latency mode (low_latency.h): a segment is published when its first chunk is, at
  // AST + end - availability_offset(), and the MPD says so.
  LowLatencyParams low_latency;
};

enum class LiveAvailability { kAvailable, kNotYet, kExpired, kNotASegment };

class LiveIndex {
 public:
  // Parses the VOD MPD text; `name` prefixes errors.
  static Expected<LiveIndex, std::string> parse(const std::string& mpd_text, const std::string& name);

  // Availability of a media segment, given its path relative to the MPD's folder.
  LiveAvailability check(const std::string& relative_path, const LiveParams& params, WallTime now) const;

  // The dynamic MPD at `now` (SegmentTimelines trimmed to the segments available at `now`).
  Expected<std::string, std::string> render(const std::string& mpd_text, const LiveParams& params, WallTime now) const;

  // The period time a media segment covers, given its path relative to the MPD's folder; nullopt
  // for anything else (an init segment, a path no template matches, a number beyond the content).
  struct Span {
    std::chrono::microseconds start, end;
  };
  std::optional<Span> span(const std::string& relative_path) const;
  // How long before its end a segment is published: max segment - chunk in low-latency mode, else 0.
  std::chrono::microseconds availability_offset(const LiveParams& params) const;

  std::chrono::microseconds content_duration() const { return content_duration_; }
  std::chrono::microseconds max_segment_duration() const { return max_segment_; }

 private:
  struct Segment {
    std::uint64_t number;
    std::chrono::microseconds start, end;  // within the period
    std::int64_t media_time;               // start in the template's timescale ($Time$)
  };
  struct Track {
    std::regex media;  // the media template as a regex: $Number$/$Time$ captured as group 1
    bool by_time = false;
    std::vector<Segment> segments;
  };
  std::vector<Track> tracks_;
  std::chrono::microseconds content_duration_{0};
  std::chrono::microseconds max_segment_{0};
};

// "2026-11-22T08:00:00.000Z"
std::string iso8601(WallTime t);
// "PT12.345S"
std::string iso_duration(std::chrono::microseconds d);

}  // namespace abrplay::origin
