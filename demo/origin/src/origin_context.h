// origin_context.h: what every CDN server of one origin shares.
//
// Owned by Origin, which outlives its CdnServers; CdnServers hold a reference. The members are
// either immutable after Origin::start() or synchronise themselves (RequestLog, TelemetryCollector,
// PlaybackApi, LiveCache, StopSignal), so handler threads use them freely.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "content_store.h"
#include "live_mpd.h"
#include "mpd_rewrite.h"
#include "playback_api.h"
#include "request_log.h"
#include "steering_script.h"
#include "stop_token_wait.h"
#include "telemetry_collector.h"

namespace abrplay::origin {

// Live indexes of the VOD MPDs, parsed once per file (by path) and kept.
class LiveCache {
 public:
  // The index of `mpd_path` (parsing it on first use); the error names the file.
  Expected<std::shared_ptr<const LiveIndex>, std::string> index(const std::filesystem::path& mpd_path);
  // The index governing the segments of `dir`: its first *.mpd (by name) that parses.
  std::shared_ptr<const LiveIndex> index_for_dir(const std::filesystem::path& dir);

 private:
  std::mutex mutex_;
  std::map<std::filesystem::path, std::shared_ptr<const LiveIndex>> by_file_;  // GUARDED_BY(mutex_)
};

struct OriginContext {
  explicit OriginContext(ContentStore s) : store(std::move(s)) {}

  ContentStore store;
  std::unique_ptr<RequestLog> log;                 // never null (a disabled log when no --log)
  std::unique_ptr<TelemetryCollector> telemetry;   // never null
  std::unique_ptr<PlaybackApi> api;                // set once every CDN port is bound
  std::vector<std::string> cdn_base_urls;          // "http://127.0.0.1:P/" per CDN
  std::vector<CdnDvb> cdn_dvb;                     // per CDN: dvb:priority and dvb:weight for MPDs
  std::shared_ptr<const SteeringScript> steering;  // null: no steering server
  std::string steering_url;                        // what MPDs advertise (CDN 0's /steering by default)
  bool live = false;
  LiveParams live_params;  // utc_timing_url is filled per CDN
  LiveCache live_cache;
  std::function<WallTime()> wall_clock;           // injected (tests move it)
  std::chrono::steady_clock::time_point started;  // fault windows and log times count from here
  WallTime started_wall;
  StopSignal stop;
};

}  // namespace abrplay::origin
