// The public Player API (abrplay/player.h) end to end: abrplay-origin serves the real test content
// (8 s, 25 fps, 6 video + 2 audio representations) on 127.0.0.1; sinks are headless.
// No sleeps: every wait is a condition variable with a generous real-time bound (one test watches
// the stats, which have no event, for a second).
#include <catch2/catch.hpp>

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "abrplay/abr/algorithm/registry.h"
#include "abrplay/player.h"
#include "api_test_support.h"
#include "media_test_support.h"
#include "origin.h"

using namespace std::chrono_literals;

namespace abrplay::test {

TEST_CASE("load plays to the end: every video frame delivered once, in order, stats filled", "[api][sidx]") {
  // number/: SegmentTemplate; segmentbase-chained/: SegmentBase whose sidx is a hierarchy (video)
  // and a daisy chain (audio), every fragment found through the chain.
  const std::string variant = GENERATE(as<std::string>{}, "number", "segmentbase-chained");
  CAPTURE(variant);
  auto origin = serve();
  std::mutex mu;
  std::vector<int> codes;
  PlayerConfig c;
  c.sinks.kind = abrplay::SinkKind::kFrameCallback;
  c.sinks.max_speed = true;
  c.sinks.on_frame = [&](const abrplay::media::VideoFrame& f) {
    const int code = abrplay::media::test::read_frame_code(f);
    std::lock_guard lock(mu);
    codes.push_back(code);
  };
  PlayerSession p(c);
  p.load(manifest_url(*origin, variant));
  CHECK(p.player.state() == PlayerState::kLoading);  // visible at once
  REQUIRE(p.rec.wait_state(PlayerState::kEnded));
  CHECK(p.player.state() == PlayerState::kEnded);
  const auto s = p.player.stats();
  CHECK(s.startup_time.has_value());
  CHECK(s.segments_downloaded >= 4);
  CHECK_FALSE(s.video_representation.empty());
  CHECK_FALSE(s.audio_representation.empty());
  CHECK(s.video_width > 0);
  CHECK(s.frames_presented == 200);
  CHECK(s.abr == abrplay::abr::kDefaultAlgorithm);  // "default", resolved
  std::lock_guard lock(mu);
  REQUIRE(codes.size() == 200);
  for (int k = 0; k < 200; ++k) CHECK(codes[static_cast<std::size_t>(k)] == k);
  CHECK(Recorder::first_error(p.rec.events()) == nullptr);
}

TEST_CASE("the stats follow the screen, not the downloads, and agree with the frames shown and the origin's log",
          "[api]") {
  const auto log = std::filesystem::temp_directory_path() /
                   ("abrplay-api-screen-" + std::to_string(::getpid()) + ".jsonl");
  std::filesystem::remove(log);
  origin::OriginConfig oc = origin_serving();
  oc.log_path = log.string();
  auto origin = start_origin(std::move(oc));
  std::mutex mu;
  std::vector<int> heights;  // of every frame shown
  PlayerConfig c;
  c.sinks.kind = abrplay::SinkKind::kFrameCallback;
  c.sinks.max_speed = true;
  c.sinks.on_frame = [&](const abrplay::media::VideoFrame& f) {
    std::lock_guard lock(mu);
    heights.push_back(f.height);
  };
  c.play_when_ready = false;  // loads both segments, shows nothing past the start
  PlayerStats paused;
  std::vector<std::string> decisions;
  {
    PlayerSession p(c);
    p.load(manifest_url(*origin));
    // Fast start takes the lowest rung for the first segment; on loopback the second goes higher.
    const auto video_decisions = [](const std::vector<PlayerEvent>& ev) {
      std::vector<std::string> ids;
      for (const auto& e : ev) {
        if (e.kind == PlayerEvent::Kind::kRepresentationChanged && e.track == "video")
          ids.push_back(e.representation_id);
      }
      return ids;
    };
    REQUIRE(p.rec.wait([&](const auto& ev) { return video_decisions(ev).size() >= 2; }));
    REQUIRE(p.rec.wait_state(PlayerState::kPaused));
    decisions = video_decisions(p.rec.events());
    // Paused at 0 with the second segment downloaded: the screen is still on the first one. The stats
    // are refreshed by the player's 50 ms tick, and no event says when: watched for a second, they
    // never move to the download ahead.
    const auto until = std::chrono::steady_clock::now() + 1s;
    do {
      paused = p.player.stats();
      if (paused.video_representation == decisions[1]) break;
      std::this_thread::sleep_for(50ms);
    } while (std::chrono::steady_clock::now() < until);
    p.player.play();
    REQUIRE(p.rec.wait_state(PlayerState::kEnded));
    const auto s = p.player.stats();
    std::lock_guard lock(mu);
    REQUIRE(heights.size() == 200);
    int changes = 0;
    for (std::size_t i = 1; i < heights.size(); ++i) changes += heights[i] != heights[i - 1];
    CHECK(s.video_height == heights.back());
    CHECK(s.switches == changes);
    CHECK(s.first_frame_time.has_value());
    CHECK(s.first_frame_time >= s.startup_time);
    p.player.set_listener(nullptr);
    origin.reset();  // joins the servers: every request is logged
    // From the log: the last complete download of each video segment is the one shown.
    std::map<int, std::string> shown;
    std::ifstream in(log);
    for (std::string line; std::getline(in, line);) {
      const auto j = nlohmann::json::parse(line);
      const std::string path = j["path"].get<std::string>();
      const auto at = path.find("chunk-stream");
      if (at == std::string::npos || j["status"] != 200) continue;
      const std::string file = path.substr(at);
      const std::string rep = file.substr(12, file.find('-', 12) - 12);
      const int number = std::stoi(file.substr(file.rfind('-') + 1));
      if (std::stoi(rep) > 5) continue;  // audio (6, 7)
      const auto full = std::filesystem::file_size(std::filesystem::path(ABRPLAY_TEST_CONTENT_DIR) / "number" / file);
      if (j["bytes"].get<std::uint64_t>() == full) shown[number] = rep;
    }
    REQUIRE(shown.size() == 2);
    CHECK(s.video_representation == shown[2]);
    CHECK(s.switches == (shown[1] != shown[2] ? 1 : 0));
    CHECK(paused.video_representation == shown[1]);
  }
  INFO("ABR decisions: " << decisions[0] << ", " << decisions[1]);
  CHECK(decisions[0] != decisions[1]);
  CHECK(paused.video_representation == decisions[0]);  // not the segment downloaded ahead
  CHECK(paused.video_height > 0);
  std::filesystem::remove(log);
}

TEST_CASE("pause and seek: the requested state is visible at once, then the engine follows", "[api]") {
  auto origin = serve();
  PlayerSession p(PlayerConfig{});  // real time, so there is time to pause
  p.load_until(manifest_url(*origin, "timeline"), PlayerState::kPlaying);
  p.player.pause();
  CHECK(p.player.state() == PlayerState::kPaused);
  CHECK_FALSE(p.player.play_when_ready());
  REQUIRE(p.rec.wait_state(PlayerState::kPaused));
  p.rec.clear();
  REQUIRE(p.player.seek(6s).code == ErrorCode::kOk);
  CHECK(p.player.state() == PlayerState::kSeeking);
  CHECK(p.player.position() == std::chrono::microseconds(6s));
  REQUIRE(p.rec.wait([](const auto& ev) {
    return !ev.empty() && ev.back().kind == PlayerEvent::Kind::kStateChanged && ev.back().state == PlayerState::kPaused;
  }));
  // Paused after the seek: the position stays at the target (the engine's now, not the cache's).
  CHECK(p.player.position() >= std::chrono::microseconds(5900ms));
  CHECK(p.player.position() <= std::chrono::microseconds(6100ms));
  p.player.play();
  CHECK(p.player.play_when_ready());
  REQUIRE(p.rec.wait_state(PlayerState::kEnded, 20s));
  CHECK(p.player.stats().position >= std::chrono::microseconds(7s));
  CHECK(Recorder::first_error(p.rec.events()) == nullptr);
}

TEST_CASE("a seek after the end plays again from the target to the end", "[api]") {
  auto origin = serve();
  PlayerConfig c;
  c.sinks.kind = abrplay::SinkKind::kFrameCallback;  // decoded as fast as possible
  c.sinks.max_speed = true;
  c.sinks.on_frame = [](const abrplay::media::VideoFrame&) {};
  PlayerSession p(c);
  p.load_until(manifest_url(*origin), PlayerState::kEnded);
  p.rec.clear();
  REQUIRE(p.player.seek(4s).code == ErrorCode::kOk);
  REQUIRE(p.rec.wait_state(PlayerState::kPlaying, 20s));
  // Every segment was loaded before the end: the seek lands in the buffer, and what is buffered
  // past the target must reach the pipeline without another download to trigger it.
  REQUIRE(p.rec.wait_state(PlayerState::kEnded, 20s));
  CHECK(p.player.stats().position >= std::chrono::microseconds(7s));
  CHECK(Recorder::first_error(p.rec.events()) == nullptr);
}

TEST_CASE("stop works in every state and the player loads again afterwards", "[api]") {
  auto origin = serve();
  const std::string url = manifest_url(*origin);
  PlayerSession p;
  p.player.stop();  // idle
  CHECK(p.player.state() == PlayerState::kIdle);
  p.load(url);
  p.player.stop();  // loading
  CHECK(p.player.state() == PlayerState::kIdle);
  for (PlayerState target : {PlayerState::kBuffering, PlayerState::kPlaying, PlayerState::kEnded}) {
    CAPTURE(abrplay::to_string(target));
    p.rec.clear();
    p.load_until(url, target);
    p.player.stop();
    CHECK(p.player.state() == PlayerState::kIdle);
    CHECK(p.player.position() == std::chrono::microseconds{0});
  }
  // Paused.
  p.rec.clear();
  {
    PlayerSession p2;
    p2.player.pause();
    p2.load_until(url, PlayerState::kPaused);
    p2.player.stop();
    CHECK(p2.player.state() == PlayerState::kIdle);
    // Error.
    p2.rec.clear();
    p2.load(manifest_url(*origin, "no-such"));
    REQUIRE(p2.rec.wait_error());
    p2.player.stop();
    CHECK(p2.player.state() == PlayerState::kIdle);
    p2.player.set_listener(nullptr);
  }
  // And it still plays after all that.
  p.rec.clear();
  p.load_until(url, PlayerState::kEnded);
  p.player.set_listener(nullptr);
}

TEST_CASE("destroying a player while it plays returns promptly", "[api]") {
  auto origin = serve();
  Recorder rec;
  const auto t0 = std::chrono::steady_clock::now();
  {
    Player player;  // real time: still playing when destroyed
    player.set_listener(&rec);
    REQUIRE(player.load(manifest_url(*origin)).code == ErrorCode::kOk);
    REQUIRE(rec.wait_state(PlayerState::kPlaying));
  }
  CHECK(std::chrono::steady_clock::now() - t0 < 10s);
  CHECK_FALSE(Recorder::reached(rec.events(), PlayerState::kEnded));
}

TEST_CASE("several players at once each play to the end", "[api]") {
  auto origin = serve();
  constexpr int kPlayers = 3;
  std::vector<std::unique_ptr<PlayerSession>> players;
  for (int i = 0; i < kPlayers; ++i) {
    PlayerConfig c = max_speed();
    if (i == 1) c.abr = "fixed:0";
    players.push_back(std::make_unique<PlayerSession>(c));
    players.back()->load(manifest_url(*origin, i == 2 ? "timeline" : "number"));
  }
  for (int i = 0; i < kPlayers; ++i) {
    CAPTURE(i);
    REQUIRE(players[static_cast<std::size_t>(i)]->rec.wait_state(PlayerState::kEnded, 60s));
  }
  CHECK(players[1]->player.stats().video_representation == "0");  // fixed:0, the lowest rung, whatever the others did
  CHECK(players[1]->player.stats().switches == 0);
  players.clear();
}

TEST_CASE("bad input gives an error event with the right code, never a hang", "[api]") {
  auto origin = serve();
  const auto dir = std::filesystem::temp_directory_path() / ("abrplay-api-test-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir / "bad");
  { std::ofstream(dir / "bad" / "manifest.mpd") << "<?xml version=\"1.0\"?><MPD><Period><AdaptationSet>"; }
  auto bad_origin = serve({dir.string()});
  struct Case {
    std::string url;
    std::vector<ErrorCode> codes;
  };
  const std::vector<Case> cases = {
      {"ftp://127.0.0.1/manifest.mpd", {ErrorCode::kNetworkBadUrl}},
      {manifest_url(*origin, "missing"), {ErrorCode::kNetworkHttpStatus}},
      {manifest_url(*bad_origin, "bad"), {ErrorCode::kManifestMalformedXml}},
  };
  for (const auto& c : cases) {
    CAPTURE(c.url);
    PlayerSession p;
    p.load(c.url);
    REQUIRE(p.rec.wait_error());
    const auto events = p.rec.events();
    const PlayerEvent* e = Recorder::first_error(events);
    REQUIRE(e != nullptr);
    CAPTURE(e->error.describe());
    CHECK(std::find(c.codes.begin(), c.codes.end(), e->error.code) != c.codes.end());
    REQUIRE(p.rec.wait_state(PlayerState::kError));
    CHECK(p.player.state() == PlayerState::kError);
    CHECK(p.player.seek(1s).code == ErrorCode::kInvalidState);
    p.player.set_listener(nullptr);
  }
  CHECK(Player().load("").code == ErrorCode::kInvalidArgument);
  std::filesystem::remove_all(dir);
}

TEST_CASE("telemetry: heartbeats and the final report reach the origin's collector", "[api][telemetry]") {
  auto origin = serve();
  PlayerConfig c;  // real time, so several heartbeats fit in the 8 s
  c.telemetry_url = origin->url(0) + "telemetry";
  c.telemetry_interval = 500ms;
  PlayerSession p(c);
  p.load(manifest_url(*origin));
  REQUIRE(p.player.set_abr("bola").code == ErrorCode::kOk);
  CHECK(p.player.set_abr("no-such-algorithm").code == ErrorCode::kInvalidArgument);
  REQUIRE(p.rec.wait_state(PlayerState::kPlaying));
  REQUIRE(p.player.seek(5s).code == ErrorCode::kOk);
  const bool sent = p.rec.wait([](const auto& ev) {
    for (const auto& e : ev) {
      if (e.kind == PlayerEvent::Kind::kTelemetrySent) return true;
    }
    return false;
  });
  INFO(states(p.rec.events()));
  REQUIRE(sent);
  const auto events = p.rec.events();
  for (const auto& e : events) {
    if (e.kind == PlayerEvent::Kind::kTelemetrySent) CHECK(e.error.code == ErrorCode::kOk);
  }
  CHECK(Recorder::reached(events, PlayerState::kEnded));
  const nlohmann::json sessions = origin->telemetry().sessions();
  REQUIRE(sessions.size() == 1);
  CHECK(sessions[0]["heartbeats"].get<int>() >= 3);  // ~3 s of playing at 500 ms, plus the final
  CHECK(sessions[0]["ended"] == true);
  CHECK(sessions[0]["last"]["event"] == "final");
  CHECK(p.player.stats().abr == "bola");
}

TEST_CASE("audio language: preferred at load, switched while playing (in place)", "[api][tracks]") {
  auto origin = serve();
  // As fast as decoding goes; the switch is asked for from the frame callback when the first frame
  // is presented, so it falls mid-stream with the whole 8 s still to decode (no real-time wait).
  constexpr std::size_t kNotYet = std::numeric_limits<std::size_t>::max();
  std::atomic<Player*> player{nullptr};
  std::atomic<bool> first_frame{true};
  std::string audio_before_switch;  // written before events_before_switch
  std::atomic<std::size_t> events_before_switch{kNotYet};
  Recorder* rec = nullptr;
  PlayerConfig c;
  c.sinks.kind = abrplay::SinkKind::kFrameCallback;
  c.sinks.max_speed = true;
  c.sinks.on_frame = [&](const abrplay::media::VideoFrame&) {
    Player* pl = player.load();
    if (pl == nullptr || !first_frame.exchange(false)) return;
    audio_before_switch = pl->stats().audio_representation;
    events_before_switch = rec->events().size();
    pl->select_audio_language("en");
  };
  c.preferred_audio_languages = {"fr"};
  PlayerSession p(c);
  rec = &p.rec;
  player = &p.player;
  p.load_until(manifest_url(*origin), PlayerState::kPlaying);
  // The audio representation the switch brought (events before it are the load's).
  const auto after_switch = [&](const std::vector<PlayerEvent>& ev) {
    std::vector<std::string> ids;
    for (std::size_t i = events_before_switch; i < ev.size(); ++i) {
      if (ev[i].kind == PlayerEvent::Kind::kRepresentationChanged && ev[i].track == "audio")
        ids.push_back(ev[i].representation_id);
    }
    return ids;
  };
  REQUIRE(p.rec.wait([&](const auto& ev) { return events_before_switch != kNotYet && !after_switch(ev).empty(); }));
  REQUIRE(p.rec.wait_state(PlayerState::kEnded, 20s));
  p.player.set_listener(nullptr);
  const auto events = p.rec.events();
  CHECK(audio_before_switch == "7");  // fr
  for (const auto& id : after_switch(events)) CHECK(id == "6");
  CHECK(p.player.stats().audio_representation == "6");
  CHECK(Recorder::first_error(events) == nullptr);
}

TEST_CASE("CMCD reaches the origin on every manifest and segment request, as query or headers", "[api][cmcd]") {
  const abrplay::CmcdMode mode = GENERATE(abrplay::CmcdMode::kQuery, abrplay::CmcdMode::kHeader);
  CAPTURE(static_cast<int>(mode));
  const auto log = std::filesystem::temp_directory_path() / ("abrplay-api-cmcd-" + std::to_string(::getpid()) + "-" +
                                                             std::to_string(static_cast<int>(mode)) + ".jsonl");
  std::filesystem::remove(log);
  origin::OriginConfig oc = origin_serving();
  oc.log_path = log.string();
  auto origin = start_origin(std::move(oc));
  {
    PlayerConfig c = max_speed();
    c.cmcd = mode;
    c.request_headers = {{"X-Abrplay-Test", "1"}};
    PlayerSession p(c);
    p.load_until(manifest_url(*origin), PlayerState::kEnded);
    p.player.set_listener(nullptr);
  }
  origin.reset();  // joins the servers: every request is logged
  std::ifstream in(log);
  std::string line;
  int manifests = 0, video = 0, audio = 0, inits = 0;
  std::set<std::string> sids;
  while (std::getline(in, line)) {
    const auto j = nlohmann::json::parse(line);
    CAPTURE(line);
    REQUIRE(j.contains("cmcd"));
    const auto& cmcd = j["cmcd"];
    sids.insert(cmcd.value("sid", std::string()));
    CHECK(cmcd.value("cid", std::string()) == "number");
    CHECK(cmcd.value("sf", std::string()) == "d");
    const std::string ot = cmcd.value("ot", std::string());
    if (ot == "m") ++manifests;
    if (ot == "i") ++inits;
    if (ot == "v" || ot == "a") {
      ot == "v" ? ++video : ++audio;
      CHECK(cmcd.contains("br"));
      CHECK(cmcd.value("d", 0) == 4000);
      CHECK(cmcd.contains("bl"));
    }
  }
  CHECK(manifests == 1);
  CHECK(inits >= 2);
  CHECK(video >= 2);
  CHECK(audio >= 2);
  CHECK(sids.size() == 1);
  CHECK(sids.begin()->size() == 36);
  std::filesystem::remove(log);
}

TEST_CASE("load from a playback-API request: the service's manifest, session id and telemetry", "[api][playback]") {
  auto origin = serve();
  {
    PlayerSession p;
    abrplay::PlaybackRequest req;
    req.api_url = origin->url(0) + "play";
    req.token = "abrplay-demo";
    req.content = "number";
    req.codecs = {"avc1", "mp4a"};
    req.max_height = 480;
    p.load(req);
    CHECK(p.player.state() == PlayerState::kLoading);
    REQUIRE(p.rec.wait_state(PlayerState::kEnded));
    CHECK(p.player.stats().video_height <= 480);
    CHECK(p.player.stats().video_height > 0);
    REQUIRE(p.rec.wait([](const auto& ev) {
      return std::any_of(ev.begin(), ev.end(),
                         [](const PlayerEvent& e) { return e.kind == PlayerEvent::Kind::kTelemetrySent; });
    }));
    p.player.set_listener(nullptr);
  }
  const nlohmann::json sessions = origin->telemetry().sessions();
  REQUIRE(sessions.size() == 1);
  CHECK(sessions[0]["session_id"].get<std::string>().rfind("s", 0) == 0);
  CHECK(sessions[0]["ended"] == true);

  // Refused: the service's message comes with the error.
  PlayerSession p;
  abrplay::PlaybackRequest bad;
  bad.api_url = origin->url(0) + "play";
  bad.token = "wrong";
  p.load(bad);
  REQUIRE(p.rec.wait_error());
  const auto events = p.rec.events();
  const PlayerEvent* e = Recorder::first_error(events);
  REQUIRE(e != nullptr);
  CAPTURE(e->error.describe());
  CHECK(e->error.code == ErrorCode::kNetworkHttpStatus);
  REQUIRE(p.rec.wait_state(PlayerState::kError));
  CHECK(p.player.state() == PlayerState::kError);
  p.player.stop();
  CHECK(p.player.state() == PlayerState::kIdle);
  p.player.set_listener(nullptr);
}

TEST_CASE("subtitles: cues reach the cue callback when a text language is chosen", "[api][tracks]") {
  auto origin = serve();
  const bool at_load = GENERATE(true, false);
  CAPTURE(at_load);
  std::mutex mu;
  std::vector<abrplay::media::TextCue> cues;
  // As fast as decoding goes. Not at load: the language is chosen from the frame callback when the
  // first frame is presented, mid-stream with the whole 8 s still to decode (no real-time wait).
  std::atomic<Player*> player{nullptr};
  std::atomic<bool> chosen{false};
  PlayerConfig c;
  c.sinks.kind = at_load ? abrplay::SinkKind::kNullMaxSpeed : abrplay::SinkKind::kFrameCallback;
  c.sinks.max_speed = true;
  c.sinks.on_frame = [&](const abrplay::media::VideoFrame&) {
    Player* pl = player.load();
    if (pl != nullptr && !chosen.exchange(true)) (void)pl->select_text_language("en");  // switched on in place
  };
  if (at_load) c.preferred_text_languages = {"en"};
  c.sinks.on_cue = [&](const abrplay::media::TextCue& cue) {
    std::lock_guard lock(mu);
    cues.push_back(cue);
  };
  PlayerSession p(c);
  if (!at_load) player = &p.player;
  p.load(manifest_url(*origin));
  REQUIRE(p.rec.wait_state(PlayerState::kEnded, 20s));
  CHECK(chosen == !at_load);
  CHECK(Recorder::first_error(p.rec.events()) == nullptr);
  p.player.set_listener(nullptr);
  std::lock_guard lock(mu);
  REQUIRE_FALSE(cues.empty());
  for (const auto& cue : cues) {
    CHECK_FALSE(cue.text.empty());
    CHECK(cue.end > cue.start);
  }
}

TEST_CASE("external sinks are presented on the thread that calls pump()", "[api][sinks]") {
  auto origin = serve();
  class CountingSink final : public abrplay::media::VideoSink {
   public:
    std::optional<abrplay::Error> present(const abrplay::media::VideoFrame& f) override {
      CHECK(std::this_thread::get_id() == owner);
      if (f.width > 0) ++frames;
      return std::nullopt;
    }
    std::thread::id owner = std::this_thread::get_id();
    int frames = 0;
  } sink;
  PlayerConfig c;
  c.sinks.kind = abrplay::SinkKind::kExternal;
  c.sinks.max_speed = true;
  c.sinks.video = &sink;
  PlayerSession p(c);
  p.load(manifest_url(*origin));
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  while (p.player.state() != PlayerState::kEnded && std::chrono::steady_clock::now() < deadline) {
    p.player.pump(std::chrono::milliseconds(20));
  }
  CHECK(p.player.state() == PlayerState::kEnded);
  CHECK(sink.frames == 200);
  p.player.set_listener(nullptr);
}

}  // namespace abrplay::test
