// Playback API, telemetry collector and the request log.
#include <catch2/catch.hpp>

#include <fstream>

#include <nlohmann/json.hpp>
#include <pugixml.hpp>

#include "http_client.h"
#include "origin_fixture.h"
#include "play_request.h"

namespace abrplay::origin::test {

namespace {

using Json = nlohmann::json;

struct Api {
  ContentFixture content;
  std::unique_ptr<Origin> origin;
  explicit Api(std::size_t cdns = 2, const std::string& telemetry_out = "", const std::string& log = "") {
    OriginConfig config;
    config.roots = {content.dir().string()};
    config.cdns.resize(cdns);
    config.token = "secret";
    config.telemetry_out = telemetry_out;
    config.log_path = log;
    origin = start_origin(config);
  }
  HttpResult play(const std::string& body, std::vector<std::string> headers = {}) const {
    return http_post(origin->url(0) + "play", body, std::move(headers));
  }
};

}  // namespace

TEST_CASE("POST /play returns the manifest URL for the device, the CDN list and the telemetry URL", "[origin][api]") {
  Api api;
  const HttpResult r = api.play(R"({"token": "secret", "content": "vod",
                                    "device": {"codecs": ["avc1.64001f", "mp4a"], "max_height": 720}})");
  REQUIRE(r.status == 200);
  CHECK(r.header("content-type") == "application/json");
  const Json j = Json::parse(r.body);
  CHECK(j["manifest_url"] == api.origin->url(0) + "vod/manifest.mpd?codecs=avc1,mp4a&max_height=720");
  REQUIRE(j["cdns"].size() == 2);
  CHECK(j["cdns"][1]["name"] == "cdn-1");
  CHECK(j["cdns"][1]["base_url"] == api.origin->url(1));
  CHECK(j["telemetry_url"] == api.origin->url(0) + "telemetry");
  CHECK(j["heartbeat_interval_s"] == 10);
  CHECK_FALSE(j["session_id"].get<std::string>().empty());

  // The manifest it names is filtered for the device: no HEVC, nothing above 720p; text kept.
  const HttpResult mpd = http_get(j["manifest_url"].get<std::string>());
  REQUIRE(mpd.status == 200);
  pugi::xml_document doc;
  REQUIRE(doc.load_string(mpd.body.c_str()));
  std::vector<std::string> reps;
  for (auto x : doc.select_nodes("//Representation")) reps.push_back(x.node().attribute("id").as_string());
  CHECK(reps == std::vector<std::string>{"v240", "a", "sub"});
}

TEST_CASE("POST /play picks content by device: HEVC devices get the hevc folder when it exists", "[origin][api]") {
  Api api(1);
  api.content.write("hevc/manifest.mpd", "<MPD/>");
  api.content.write("number/manifest.mpd", "<MPD/>");
  auto manifest = [&](const std::string& codecs) {
    const HttpResult r = api.play(R"({"token": "secret", "device": {"codecs": )" + codecs + "}}");
    REQUIRE(r.status == 200);
    return Json::parse(r.body)["manifest_url"].get<std::string>();
  };
  CHECK(manifest(R"(["hev1", "mp4a"])").find("/hevc/manifest.mpd?") != std::string::npos);
  CHECK(manifest(R"(["avc1", "mp4a"])").find("/number/manifest.mpd?") != std::string::npos);
}

TEST_CASE("POST /play with a bad or missing token gets 401", "[origin][api]") {
  Api api(1);
  const HttpResult bad = api.play(R"({"token": "guess"})");
  CHECK(bad.status == 401);
  CHECK(bad.header("www-authenticate") == "Bearer");
  CHECK(Json::parse(bad.body)["error"] == "invalid token");
  CHECK(api.play(R"({"content": "vod"})").status == 401);
  CHECK(api.play(R"({"content": "vod"})", {"Authorization: Bearer secret"}).status == 200);
}

