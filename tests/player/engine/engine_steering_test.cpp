// Content steering end to end: the engine against abrplay-origin with two CDNs and a steering
// server whose answer changes mid-session (--steering), over real sockets and real time. The
// origin's request log says which CDN served each segment and what each steering request carried.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <atomic>
#include <memory>

#include "free_port.h"
#include "support/origin_session.h"
#include "support/request_log_file.h"

namespace abrplay::engine::test {
namespace {

using Json = nlohmann::json;

// Two CDNs serving `content`, steered by `script` (steering_script.h), requests logged.
origin::OriginConfig steered(const SyntheticContent& content, const std::string& script, const RequestLogFile& log) {
  origin::OriginConfig oc = serving(content);
  oc.cdns.resize(2);
  oc.log_path = log.path.string();
  auto parsed = origin::SteeringScript::parse(script, "script");
  REQUIRE(parsed);
  oc.steering = std::make_shared<const origin::SteeringScript>(std::move(*parsed));
  return oc;
}

// Buffers of 2-3 s, so segments are fetched at the pace of playback and a change of CDN shows
// in the segments that follow it.
EngineConfig paced() {
  EngineConfig cfg;
  cfg.load.min_buffer = std::chrono::seconds(2);
  cfg.load.max_buffer = std::chrono::seconds(3);
  cfg.load.startup_buffer = std::chrono::seconds(1);
  cfg.load.rebuffer_buffer = std::chrono::seconds(1);
  return cfg;
}

bool is_segment(const Json& r) { return r["path"].get<std::string>().find("/seg-") == 0; }

}  // namespace

TEST_CASE("a steering server that swaps the CDNs mid-session moves the segment traffic within one TTL",
          "[engine][network][steering]") {
  ContentSpec spec;
  spec.segments = 32;  // 32 s of media at 4x: 8 s of real time
  SyntheticContent content(spec);
  RequestLogFile log("swap");
  // cdn-0 first until 3 s, then cdn-1; a TTL of 1 s.
  OriginSession h(steered(content, R"({"default_service_location": "cdn-0", "steps": [
      {"at_s": 0, "priority": ["cdn-0", "cdn-1"], "ttl_s": 1},
      {"at_s": 3, "priority": ["cdn-1", "cdn-0"], "ttl_s": 1}]})",
                          log));
  // The application's request hook sees the steering requests too (its headers, CMCD), by their kind.
  EngineConfig cfg = paced();
  auto hooked = std::make_shared<std::atomic<int>>(0);
  cfg.decorate_request = [hooked](net::Request& req, const RequestInfo& info) {
    if (info.kind == DownloadKind::kSteering && req.url.find("/steering") != std::string::npos) ++*hooked;
  };
  h.start(cfg);
  h.open_until(EngineState::kEnded);
  {
    auto lock = h.rec.lock();
    CHECK(h.rec.errors.empty());
    for (const auto& w : h.rec.warnings) CHECK(w.message.find("steering") == std::string::npos);
    // First cdn-0 (the MPD's defaultServiceLocation, then the answers), then a steered move to cdn-1.
    REQUIRE(h.rec.cdn_changes.size() >= 2);
    CHECK(h.rec.cdn_changes.front().base_url == h.server().url(0));
    const CdnChangeEvent& moved = h.rec.cdn_changes.back();
    CHECK(moved.base_url == h.server().url(1));
    CHECK(moved.reason == "steered");
    CHECK(moved.detail.find("steering answer from " + h.server().url(0) + "steering: cdn-1, cdn-0") == 0);
  }
  const auto records = log.records();
  int before = 0, after = 0, steering_requests = 0;
  bool pathway_1 = false, throughput = false;
  for (const auto& r : records) {
    const double t_ms = r["t_ms"].get<double>();
    if (r["path"] == "/steering") {
      ++steering_requests;
      const std::string q = r["query"].get<std::string>();
      if (q.find("_DASH_throughput=") != std::string::npos) throughput = true;
      // The pathway the client reports follows the traffic (a request may catch the move itself).
      if (t_ms < 3'000 && q.find("_DASH_pathway=") != std::string::npos)
        CHECK(q.find("_DASH_pathway=\"cdn-0\"") != std::string::npos);
      if (t_ms > 5'500 && q.find("_DASH_pathway=\"cdn-1\"") != std::string::npos) pathway_1 = true;
      continue;
    }
    if (!is_segment(r)) continue;
    if (t_ms < 3'000) {
      ++before;
      CHECK(r["cdn"] == 0);
    } else if (t_ms > 3'000 + 1'000 + 500) {  // the switch, one TTL, and a request's time in flight
      ++after;
      CHECK(r["cdn"] == 1);
    }
  }
  CHECK(before >= 4);
  CHECK(after >= 8);
  CHECK(steering_requests >= 4);  // one at start, then every TTL
  CHECK(*hooked >= 4);            // each steering request went through the hook (one may end unsent with the session)
  CHECK(*hooked <= steering_requests + 1);
  CHECK(pathway_1);
  CHECK(throughput);
}

TEST_CASE("a bad steering server gives a warning naming it, and playback goes on to the end on the MPD's order",
          "[engine][network][steering][bad]") {
  struct Case {
    const char* name;
    std::string script;
    std::string faults;  // on CDN 0, which serves /steering
    ErrorCode code;
    std::string says;
  };
  const int closed_port = abrplay::test::free_port();
  const std::vector<Case> cases = {
      {"malformed", R"([{"at_s": 0, "body": "{\"VERSION\": 1, \"PATHWAY-PRIORITY\": [\"cdn-1\""}])", "",
       ErrorCode::kManifestInvalidValue, "not JSON"},
      {"too large", R"([{"at_s": 0, "priority": ["cdn-1"]}])",
       R"({"rules": [{"match": "/steering", "fault": "oversize", "bytes": 100000}]})", ErrorCode::kNetworkTooLarge,
       "content steering: steering server"},
      {"redirect loop", R"([{"at_s": 0, "priority": ["cdn-1"]}])",
       R"({"rules": [{"match": "/steering", "fault": "redirect_loop"}]})", ErrorCode::kNetworkRedirect,
       "content steering: steering server"},
      {"unknown pathways", R"([{"at_s": 0, "priority": ["cdn-7", "cdn-9"], "ttl_s": 1}])", "",
       ErrorCode::kManifestInvalidValue,
       "names no pathway of this presentation (cdn-7, cdn-9; the MPD has cdn-0, cdn-1)"},
      {"server down",
       R"({"url": "http://127.0.0.1:)" + std::to_string(closed_port) +
           R"(/steering", "steps": [{"at_s": 0, "priority": ["cdn-1"]}]})",
       "", ErrorCode::kNetworkIo, "content steering: steering server http://127.0.0.1:"},
  };
  for (const auto& c : cases) {
    SECTION(c.name) {
      SyntheticContent content({});
      RequestLogFile log("bad");
      origin::OriginConfig oc = steered(content, c.script, log);
      if (!c.faults.empty()) oc.cdns[0].faults = fault_plan(c.faults);
      OriginSession h(std::move(oc));
      h.start(paced());
      h.open_until(EngineState::kEnded);
      auto warned = [&] {
        for (const auto& w : h.rec.warnings)
          if (w.code == c.code && w.message.find(c.says) != std::string::npos) return true;
        return false;
      };
      CHECK(h.rec.wait(warned, kLimit));
      auto lock = h.rec.lock();
      CHECK(h.rec.errors.empty());
      CHECK(h.rec.media(TrackType::kVideo).size() == 8);  // every segment played
      for (const auto& e : h.rec.cdn_changes) CHECK(e.reason != "steered");
    }
  }
}

