// Several CDNs: one port each, their own trace and faults, and MPDs that list them all.
#include <catch2/catch.hpp>

#include <pugixml.hpp>

#include "abrplay/abr/traceio/load_trace.h"
#include "http_client.h"
#include "origin_fixture.h"

namespace abrplay::origin::test {

TEST_CASE("with --cdn 3 every CDN's MPD lists the three as BaseURLs, in CDN order", "[origin][cdn]") {
  ContentFixture content;
  OriginConfig config;
  config.roots = {content.dir().string()};
  config.cdns.resize(3);
  auto origin = start_origin(config);
  REQUIRE(origin->cdn_count() == 3);
  CHECK(origin->listening_line() == "listening http://127.0.0.1:" + std::to_string(origin->port(0)) +
                                        " http://127.0.0.1:" + std::to_string(origin->port(1)) +
                                        " http://127.0.0.1:" + std::to_string(origin->port(2)));
  for (std::size_t served_by = 0; served_by < 3; ++served_by) {
    const HttpResult r = http_get(origin->url(served_by) + "vod/manifest.mpd");
    REQUIRE(r.status == 200);
    pugi::xml_document doc;
    REQUIRE(doc.load_string(r.body.c_str()));
    std::vector<std::string> bases, locations;
    for (auto b : doc.child("MPD").children("BaseURL")) {
      bases.push_back(b.text().as_string());
      locations.push_back(b.attribute("serviceLocation").as_string());
    }
    CHECK(bases == std::vector<std::string>{origin->url(0) + "vod/", origin->url(1) + "vod/", origin->url(2) + "vod/"});
    CHECK(locations == std::vector<std::string>{"cdn-0", "cdn-1", "cdn-2"});
    // BaseURL precedes Period, as the schema requires.
    CHECK(std::string(doc.child("MPD").child("BaseURL").next_sibling().name()) != "ProgramInformation");
  }
}

TEST_CASE("each CDN has its own fault rules: a failing CDN and a healthy one", "[origin][cdn]") {
  ContentFixture content;
  OriginConfig config;
  config.roots = {content.dir().string()};
  config.cdns.resize(2);
  config.cdns[0].faults =
      abrplay::test::fault_plan(R"({"rules": [{"match": "*.m4s", "fault": "status", "status": 503}]})", "cdn0.json");
  auto origin = start_origin(config);
  CHECK(http_get(origin->url(0) + "vod/seg-v240-1.m4s").status == 503);
  CHECK(http_get(origin->url(1) + "vod/seg-v240-1.m4s").status == 200);
}

TEST_CASE("each CDN has its own trace: a 2 Mbps CDN and an unshaped one", "[origin][cdn]") {
  ContentFixture content(125'000);  // 1 Mbit: 0.5 s at 2 Mbps
  OriginConfig config;
  config.roots = {content.dir().string()};
  config.cdns.resize(2);
  auto trace = abr::load_trace_file(data_file("constant_2mbps.txt"));
  REQUIRE(trace);
  config.cdns[0].trace = *trace;
  auto origin = start_origin(config);
  const HttpResult slow = http_get(origin->url(0) + "blob.bin");
  const HttpResult fast = http_get(origin->url(1) + "blob.bin");
  REQUIRE(slow.curl_code == 0);
  REQUIRE(fast.curl_code == 0);
  CHECK(slow.total_s == Approx(0.5).epsilon(0.1));
  CHECK(fast.total_s < 0.25);
}

}  // namespace abrplay::origin::test
