// abrplay/player/engine/session_metrics.h: what a session showed, from the engine's events, on its Clock.
//
// The one definition of a session's figures, used by `abrplay --no-decode --json-summary` and by the
// ABR lab (player/lab), so that the lab and the real player are compared on the same code:
//   startup_s        load() (construction of this object) to the first kPlaying, on the Clock
//   stalls, stall_s  kPlaying -> kBuffering transitions, and the time until playback resumed
//   played_s         media time played (the last position reported)
//   bitrate          the declared @bandwidth of the video rendition at the playhead, averaged over
//                    each second of media played (what was on screen, not what was downloaded)
//   switches         changes of that rendition between consecutive played seconds
//   qoe_lin          Pensieve's QoE_lin on that 1 s sampling: each second adds a quarter of its Mbps
//                    (Pensieve's 4 s chunk counts its Mbps once), each stall second costs 4.3, each
//                    switch the |change| in Mbps
//   live_latency_s   live with a target latency: the median of the latency at each position report
//   live_latency_sd_s and its standard deviation (both empty for other sessions)
// The rendition of a second is that of the downloaded (not abandoned) video segment covering the
// second's start; a segment downloaded again (after a failure) replaces the earlier one.
//
// Threads: an EngineObserver; everything on the player thread (no locks).
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "abrplay/core/clock.h"
#include "abrplay/core/units.h"
#include "abrplay/player/engine/engine_events.h"

namespace abrplay::engine {

struct PlayedSegment {
  MediaTime start{0};
  MediaTime duration{0};
  std::string representation_id;
  DataRate bandwidth;
};

struct SessionFigures {
  std::optional<double> startup_s;
  int stalls = 0;
  double stall_s = 0;
  double played_s = 0;
  DataRate bitrate;
  int switches = 0;
  double qoe_lin = 0;
  double smoothness = 0;   // QoE_lin's switch penalty: the sum of |change| in Mbps
  int media_segments = 0;  // downloaded, all tracks, abandoned ones excluded
  int abandoned = 0;
  DataSize bytes;  // every download's body
  EngineState state = EngineState::kIdle;
  std::string error;  // describe() of the fatal error, if any
  std::optional<double> live_latency_s, live_latency_sd_s;
  // The video segments in media order, with the rendition finally downloaded for each.
  std::vector<PlayedSegment> video_segments;
};

// The median and the standard deviation of a series (live latency samples); nullopt when empty.
struct Spread {
  double median = 0;
  double sd = 0;
};
std::optional<Spread> median_and_sd(std::vector<double> values);

class SessionMetrics final : public EngineObserver {
 public:
  explicit SessionMetrics(const Clock& clock);

  void on_state(const StateChange& e) override;
  void on_download(const DownloadEvent& e) override;
  void on_buffer(const BufferLevelEvent& e) override;
  void on_error(const Error& e) override;
  void on_live_latency(const LiveLatencyEvent& e) override;

  // The figures so far; a stall in progress counts up to now.
  SessionFigures figures() const;
  EngineState state() const { return f_.state; }
  const std::string& error() const { return f_.error; }

 private:
  void play_to(MediaTime position);

  const Clock& clock_;
  const SteadyTime started_;
  SessionFigures f_;
  std::map<MediaTime, PlayedSegment> video_;  // by segment start
  std::optional<SteadyTime> stall_began_;
  double next_second_ = 0;  // the next media second to sample
  double utility_ = 0, smoothness_ = 0;
  DataRate bitrate_sum_;
  int seconds_ = 0;
  std::optional<DataRate> last_bitrate_;
  std::string last_rep_;
  std::vector<double> latencies_s_;  // live latency at each report, while playing
};

}  // namespace abrplay::engine
