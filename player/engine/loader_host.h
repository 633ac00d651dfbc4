// loader_host.h (private): what a TrackLoader needs from the engine that owns it.
// Implemented by StreamingEngine::Impl. Player thread only.
#pragma once
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "abrplay/abr/algorithm/abr_algorithm.h"
#include "abrplay/net/fetcher.h"
#include "abrplay/player/engine/engine_events.h"
#include "abrplay/player/engine/event_loop.h"
#include "abrplay/player/engine/streaming_engine.h"
#include "abrplay/player/manifest/model.h"

namespace abrplay::engine {

class LoaderHost {
 public:
  virtual ~LoaderHost() = default;
  virtual EventLoop& loop() = 0;
  virtual const EngineConfig& config() const = 0;
  virtual const manifest::Mpd& mpd() const = 0;
  // The Fetcher whose hosts are `base_urls` (CDN choice and failover between them, by `hosts`'
  // DVB priority and weight, index for index; missing ones count as 1 and 1); empty: absolute URLs only.
  virtual net::Fetcher& fetcher_for(const std::vector<std::string>& base_urls,
                                    const std::vector<manifest::BaseUrlHost>& hosts) = 0;
  virtual MediaTime play_position() const = 0;
  virtual WallTime live_now() const = 0;
  virtual bool rebuffering() const = 0;

  virtual abr::AbrAlgorithm& abr() = 0;
  virtual std::optional<DataRate> throughput() const = 0;
  virtual int media_samples() const = 0;
  virtual Seconds latency() const = 0;
  virtual std::span<const abr::ThroughputSample> recent_samples() const = 0;
  virtual Seconds session_time() const = 0;  // seconds since the engine was created
  // A media download's sample, for the estimator and the ABR.
  virtual void record_sample(TrackType track, const abr::ThroughputSample& sample) = 0;

  virtual void emit(const AbrDecisionEvent& event) = 0;
  virtual void emit(const DownloadEvent& event) = 0;
  virtual void warn(Error error) = 0;
  virtual void fatal(Error error) = 0;

  virtual void segment_buffered(TrackType track) = 0;
  // EngineConfig::serial_media: may `track` start a media segment download now? No while another
  // audio/video track downloads one, or wants to and has less media buffered (video first on a tie).
  virtual bool may_start_media(TrackType track, MediaTime level) const = 0;
  // A download of `track` ended (completed, failed, abandoned): the others may go now.
  virtual void download_ended(TrackType track) = 0;
  // The loader reached the end of `period`: the engine moves it on (enter_period) or finishes it.
  virtual void period_ended(TrackType track, std::size_t period) = 0;
  // Low-latency live: the first byte of a chunked segment requested while it was being encoded came
  // only when the segment was complete (`whole`: the server ignores chunking), or before.
  virtual void chunked_first_byte(TrackType track, const std::string& url, bool whole) = 0;
};

}  // namespace abrplay::engine
