// Telemetry through the public Player API, end to end: heartbeats against abrplay-origin's collector
// and request log, and collectors that fail (500, slow, down) while the player plays.
// Real time where heartbeats must fall during playback (8 s of content); waits are condition
// variables with real-time bounds.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <algorithm>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "abrplay/player.h"
#include "api_test_support.h"
#include "origin.h"
#include "telemetry_schema.h"
#include "test_collector.h"

using namespace std::chrono_literals;

namespace abrplay::test {

using Json = nlohmann::json;

namespace {

std::vector<Json> read_jsonl(const std::filesystem::path& file) {
  std::vector<Json> out;
  std::ifstream in(file);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty()) out.push_back(Json::parse(line));
  }
  return out;
}

// One POST body as a list of payloads (a single payload or a batch).
std::vector<Json> payloads_of(const std::string& body) {
  Json j = Json::parse(body);
  if (j.is_object()) return {j};
  return std::vector<Json>(j.begin(), j.end());
}

struct RepTotals {
  std::uint64_t init = 0, media = 0, bytes = 0;
  bool operator==(const RepTotals& o) const { return init == o.init && media == o.media && bytes == o.bytes; }
};

std::string describe(const std::map<std::string, RepTotals>& m) {
  std::string out;
  for (const auto& [id, t] : m)
    out += id + ": init " + std::to_string(t.init) + ", media " + std::to_string(t.media) + ", " +
           std::to_string(t.bytes) + " B; ";
  return out;
}