TEST_CASE("POST /play with a malformed body gets 400 naming the field, unknown content 404", "[origin][api]") {
  Api api(1);
  auto error_of = [&](const std::string& body, long status) {
    const HttpResult r = api.play(body);
    CHECK(r.status == status);
    return Json::parse(r.body)["error"].get<std::string>();
  };
  CHECK(error_of("not json", 400) == "body: expected a JSON object");
  CHECK(error_of(R"({"token": "secret", "device": {"max_height": "tall"}})", 400) ==
        "device.max_height: expected an integer in 1..8640");
  CHECK(error_of(R"({"token": "secret", "device": {"codecs": ["avc1", 7]}})", 400) ==
        "device.codecs[1]: expected a string");
  CHECK(error_of(R"({"token": "secret", "content": "nope"})", 404) ==
        "content: no nope/manifest.mpd under the origin's roots");
}

TEST_CASE("POST /telemetry stores heartbeats as JSONL, GET /telemetry/sessions summarises them",
          "[origin][telemetry]") {
  ContentFixture out(1);
  const std::string jsonl = (out.dir() / "telemetry.jsonl").string();
  {
    Api api(1, jsonl);
    const std::string url = api.origin->url(0) + "telemetry";
    CHECK(http_post(url, R"({"session_id": "s1", "bitrate_kbps": 750, "stalls": 0})").status == 204);
    CHECK(http_post(url, R"({"session_id": "s1", "bitrate_kbps": 2850, "stalls": 1})").status == 204);
    CHECK(http_post(url, R"({"session_id": "s1", "bitrate_kbps": 1200, "stalls": 1, "event": "final"})").status == 204);
    CHECK(http_post(url, R"([{"session_id": "s2", "seq": 0}, {"session_id": "s2", "buffer_s": 12.5}])").status == 204);
    // A repeat (the same session and seq, sent again after a cancelled POST): accepted, stored once.
    CHECK(http_post(url, R"({"session_id": "s2", "seq": 0, "buffer_s": 99})").status == 204);
    CHECK(http_post(url, "[1, 2]").status == 400);
    CHECK(http_post(url, "[]").status == 400);
    CHECK(http_post(url, R"([{"session_id": "s3"}, {"bitrate_kbps": 1}])").status == 400);  // refused whole
    CHECK(http_post(url, R"({"bitrate_kbps": 1})").status == 400);
    CHECK(http_post(url, R"({"session_id": ")" + std::string(70'000, 'x') + R"("})").status == 413);

    const HttpResult r = http_get(api.origin->url(0) + "telemetry/sessions");
    REQUIRE(r.status == 200);
    const Json sessions = Json::parse(r.body);
    REQUIRE(sessions.size() == 2);
    const Json& s1 = sessions[0];
    CHECK(s1["session_id"] == "s1");
    CHECK(s1["heartbeats"] == 3);
    CHECK(s1["ended"] == true);
    CHECK(s1["numeric"]["bitrate_kbps"]["min"] == 750);
    CHECK(s1["numeric"]["bitrate_kbps"]["max"] == 2850);
    CHECK(s1["numeric"]["bitrate_kbps"]["last"] == 1200);
    CHECK(s1["numeric"]["stalls"]["max"] == 1);
    CHECK(sessions[1]["heartbeats"] == 2);
    CHECK(sessions[1]["ended"] == false);
    CHECK(sessions[1]["last"]["buffer_s"] == 12.5);
  }
  std::ifstream in(jsonl);
  std::string line;
  std::vector<Json> lines;
  while (std::getline(in, line)) lines.push_back(Json::parse(line));
  REQUIRE(lines.size() == 5);
  CHECK(lines[1]["bitrate_kbps"] == 2850);
  CHECK(lines[3]["seq"] == 0);
  CHECK(lines[4]["session_id"] == "s2");
  CHECK(lines[4].contains("received"));
}

