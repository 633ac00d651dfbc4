// The Player's HTTP cache (PlayerConfig::cache) end to end against abrplay-origin: replaying a
// title makes no second request (the origin's log), the stats count the hits; a corrupted disk entry
// is detected and fetched again; a cache directory that cannot be made is a warning and playback
// goes on; live, the cache is off unless cache.live (then an MPD refresh is answered 304). (A seek back beyond the engine's back buffer, and a live MPD revalidated with a 304:
// tests/player/engine/engine_cache_test.cpp; the test content here is 8 s, all of it within the
// 10 s the engine keeps behind the position.)
#include <catch2/catch.hpp>

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "abrplay/player.h"
#include "api_test_support.h"
#include "origin.h"

using namespace std::chrono_literals;

namespace abrplay::test {
namespace {

namespace fs = std::filesystem;

// A scratch folder of this process's own (the origin's request log, a cache directory).
struct CacheScratch {
  explicit CacheScratch(const std::string& name)
      : dir(fs::temp_directory_path() / ("abrplay-api-cache-" + name + "-" + std::to_string(::getpid()))) {
    fs::remove_all(dir);
    fs::create_directories(dir);
  }
  ~CacheScratch() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
  fs::path dir;
};

// Requests per path in the origin's JSONL log (read after the origin stopped), with their statuses.
std::map<std::string, std::vector<int>> requests_by_path(const fs::path& log) {
  std::map<std::string, std::vector<int>> out;
  std::ifstream in(log);
  for (std::string line; std::getline(in, line);) {
    const auto j = nlohmann::json::parse(line);
    out[j["path"].get<std::string>()].push_back(j["status"].get<int>());
  }
  return out;
}

// Headless, as fast as decoding goes, the lowest video rung pinned (the same segments every time).
PlayerConfig pinned_config() {
  PlayerConfig c = max_speed();
  c.abr = "fixed:0";
  return c;
}

std::vector<std::string> cache_warnings(const std::vector<PlayerEvent>& events) {
  std::vector<std::string> out;
  for (const auto& e : events) {
    if (e.kind == PlayerEvent::Kind::kWarning && e.error.code == ErrorCode::kNetworkCache)
      out.push_back(e.error.message);
  }
  return out;
}

}  // namespace

TEST_CASE("playing a title again comes from the cache: no second request reaches the origin", "[api][cache]") {
  CacheScratch scratch("replay");
  origin::OriginConfig oc = origin_serving();
  oc.log_path = (scratch.dir / "requests.jsonl").string();
  auto origin = start_origin(std::move(oc));
  PlayerStats first, second;
  {
    PlayerSession p(pinned_config());
    p.load_until(manifest_url(*origin), PlayerState::kEnded);
    first = p.player.stats();
    p.rec.clear();
    p.load_until(manifest_url(*origin), PlayerState::kEnded);
    second = p.player.stats();
    CHECK(second.frames_presented == 200);
    CHECK(Recorder::first_error(p.rec.events()) == nullptr);
    p.player.set_listener(nullptr);
  }
  origin.reset();  // joins the servers: every request is logged
  const auto requests = requests_by_path(scratch.dir / "requests.jsonl");
  REQUIRE(requests.size() >= 5);  // the MPD, two inits, at least two media segments
  for (const auto& [path, statuses] : requests) {
    INFO(path);
    CHECK(statuses == std::vector<int>{200});
  }
  // The first session filled the cache, the second one was served from it alone.
  CHECK(first.cache_hits == 0);
  CHECK(first.cache_misses == requests.size());
  CHECK(second.cache_misses == 0);
  CHECK(second.cache_hits == requests.size());
  CHECK(second.cache_bytes > 100'000);
}

TEST_CASE("a corrupted entry in the cache directory is detected, reported and fetched again", "[api][cache]") {
  CacheScratch scratch("corrupt");
  origin::OriginConfig oc = origin_serving();
  oc.log_path = (scratch.dir / "requests.jsonl").string();
  auto origin = start_origin(std::move(oc));
  PlayerConfig c = pinned_config();
  c.cache.disk_dir = (scratch.dir / "cache").string();
  {
    PlayerSession p(c);
    p.load_until(manifest_url(*origin), PlayerState::kEnded);
    CHECK(cache_warnings(p.rec.events()).empty());
    p.player.set_listener(nullptr);
  }
  // One byte of the first video segment's body changes on disk (its key names its URL).
  fs::path victim;
  for (const auto& f : fs::directory_iterator(c.cache.disk_dir)) {
    std::ifstream in(f.path(), std::ios::binary);
    std::string magic, key;
    std::getline(in, magic);
    std::getline(in, key);
    if (key.find("chunk-stream0-00001.m4s") != std::string::npos) victim = f.path();
  }
  REQUIRE_FALSE(victim.empty());
  {
    std::fstream f(victim, std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(-1000, std::ios::end);
    const char byte = static_cast<char>(f.get());
    f.seekp(-1000, std::ios::end);
    f.put(static_cast<char>(byte ^ 0x5a));
  }
  {
    PlayerSession p(c);  // a new player: its memory is empty, the disk has every entry
    p.load_until(manifest_url(*origin), PlayerState::kEnded);
    const auto warnings = cache_warnings(p.rec.events());
    REQUIRE(warnings.size() == 1);
    CHECK(warnings[0].find("does not match") != std::string::npos);
    CHECK(warnings[0].find(victim.string()) != std::string::npos);
    const PlayerStats s = p.player.stats();
    CHECK(s.frames_presented == 200);
    CHECK(s.cache_misses == 1);
    CHECK(s.cache_hits >= 4);
    CHECK(Recorder::first_error(p.rec.events()) == nullptr);
    p.player.set_listener(nullptr);
  }
  origin.reset();
  for (const auto& [path, statuses] : requests_by_path(scratch.dir / "requests.jsonl")) {
    INFO(path);
    const bool corrupted = path.find("chunk-stream0-00001.m4s") != std::string::npos;
    CHECK(statuses.size() == (corrupted ? 2u : 1u));
  }
}

TEST_CASE("a cache directory that cannot be made is a warning, and playback goes on from memory", "[api][cache]") {
  CacheScratch scratch("unusable");
  std::ofstream(scratch.dir / "a-file") << "not a directory";
  auto origin = serve();
  PlayerConfig c = pinned_config();
  c.cache.disk_dir = (scratch.dir / "a-file" / "cache").string();
  PlayerSession p(c);
  p.load_until(manifest_url(*origin), PlayerState::kEnded);
  const auto warnings = cache_warnings(p.rec.events());
  REQUIRE(warnings.size() == 1);
  CHECK(warnings[0].find("a-file/cache") != std::string::npos);
  CHECK(warnings[0].find("memory only") != std::string::npos);
  CHECK(p.player.stats().frames_presented == 200);
  CHECK(Recorder::first_error(p.rec.events()) == nullptr);
  p.rec.clear();
  p.load_until(manifest_url(*origin), PlayerState::kEnded);  // the memory tier works
  CHECK(p.player.stats().cache_misses == 0);
  CHECK(cache_warnings(p.rec.events()).empty());  // reported once
  p.player.set_listener(nullptr);
}

TEST_CASE("with the cache off every request goes to the network and the stats stay zero", "[api][cache]") {
  auto origin = serve();
  PlayerConfig c = pinned_config();
  c.cache.enabled = false;
  PlayerSession p(c);
  p.load_until(manifest_url(*origin), PlayerState::kEnded);
  p.rec.clear();
  p.load_until(manifest_url(*origin), PlayerState::kEnded);
  const PlayerStats s = p.player.stats();
  CHECK(s.cache_hits == 0);
  CHECK(s.cache_misses == 0);
  CHECK(s.cache_bytes == 0);
  CHECK(s.frames_presented == 200);
  p.player.set_listener(nullptr);
}

TEST_CASE("live: the cache is off by default (MPD refreshes go out whole), on with cache.live (refreshes get 304)",
          "[api][cache][live]") {
  // Two origins serving the test content live (4 s segments: the MPD is refreshed every 4 s), one
  // player each, side by side, so the two sessions share the few seconds of real time.
  CacheScratch scratch("live");
  auto live_origin = [&](const std::string& name) {
    origin::OriginConfig oc = origin_serving();
    oc.live = true;
    // The content is 8 s: the edge starts at 1 s, so the refresh 4 s later still finds the event
    // running and the MPD unchanged (at 8 s it ends, and the MPD changes).
    oc.live_preroll = 1s;
    oc.log_path = (scratch.dir / (name + ".jsonl")).string();
    return start_origin(std::move(oc));
  };
  auto plain_origin = live_origin("default");
  auto cached_origin = live_origin("live");
  PlayerConfig plain;  // real-time null sinks: a live session plays at the pace of the edge
  plain.abr = "fixed:0";
  PlayerConfig cached = plain;
  cached.cache.live = true;
  PlayerStats plain_stats, cached_stats;
  {
    PlayerSession a(plain);
    PlayerSession b(cached);
    a.load(manifest_url(*plain_origin));
    b.load(manifest_url(*cached_origin));
    REQUIRE(a.rec.wait_state(PlayerState::kPlaying));
    REQUIRE(b.rec.wait_state(PlayerState::kPlaying));
    // No event marks an MPD refresh: the stats are looked at every 100 ms, for at most 10 s.
    const auto until = std::chrono::steady_clock::now() + 10s;
    while (b.player.stats().cache_revalidations == 0 && std::chrono::steady_clock::now() < until) {
      std::this_thread::sleep_for(100ms);
    }
    plain_stats = a.player.stats();
    cached_stats = b.player.stats();
    CHECK(Recorder::first_error(a.rec.events()) == nullptr);
    CHECK(Recorder::first_error(b.rec.events()) == nullptr);
    a.player.set_listener(nullptr);
    b.player.set_listener(nullptr);
  }
  plain_origin.reset();
  cached_origin.reset();
  CHECK(cached_stats.cache_revalidations >= 1);
  CHECK(plain_stats.cache_revalidations == 0);
  CHECK(plain_stats.cache_hits == 0);
  const auto plain_mpd = requests_by_path(scratch.dir / "default.jsonl")["/number/manifest.mpd"];
  const auto cached_mpd = requests_by_path(scratch.dir / "live.jsonl")["/number/manifest.mpd"];
  CHECK(std::count(cached_mpd.begin(), cached_mpd.end(), 304) >= 1);
  CHECK(std::count(plain_mpd.begin(), plain_mpd.end(), 304) == 0);
  CHECK(plain_mpd.size() >= 2);  // refreshed too, but never as a conditional request
}

}  // namespace abrplay::test