bool has_event(const std::vector<PlayerEvent>& ev, PlayerEvent::Kind kind) {
  for (const auto& e : ev) {
    if (e.kind == kind) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("heartbeats arrive on time, validate, and add up to the origin's request log per representation",
          "[api][telemetry]") {
  const auto dir = std::filesystem::temp_directory_path() / ("abrplay-api-telemetry-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  origin::OriginConfig oc = origin_serving();
  oc.log_path = (dir / "requests.jsonl").string();
  oc.telemetry_out = (dir / "telemetry.jsonl").string();
  auto origin = start_origin(std::move(oc));
  constexpr auto kInterval = 500ms;
  {
    PlayerConfig c;  // real time: 8 s of playback hold about 16 heartbeats
    c.telemetry_url = origin->url(0) + "telemetry";
    c.telemetry_interval = kInterval;
    PlayerSession p(c);
    p.load(manifest_url(*origin));
    INFO(states(p.rec.events()));
    REQUIRE(p.rec.wait([](const auto& ev) { return has_event(ev, PlayerEvent::Kind::kTelemetrySent); }));
    CHECK(Recorder::reached(p.rec.events(), PlayerState::kEnded));
    p.player.set_listener(nullptr);
  }
  origin.reset();  // joins the servers: every request and payload is written

  const std::vector<Json> payloads = read_jsonl(dir / "telemetry.jsonl");
  REQUIRE(payloads.size() >= 10);
  // In order, none missing, the final report last.
  for (std::size_t i = 0; i < payloads.size(); ++i) CHECK(payloads[i]["seq"] == i);
  CHECK(payloads.back()["event"] == "final");
  // On time: the player stamps each heartbeat one interval after the previous one.
  for (std::size_t i = 1; i + 1 < payloads.size(); ++i) {
    const double gap = payloads[i]["session_time_s"].get<double>() - payloads[i - 1]["session_time_s"].get<double>();
    CAPTURE(i, gap);
    CHECK(gap == Approx(0.5).margin(0.25));
  }
  // Schema (the collector adds "received", which the schema allows).
  std::vector<std::string> texts;
  for (const auto& p : payloads) texts.push_back(p.dump());
  CHECK(validate_telemetry(texts, "api-telemetry-samples") == 0);
  // The HTTP cache's figures (on by default): every payload has them, the session's requests missed.
  for (const auto& p : payloads) CHECK(p.contains("cache"));
  CHECK(payloads.back()["cache"]["misses"].get<std::uint64_t>() > 0);

  // The payloads' downloads, summed per representation, against the origin's request log.
  std::map<std::string, RepTotals> reported, logged;
  std::set<std::string> reported_video;
  for (const auto& p : payloads) {
    for (const auto& d : p["downloads"]) {
      RepTotals& t = reported[d["representation"].get<std::string>()];
      t.init += d["init_segments"].get<std::uint64_t>();
      t.media += d["media_segments"].get<std::uint64_t>();
      t.bytes += d["bytes"].get<std::uint64_t>();
    }
    if (p.contains("video")) reported_video.insert(p["video"]["id"].get<std::string>());
  }
  const std::regex segment(R"(/(init|chunk)-stream(\d+)[-.])");
  for (const auto& r : read_jsonl(dir / "requests.jsonl")) {
    std::smatch m;
    const std::string path = r["path"].get<std::string>();
    if (!std::regex_search(path, m, segment)) continue;
    CAPTURE(path);
    CHECK(r["status"].get<int>() / 100 == 2);
    RepTotals& t = logged[m[2].str()];
    ++(m[1] == "init" ? t.init : t.media);
    t.bytes += r["bytes"].get<std::uint64_t>();
  }
  INFO("reported " << describe(reported));
  INFO("logged   " << describe(logged));
  CHECK(reported == logged);
  CHECK(payloads.back()["bytes_downloaded"].get<std::uint64_t>() > 0);
  // Every video representation a heartbeat named was one whose segments the origin served.
  REQUIRE_FALSE(reported_video.empty());
  for (const auto& id : reported_video) {
    CAPTURE(id);
    CHECK(logged[id].media > 0);
  }
  std::filesystem::remove_all(dir);
}

TEST_CASE("a collector that answers 500, then is slow, does not disturb playback and loses nothing once back",
          "[api][telemetry]") {
  auto origin = serve();
  Collector collector;
  collector.set_status(500);
  PlayerConfig c;  // real time, so that the failures fall during playback
  c.telemetry_url = collector.url();
  c.telemetry_interval = 300ms;
  {
    PlayerSession p(c);
    p.load(manifest_url(*origin));
    // 500 for the first two POSTs (the reporter backs off 1 s, then 2 s), then slow: the next POST
    // is held unanswered for 1.5 s of playback, then answered; from then on the collector is healthy.
    REQUIRE(collector.wait_arrivals(2, 20s));
    collector.hold(true);
    collector.set_status(204);
    REQUIRE(collector.wait_arrivals(3, 20s));
    std::this_thread::sleep_for(1500ms);  // the fault's length, not a synchronisation
    collector.hold(false);
    INFO(states(p.rec.events()));
    REQUIRE(p.rec.wait([](const auto& ev) { return has_event(ev, PlayerEvent::Kind::kTelemetrySent); }));
    const auto events = p.rec.events();
    CHECK(Recorder::reached(events, PlayerState::kEnded));
    CHECK(Recorder::first_error(events) == nullptr);
    for (const auto& e : events) {
      if (e.kind == PlayerEvent::Kind::kTelemetrySent) CHECK(e.error.code == ErrorCode::kOk);
    }
    // Playback as if nothing happened: every frame reached presentation (on a loaded machine a
    // real-time sink may drop a late one: counted, never lost), no stall.
    const auto s = p.player.stats();
    CAPTURE(s.frames_presented, s.frames_dropped);
    CHECK(s.frames_presented + s.frames_dropped == 200);
    CHECK(s.stalls == 0);
    p.player.set_listener(nullptr);
  }
  // Nothing lost: the payloads the collector accepted hold every seq, in order of first arrival,
  // final last. Delivery is at least once: a POST that flush() cancels after the collector took it
  // is sent again, so a seq may repeat (a collector keeps the first; abrplay-origin's does).
  const auto bodies = collector.bodies();
  const auto statuses = collector.statuses();
  REQUIRE(bodies.size() == statuses.size());
  std::vector<int> seqs;
  bool batched = false;
  Json last;
  for (std::size_t i = 0; i < bodies.size(); ++i) {
    if (statuses[i] / 100 != 2) continue;
    const auto list = payloads_of(bodies[i]);
    batched = batched || list.size() > 1;
    for (const auto& p : list) {
      const int seq = p["seq"].get<int>();
      if (std::find(seqs.begin(), seqs.end(), seq) == seqs.end()) seqs.push_back(seq);
      last = p;
    }
  }
  INFO("accepted seqs in order of arrival: " << [&] {
    std::string out;
    for (int q : seqs) out += std::to_string(q) + " ";
    return out;
  }());
  REQUIRE_FALSE(seqs.empty());
  for (std::size_t i = 0; i < seqs.size(); ++i) CHECK(seqs[i] == static_cast<int>(i));
  CHECK(last["event"] == "final");
  CHECK(batched);  // what failed went again in a batch
  CHECK(seqs.size() >= 10);
}

TEST_CASE("a collector that is down for the whole session: playback ends normally, the loss is reported",
          "[api][telemetry]") {
  auto origin = serve();
  std::string url;
  {
    Collector gone;  // a port that was just free: nothing listens there any more
    url = gone.url();
  }
  PlayerConfig c = max_speed();
  c.telemetry_url = url;
  c.telemetry_interval = 100ms;
  c.telemetry_flush_deadline = 500ms;
  std::vector<PlayerEvent> events;
  const auto t0 = std::chrono::steady_clock::now();
  {
    PlayerSession p(c);
    p.load(manifest_url(*origin));
    REQUIRE(p.rec.wait([](const auto& ev) { return has_event(ev, PlayerEvent::Kind::kTelemetrySent); }));
    CHECK(p.player.stats().frames_presented == 200);
    CHECK(p.player.stats().stalls == 0);
    p.player.set_listener(nullptr);
    events = p.rec.events();  // all there are: the listener is gone
  }
  CHECK(std::chrono::steady_clock::now() - t0 < 20s);
  CHECK(Recorder::reached(events, PlayerState::kEnded));
  CHECK(Recorder::first_error(events) == nullptr);
  for (const auto& e : events) {
    if (e.kind == PlayerEvent::Kind::kTelemetrySent) CHECK(e.error.code == ErrorCode::kNetworkTimeout);
  }
}

}  // namespace abrplay::test
