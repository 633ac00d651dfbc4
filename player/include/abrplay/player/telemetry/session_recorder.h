// abrplay/player/telemetry/session_recorder.h: what a playback session looked like, as telemetry.
//
// The recorder is fed the player's events (switches, stalls, errors, seeks, dropped frames, played
// segments) and turns them into JSON payloads (schema: docs/telemetry.schema.json):
//   heartbeat(snapshot, now)    the state now, plus what happened since the previous heartbeat
//                               (those lists are then cleared); `seq` counts heartbeats from 0
// Both carry "downloads": the completed downloads since the previous payload, per representation
// (init/index and media segments, body bytes), so the payloads of a session add up to what the
// player fetched, and a service can reconcile them with its CDN logs; and the events since the
// previous payload: switches, stalls, errors, seeks and "segments" (each completed media segment:
// when, which representation, which media time, how many bytes in how long), so a session's
// payloads hold every event the lists kept, the last ones included (the final report carries those
// since the last heartbeat).
//   final_report(snapshot, ...) the session as a whole: startup time, played time, average
//                               bitrate, time at each representation, rebuffer count and ratio,
//                               switches, dropped frames, errors, QoE_lin, device and version
// Privacy: URLs, and URLs inside error messages, pass through net::redact_url() before they enter a
// payload, so tokens in query strings, user info and fragments never leave the device; request
// headers are never recorded.
// Bounds: each "since last heartbeat" list keeps at most kMaxEventsPerHeartbeat entries and counts
// the rest, so a fault storm cannot grow a payload without limit.
// Threading: not thread-safe; one owner (the player thread). Times come in as values (no clock).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "abrplay/core/clock.h"
#include "abrplay/core/units.h"
#include "abrplay/player/error.h"

namespace abrplay::telemetry {

inline constexpr int kSchemaVersion = 1;
inline constexpr std::size_t kMaxEventsPerHeartbeat = 64;

// Every URL inside free text (an error message) through net::redact_url() (abrplay/net/url.h),
// which removes user info, query and fragment:
// "HTTP 404 for https://cdn/a.m4s?sig=x" -> "HTTP 404 for https://cdn/a.m4s".
std::string redact_urls_in(std::string_view text);

struct SessionInfo {
  std::string session_id;  // e.g. a UUID; CMCD sid uses the same value
  std::string content_id;
  std::string device;  // e.g. "linux-x86_64"
  std::string library_version;
  std::string abr;  // the ABR algorithm's resolved registry name (abr::resolve_algorithm_name)
};

struct RepresentationInfo {
  std::string id;
  DataRate bitrate;
  int width = 0, height = 0;  // 0 for audio
  std::string codecs;
};

// The player's state at one moment, filled by the caller.
struct Snapshot {
  double position_s = 0;
  std::string state;                       // the engine's state name: "playing", "buffering", ...
  std::map<std::string, double> buffer_s;  // per track type: "video", "audio", "text"
  std::optional<RepresentationInfo> video, audio;
  std::optional<DataRate> throughput;
  std::string cdn;                       // base URL in use, redacted on the way in
  std::string cdn_reason;                // why it is in use: net::to_string(HostChoiceReason), "" when unknown
  std::optional<double> live_latency_s;  // live with a target latency: behind the live edge
  // The HTTP cache since the session's load (PlayerStats::cache_*); absent when there is none.
  struct CacheFigures {
    std::uint64_t hits = 0, revalidations = 0, misses = 0, bytes = 0;
  };
  std::optional<CacheFigures> cache;
};

// One completed media-segment download (see SessionRecorder::on_segment).
struct SegmentRecord {
  std::string track;  // "video", "audio", "text"
  std::string representation_id;
  DataRate bitrate;                    // the representation's declared bandwidth
  double start_s = 0, duration_s = 0;  // media time of the segment (presentation timeline)
  DataSize bytes;                      // body bytes
  double download_s = 0, ttfb_s = 0;   // request sent to last byte, and to first byte
};

// Completed downloads of one representation (see SessionRecorder::on_download).
struct DownloadTotals {
  std::string track;
  std::uint64_t init_segments = 0, media_segments = 0;
  DataSize bytes;
};

enum class EndReason { kEndOfStream, kStopped, kError, kDestroyed };
std::string_view to_string(EndReason reason);

class SessionRecorder {
 public:
  explicit SessionRecorder(SessionInfo info);

