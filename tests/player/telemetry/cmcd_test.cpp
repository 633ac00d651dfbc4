#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "abrplay/net/url.h"
#include "abrplay/player/telemetry/cmcd.h"
#include "request_log.h"  // the origin's independent CMCD parser, to check the round trip

using abrplay::telemetry::CmcdData;
using abrplay::telemetry::CmcdObject;
namespace tel = abrplay::telemetry;

namespace {
CmcdData segment_request() {
  CmcdData d;
  d.br = abrplay::DataRate::kilobits_per_second(3200);
  d.bl_ms = 21'349;  // rounds to 21300
  d.cid = "movie";
  d.d_ms = 4004;
  d.mtp = abrplay::DataRate::kilobits_per_second(25'449);  // rounds to 25400
  d.nor = "seg-43.m4s";
  d.ot = CmcdObject::kVideo;
  d.sid = "6e2fb550-c457-11e9-bb97-0800200c9a66";
  d.st_live = false;
  d.tb = abrplay::DataRate::kilobits_per_second(6000);
  return d;
}
}  // namespace

TEST_CASE("a CMCD payload has sorted keys, rounded values, quoted strings and bare tokens", "[cmcd]") {
  CHECK(tel::encode(segment_request()) == R"(bl=21300,br=3200,cid="movie",d=4004,mtp=25400,nor="seg-43.m4s",ot=v,sf=d,)"
                                          R"(sid="6e2fb550-c457-11e9-bb97-0800200c9a66",st=v,tb=6000)");
}

TEST_CASE("CMCD booleans: true is the bare key, false is omitted: v=1 and pr=1 are omitted", "[cmcd]") {
  CmcdData d;
  d.sf_dash = false;
  CHECK(tel::encode(d).empty());
  d.su = true;
  d.bs = true;
  d.pr = 1.0;
  CHECK(tel::encode(d) == "bs,su");
  d.pr = 1.5;
  d.v = 2;
  CHECK(tel::encode(d) == "bs,pr=1.5,su,v=2");
}

TEST_CASE("CMCD rounding is to the nearest 100, halves away from zero", "[cmcd]") {
  CmcdData d;
  d.sf_dash = false;
  d.bl_ms = 49;
  d.dl_ms = 150;
  d.mtp = abrplay::DataRate::kilobits_per_second(149);
  d.rtp = abrplay::DataRate::kilobits_per_second(12'351);
  CHECK(tel::encode(d) == "bl=0,dl=200,mtp=100,rtp=12400");
}

TEST_CASE("CMCD strings escape quotes and backslashes and are cut at 64 characters", "[cmcd]") {
  CmcdData d;
  d.sf_dash = false;
  d.cid = R"(a"b\c)";
  CHECK(tel::encode(d) == R"(cid="a\"b\\c")");
  d.cid = std::string(100, 'x');
  CHECK(tel::encode(d) == "cid=\"" + std::string(64, 'x') + "\"");
}

TEST_CASE("negative or absent numbers are never sent", "[cmcd]") {
  CmcdData d;
  d.sf_dash = false;
  d.br = abrplay::DataRate::kilobits_per_second(-5);
  d.bl_ms = -100;
  CHECK(tel::encode(d).empty());
}

TEST_CASE("CMCD headers split the keys into Object, Request, Session and Status", "[cmcd]") {
  CmcdData d = segment_request();
  d.bs = true;
  d.rtp = abrplay::DataRate::kilobits_per_second(5000);
  d.su = true;
  const auto headers = tel::encode_headers(d);
  REQUIRE(headers.size() == 4);
  CHECK(headers[0] == std::pair<std::string, std::string>{"CMCD-Object", "br=3200,d=4004,ot=v,tb=6000"});
  CHECK(headers[1] == std::pair<std::string, std::string>{"CMCD-Request", R"(bl=21300,mtp=25400,nor="seg-43.m4s",su)"});
  CHECK(headers[2] ==
        std::pair<std::string, std::string>{"CMCD-Session",
                                            R"(cid="movie",sf=d,sid="6e2fb550-c457-11e9-bb97-0800200c9a66",st=v)"});
  CHECK(headers[3] == std::pair<std::string, std::string>{"CMCD-Status", "bs,rtp=5000"});
  CmcdData empty;
  empty.sf_dash = false;
  CHECK(tel::encode_headers(empty).empty());
}

TEST_CASE("the origin's CMCD parser reads back every value the encoder wrote", "[cmcd]") {
  CmcdData d = segment_request();
  d.su = true;
  d.pr = 2.0;
  const nlohmann::json parsed = abrplay::origin::parse_cmcd(tel::encode(d));
  CHECK(parsed == nlohmann::json{{"bl", 21300},
                                 {"br", 3200},
                                 {"cid", "movie"},
                                 {"d", 4004},
                                 {"mtp", 25400},
                                 {"nor", "seg-43.m4s"},
                                 {"ot", "v"},
                                 {"pr", 2},
                                 {"sf", "d"},
                                 {"sid", "6e2fb550-c457-11e9-bb97-0800200c9a66"},
                                 {"st", "v"},
                                 {"su", true},
                                 {"tb", 6000}});
}

TEST_CASE("query mode: the payload is one URL-encoded CMCD argument (net::append_query)", "[cmcd]") {
  // net::append_query's own cases (existing query, fragment, bad URLs) are in tests/net/url_test.cpp.
  CmcdData d;
  d.br = abrplay::DataRate::kilobits_per_second(300);
  d.ot = CmcdObject::kVideo;
  d.sid = "abc";
  d.sf_dash = false;
  auto url = abrplay::net::append_query("http://127.0.0.1:8080/vod/seg-1.m4s", "CMCD", tel::encode(d));
  REQUIRE(url.has_value());
  CHECK(*url == "http://127.0.0.1:8080/vod/seg-1.m4s?CMCD=br%3d300%2cot%3dv%2csid%3d%22abc%22");
}

TEST_CASE("CMCD modes parse from their names", "[cmcd]") {
  CHECK(tel::parse_cmcd_mode("query") == abrplay::CmcdMode::kQuery);
  CHECK(tel::parse_cmcd_mode("header") == abrplay::CmcdMode::kHeader);
  CHECK(tel::parse_cmcd_mode("off") == abrplay::CmcdMode::kOff);
  CHECK_FALSE(tel::parse_cmcd_mode("Query").has_value());
}