TEST_CASE("the request log has one JSON line per request, with CMCD from query and headers", "[origin][log]") {
  ContentFixture out(1);
  const std::string log = (out.dir() / "requests.jsonl").string();
  {
    Api api(1, "", log);
    HttpRequest req{api.origin->url(0) + "vod/seg-v240-2.m4s?CMCD=br%3D300%2Cot%3Dv%2Csid%3D%22abc%22"};
    req.headers = {"CMCD-Request: bl=21300", "CMCD-Session: su"};
    req.range = "0-3";
    REQUIRE(http(req).status == 206);
    REQUIRE(http_get(api.origin->url(0) + "missing").status == 404);
  }
  std::ifstream in(log);
  std::string line;
  std::vector<Json> lines;
  while (std::getline(in, line)) lines.push_back(Json::parse(line));
  REQUIRE(lines.size() == 2);
  // Lines are written when each response completes; two connections may finish in either order.
  if (lines[0]["status"] == 404) std::swap(lines[0], lines[1]);
  const Json& seg = lines[0];
  CHECK(seg["path"] == "/vod/seg-v240-2.m4s");
  CHECK(seg["status"] == 206);
  CHECK(seg["range"] == "bytes=0-3");
  CHECK(seg["bytes"] == 4);
  CHECK(seg["cdn"] == 0);
  CHECK(seg["method"] == "GET");
  CHECK(seg["client"].get<std::string>().rfind("127.0.0.1:", 0) == 0);
  CHECK(seg["duration_ms"].get<double>() >= 0);
  CHECK(seg["time"].get<std::string>().size() == 24);
  CHECK(seg["cmcd"] == Json{{"br", 300}, {"ot", "v"}, {"sid", "abc"}, {"bl", 21300}, {"su", true}});
  CHECK(lines[1]["status"] == 404);
  CHECK_FALSE(lines[1].contains("cmcd"));
}

TEST_CASE("CMCD payloads parse into typed values, malformed pairs are skipped", "[origin][log]") {
  CHECK(parse_cmcd(R"(bl=21300,br=3200,d=4004.5,ot=v,sid="a,b",bs)") ==
        Json{{"bl", 21300}, {"br", 3200}, {"d", 4004.5}, {"ot", "v"}, {"sid", "a,b"}, {"bs", true}});
  CHECK(parse_cmcd(",=x,,k=") == Json{{"k", ""}});
}

TEST_CASE("parse_play_request: the token is checked before the device, content is normalised", "[origin][api]") {
  const auto ok =
      parse_play_request(R"({"content": "/vod", "device": {"codecs": ["avc1.64001f", "hvc1"], "max_height": 8640}})",
                         "Bearer secret", "secret");
  REQUIRE(ok);
  CHECK(ok->manifest == "vod/manifest.mpd");
  CHECK(ok->device.codecs == std::vector<std::string>{"avc1", "hvc1"});
  CHECK(ok->device.max_height == 8640);
  CHECK_FALSE(parse_play_request(R"({"token": "secret"})", "", "secret")->manifest);

  auto error_of = [](const std::string& body) {
    const auto r = parse_play_request(body, "", "secret");
    REQUIRE_FALSE(r);
    return std::to_string(r.error().status) + " " + r.error().message;
  };
  CHECK(error_of("[]") == "400 body: expected a JSON object");
  CHECK(error_of(R"({"token": 7})") == "400 token: expected a string");
  CHECK(error_of(R"({"token": "guess", "device": 1})") == "401 invalid token");
  CHECK(error_of(R"({"token": "secret", "device": {"max_height": 8641}})") ==
        "400 device.max_height: expected an integer in 1..8640");
  CHECK(error_of(R"({"token": "secret", "device": {"codecs": ["avc1", "a/b"]}})") ==
        "400 device.codecs[1]: not a codec name");
  CHECK(error_of(R"({"token": "secret", "content": ["vod"]})") == "400 content: expected a string");
}

}  // namespace abrplay::origin::test