  void on_load(SteadyTime t);
  void on_first_frame(SteadyTime t);  // startup time = first frame - load
  void on_switch(SteadyTime t, double position_s, const RepresentationInfo& from, const RepresentationInfo& to,
                 std::string_view reason);
  void on_stall_start(SteadyTime t, double position_s);
  void on_stall_end(SteadyTime t);
  void on_error(SteadyTime t, const Error& error, std::string_view url);
  void on_dropped_frames(std::uint64_t count);
  void on_seek(SteadyTime t, double from_s, double to_s);
  // A video segment the player played (or will play): for average bitrate, time per
  // representation and QoE_lin.
  void on_video_segment(const RepresentationInfo& rep, double duration_s);
  // A completed download of `bytes` body bytes for a representation of `track` ("video", "audio",
  // "text"); `init` for init and index segments. Abandoned downloads are not reported.
  void on_download(std::string_view track, const std::string& representation_id, bool init, DataSize bytes);
  // A completed (not abandoned) media segment, at `t`: the payload's "segments" list, bounded like
  // the other lists. Totals stay with on_download.
  void on_segment(SteadyTime t, const SegmentRecord& segment);

  // JSON text of the next heartbeat; clears the "since last" lists.
  std::string heartbeat(const Snapshot& snapshot, WallTime wall, SteadyTime now);
  // JSON text of the final report ("event": "final"), with the lists since the last heartbeat.
  std::string final_report(const Snapshot& snapshot, EndReason reason, WallTime wall, SteadyTime now);

  const SessionInfo& info() const { return info_; }
  std::uint64_t sequence() const { return seq_; }

 private:
  struct SwitchEvent {
    double t_s, position_s;
    RepresentationInfo from, to;
    std::string reason;
  };
  struct StallEvent {
    double start_s, position_s;
    std::optional<double> duration_s;
  };
  struct ErrorEvent {
    double t_s;
    int code;
    std::string name, message, url;
  };
  struct SeekEvent {
    double t_s, from_s, to_s;
  };
  struct SegmentEvent {
    double t_s;
    SegmentRecord segment;
  };
  template <class T>
  struct Recent {  // bounded "since last heartbeat" list
    std::vector<T> items;
    std::uint64_t dropped = 0;
    void add(T item);
  };

  // The "since the previous payload" lists; each payload takes them (and clears them).
  struct Since {
    Recent<SwitchEvent> switches;
    Recent<StallEvent> stalls;
    Recent<ErrorEvent> errors;
    Recent<SeekEvent> seeks;
    Recent<SegmentEvent> segments;
  };

  double since_load(SteadyTime t) const;

  std::map<std::string, DownloadTotals> downloads_;  // since the previous payload, by representation id
  DataSize total_bytes_;

  SessionInfo info_;
  std::uint64_t seq_ = 0;
  std::optional<SteadyTime> load_time_, first_frame_time_;
  std::optional<SteadyTime> stall_started_;
  Since since_;
  std::uint64_t dropped_since_ = 0;
  // Whole session.
  std::uint64_t total_switches_ = 0, total_stalls_ = 0, total_errors_ = 0, total_dropped_ = 0, total_seeks_ = 0;
  double stall_seconds_ = 0;
  struct RepTime {
    DataRate bitrate;
    double seconds = 0;
  };
  std::map<std::string, RepTime> time_at_rep_;
  std::vector<DataRate> segment_bitrates_;  // played video segments, in order (for QoE_lin)
  double played_s_ = 0;
};

}  // namespace abrplay::telemetry