TEST_CASE("with content steering off the ContentSteering element is ignored: no steering request, the MPD's order",
          "[engine][network][steering]") {
  SyntheticContent content({});
  RequestLogFile log("off");
  OriginSession h(steered(content, R"({"default_service_location": "cdn-1",
      "steps": [{"at_s": 0, "priority": ["cdn-1", "cdn-0"], "ttl_s": 1}]})",
                          log));
  EngineConfig cfg = paced();
  cfg.content_steering = false;
  h.start(cfg);
  h.open_until(EngineState::kEnded);
  {
    auto lock = h.rec.lock();
    CHECK(h.rec.errors.empty());
    REQUIRE_FALSE(h.rec.cdn_changes.empty());
    CHECK(h.rec.cdn_changes.front().reason == "weighted");
  }
  for (const auto& r : log.records()) CHECK(r["path"] != "/steering");
}

TEST_CASE("with queryBeforeStart the first segment already comes from the pathway the server names",
          "[engine][network][steering]") {
  SyntheticContent content({});
  RequestLogFile log("before-start");
  // The MPD's default says cdn-0; the server says cdn-1, and is asked before the first segment.
  OriginSession h(steered(content, R"({"default_service_location": "cdn-0", "query_before_start": true,
      "steps": [{"at_s": 0, "priority": ["cdn-1", "cdn-0"], "ttl_s": 60}]})",
                          log));
  h.start(paced());
  h.open_until(EngineState::kEnded);
  {
    auto lock = h.rec.lock();
    CHECK(h.rec.errors.empty());
    REQUIRE_FALSE(h.rec.cdn_changes.empty());
    CHECK(h.rec.cdn_changes.front().base_url == h.server().url(1));
    CHECK(h.rec.cdn_changes.front().reason == "steered");
    for (const auto& d : h.rec.downloads)
      if (d.kind == DownloadKind::kMedia || d.kind == DownloadKind::kInit) CHECK(d.base_url == h.server().url(1));
  }
  // By arrival time (t_ms), not by log order: a line is written when its response has gone out, so
  // a short segment can be logged before the steering answer that came first.
  const auto records = log.records();
  double steering = -1, first_segment = -1;
  for (const auto& r : records) {
    const double t = r["t_ms"].get<double>();
    if (r["path"] == "/steering" && (steering < 0 || t < steering)) steering = t;
    if (is_segment(r) && (first_segment < 0 || t < first_segment)) first_segment = t;
  }
  REQUIRE(steering >= 0);
  REQUIRE(first_segment >= 0);
  CHECK(steering < first_segment);
}

}  // namespace abrplay::engine::test
