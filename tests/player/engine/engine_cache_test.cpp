// The engine through net::CachingTransport against abrplay-origin (real sockets, real time): a seek
// back beyond the engine's back buffer is served by the HTTP cache, and a live MPD refresh is a
// conditional request that the origin answers 304.
#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "abrplay/abr/algorithm/fixed.h"
#include "support/origin_session.h"
#include "support/request_log_file.h"

namespace abrplay::engine::test {

namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// The origin's request log: statuses per path, in order.
std::map<std::string, std::vector<int>> by_path(const RequestLogFile& log) {
  std::map<std::string, std::vector<int>> out;
  for (const auto& j : log.records()) out[j["path"].get<std::string>()].push_back(j["status"].get<int>());
  return out;
}

}  // namespace

TEST_CASE("a seek back beyond the back buffer is served by the HTTP cache: no segment is requested twice",
          "[engine][cache]") {
  ContentSpec spec;
  spec.segments = 30;
  SyntheticContent content(spec);
  RequestLogFile log("cache-seek");
  origin::OriginConfig oc = serving(content);
  oc.log_path = log.path.string();
  net::CacheStats stats;
  {
    OriginSession h(oc, 32.0);
    h.cache = std::make_unique<net::CachingTransport>(*h.http, h.clock, net::CacheOptions{});
    EngineConfig cfg;
    cfg.video_limits.max_behind = seconds(2);  // what lies 2 s behind the position is dropped
    cfg.audio_limits.max_behind = seconds(2);
    h.start(cfg, std::make_unique<abr::FixedAlgorithm>(0));
    h.open();
    // Played past 6 s: [1, 2) has left the back buffer.
    REQUIRE(h.rec.wait([&] { return !h.rec.buffers.empty() && h.rec.buffers.back().position > seconds(6); }, kLimit));
    std::size_t before = 0;
    bool seeked = false;
    h.on_loop([&] {
      before = h.rec.media(TrackType::kVideo).size();
      seeked = h.engine->seek(milliseconds(1'500)).code == ErrorCode::kOk;
    });
    REQUIRE(seeked);
    REQUIRE(h.rec.wait([&] { return h.rec.media(TrackType::kVideo).size() >= before + 3; }, kLimit));
    h.on_loop([&] { h.engine->stop(); });
    stats = h.cache->stats();
    auto lock = h.rec.lock();
    const auto media = h.rec.media(TrackType::kVideo);
    CHECK(media[before].segment_start == seconds(1));
    CHECK(media[before].from_cache);  // no throughput sample from it
    CHECK_FALSE(media.front().from_cache);
    CHECK(h.rec.errors.empty());
  }
  // Both tracks refetched [1, 2) and on from the cache; the origin saw every path once.
  CHECK(stats.hits >= 6);
  const auto requests = by_path(log);
  for (const auto& [path, statuses] : requests) {
    INFO(path);
    CHECK(statuses.size() == 1);
  }
  CHECK(stats.misses == requests.size());
}

TEST_CASE("a live MPD refresh through the cache is revalidated with If-None-Match and answered 304",
          "[engine][cache][live]") {
  ContentSpec spec;
  spec.segments = 60;
  SyntheticContent content(spec);
  RequestLogFile log("cache-live");
  origin::OriginConfig oc = serving(content);
  oc.live = true;
  oc.live_preroll = seconds(8);
  oc.live_window = seconds(30);
  oc.log_path = log.path.string();
  net::CacheStats stats;
  {
    OriginSession h(oc, 1.0);
    h.cache = std::make_unique<net::CachingTransport>(*h.http, h.clock, net::CacheOptions{});
    h.start({}, std::make_unique<abr::FixedAlgorithm>(0));
    h.open_until(EngineState::kPlaying);
    // minimumUpdatePeriod is 1 s: two refreshes within 2.5 s.
    REQUIRE(h.rec.wait([&] { return h.cache->stats().revalidations >= 2; }, seconds(5)));
    h.on_loop([&] { h.engine->stop(); });
    stats = h.cache->stats();
    auto lock = h.rec.lock();
    CHECK(h.rec.errors.empty());
  }
  const auto requests = by_path(log);
  const auto mpd = requests.find("/manifest.mpd");
  REQUIRE(mpd != requests.end());
  REQUIRE(mpd->second.size() >= 3);
  CHECK(mpd->second.front() == 200);
  CHECK(std::count(mpd->second.begin(), mpd->second.end(), 304) >= 2);
  CHECK(stats.revalidations >= 2);
}

}  // namespace abrplay::engine::test
