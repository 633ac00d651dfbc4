// The origin's content steering server (steering_script.h): the script, GET /steering over HTTP,
// and the ContentSteering element the MPDs gain.
#include <catch2/catch.hpp>

#include <fstream>

#include <nlohmann/json.hpp>
#include <pugixml.hpp>

#include "http_client.h"
#include "origin_fixture.h"

namespace abrplay::origin::test {

using std::chrono::milliseconds;

TEST_CASE("a steering script answers the step of the moment, from the first step on", "[origin][steering]") {
  auto script = SteeringScript::parse(R"([{"at_s": 1, "priority": ["cdn-0", "cdn-1"], "ttl_s": 2},
      {"at_s": 6, "priority": ["cdn-1", "cdn-0"], "reload_uri": "/steering?phase=2"},
      {"at_s": 9.5, "body": "{broken"}])",
                                      "s.json");
  REQUIRE(script);
  CHECK(script->answer(milliseconds(0)) == R"({"PATHWAY-PRIORITY":["cdn-0","cdn-1"],"TTL":2,"VERSION":1})");
  CHECK(script->answer(milliseconds(5'999)) == R"({"PATHWAY-PRIORITY":["cdn-0","cdn-1"],"TTL":2,"VERSION":1})");
  CHECK(script->answer(milliseconds(6'000)) ==
        R"({"PATHWAY-PRIORITY":["cdn-1","cdn-0"],"RELOAD-URI":"/steering?phase=2","VERSION":1})");
  CHECK(script->answer(milliseconds(9'500)) == "{broken");
  auto object = SteeringScript::parse(
      R"({"default_service_location": "cdn-1", "query_before_start": true, "url": "http://127.0.0.1:9/x",
          "steps": [{"at_s": 0, "priority": ["cdn-1"]}]})",
      "o.json");
  REQUIRE(object);
  CHECK(object->default_service_location == "cdn-1");
  CHECK(object->query_before_start);
  CHECK(object->url == "http://127.0.0.1:9/x");
}

TEST_CASE("a bad steering script is refused with the file, the step and what is wrong", "[origin][steering][bad]") {
  auto error_of = [](const std::string& text) {
    auto s = SteeringScript::parse(text, "s.json");
    REQUIRE_FALSE(s);
    return s.error();
  };
  CHECK(error_of("[") == "s.json: not JSON");
  CHECK(error_of("[]") == "s.json: the steps must be a non-empty array");
  CHECK(error_of(R"([{"priority": ["a"]}])") == "s.json: step 0: 'at_s' is missing");
  CHECK(error_of(R"([{"at_s": 0}])") == "s.json: step 0: give 'priority' or 'body'");
  CHECK(error_of(R"([{"at_s": 0, "priority": ["a"], "ttl": 2}])") == "s.json: step 0: unknown key 'ttl'");
  CHECK(error_of(R"([{"at_s": 3, "priority": ["a"]}, {"at_s": 1, "priority": ["b"]}])") ==
        "s.json: step 1: 'at_s' goes back in time");
  CHECK(error_of(R"({"steps": [{"at_s": 0, "priority": ["a"]}], "query_before": true})") ==
        "s.json: unknown key 'query_before'");
}

TEST_CASE("with a steering script the MPD names the server and GET /steering answers it, logged with its query",
          "[origin][steering]") {
  ContentFixture content;
  const auto log = content.dir() / "requests.jsonl";
  OriginConfig config;
  config.roots = {content.dir().string()};
  config.cdns.resize(2);
  config.log_path = log.string();
  auto script = SteeringScript::parse(
      R"({"default_service_location": "cdn-1", "steps": [{"at_s": 0, "priority": ["cdn-1", "cdn-0"], "ttl_s": 3}]})",
      "s.json");
  REQUIRE(script);
  config.steering = std::make_shared<const SteeringScript>(std::move(*script));
  auto origin = start_origin(config);

  const HttpResult mpd = http_get(origin->url(1) + "vod/manifest.mpd");
  REQUIRE(mpd.status == 200);
  pugi::xml_document doc;
  REQUIRE(doc.load_string(mpd.body.c_str()));
  pugi::xml_node cs = doc.child("MPD").child("ContentSteering");
  REQUIRE(cs);
  CHECK(std::string(cs.text().as_string()) == origin->url(0) + "steering");
  CHECK(std::string(cs.attribute("defaultServiceLocation").as_string()) == "cdn-1");
  CHECK(std::string(cs.attribute("queryBeforeStart").as_string()) == "false");
  CHECK(std::string(cs.next_sibling().name()) == "Period");  // after the BaseURLs, before the Periods

  const HttpResult answer = http_get(origin->url(0) + "steering?_DASH_pathway=%22cdn-1%22&_DASH_throughput=5000000");
  REQUIRE(answer.status == 200);
  const auto j = nlohmann::json::parse(answer.body);
  CHECK(j["VERSION"] == 1);
  CHECK(j["TTL"] == 3);
  CHECK(j["PATHWAY-PRIORITY"] == nlohmann::json::array({"cdn-1", "cdn-0"}));
  origin->stop();
  bool logged = false;
  std::ifstream in(log);
  for (std::string line; std::getline(in, line);) {
    const auto r = nlohmann::json::parse(line);
    if (r["path"] != "/steering") continue;
    logged = true;
    CHECK(r["status"] == 200);
    CHECK(r["query"].get<std::string>().find("_DASH_pathway=\"cdn-1\"") != std::string::npos);
    CHECK(r["query"].get<std::string>().find("_DASH_throughput=5000000") != std::string::npos);
  }
  CHECK(logged);
}

TEST_CASE("a CDN's fault rules apply to /steering like to any path", "[origin][steering][bad]") {
  ContentFixture content;
  OriginConfig config;
  config.roots = {content.dir().string()};
  config.cdns.resize(2);
  config.cdns[0].faults =
      abrplay::test::fault_plan(R"({"rules": [{"match": "/steering", "fault": "status", "status": 503}]})", "f.json");
  auto script = SteeringScript::parse(R"([{"at_s": 0, "priority": ["cdn-1"]}])", "s.json");
  REQUIRE(script);
  config.steering = std::make_shared<const SteeringScript>(std::move(*script));
  auto origin = start_origin(config);
  CHECK(http_get(origin->url(0) + "steering").status == 503);
  CHECK(http_get(origin->url(1) + "steering").status == 200);
}

TEST_CASE("the --steering option names the script, it needs two CDNs, and a bad script is refused naming the file",
          "[origin][steering][options]") {
  auto parse = [](std::vector<const char*> args) {
    args.insert(args.begin(), "abrplay-origin");
    return parse_options(static_cast<int>(args.size()), args.data());
  };
  const std::string example = std::string(ABRPLAY_TEST_DATA_DIR) + "/../../demo/origin/examples/steering-swap.json";
  auto o = parse({"--root", "r", "--cdn", "2", "--steering", example.c_str()});
  REQUIRE(o);
  CHECK(o->steering == example);
  auto c = config_from_options(*o);
  REQUIRE(c);
  REQUIRE(c->steering);
  CHECK(c->steering->steps.size() == 3);
  CHECK(c->steering->default_service_location == "cdn-0");
  auto one_cdn = parse({"--root", "r", "--steering", example.c_str()});
  REQUIRE_FALSE(one_cdn);
  CHECK(one_cdn.error().code == 2);
  CHECK(one_cdn.error().text.find("--steering needs --cdn 2 or more") != std::string::npos);
  ContentFixture dir(1);
  dir.write("bad.json", R"([{"at_s": 0}])");
  OriginOptions bad;
  bad.roots = {dir.dir().string()};
  bad.cdn = 2;
  bad.steering = dir.file("bad.json").string();
  auto refused = config_from_options(bad);
  REQUIRE_FALSE(refused);
  CHECK(refused.error() == "--steering " + dir.file("bad.json").string() + ": step 0: give 'priority' or 'body'");
  dir.write("profile.json", R"({"root": "x", "cdn": 2, "steering": "s.json"})");
  auto profiled = parse({"--profile", dir.file("profile.json").string().c_str()});
  REQUIRE(profiled);
  CHECK(profiled->steering == (dir.dir() / "s.json").string());  // relative to the profile
}

}  // namespace abrplay::origin::test
