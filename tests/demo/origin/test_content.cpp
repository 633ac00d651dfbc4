// Serving files: content types, byte ranges, HEAD, and the 4xx answers to malformed requests.
#include <catch2/catch.hpp>

#include "http_client.h"
#include "origin_fixture.h"

namespace abrplay::origin::test {

namespace {
struct Served {
  ContentFixture content{4096};
  std::unique_ptr<Origin> origin;
  Served() {
    OriginConfig config;
    config.roots = {content.dir().string()};
    origin = start_origin(config);
  }
  std::string url(const std::string& path) const { return origin->url(0) + path; }
};
}  // namespace

TEST_CASE("files are served whole with their content type", "[origin][content]") {
  Served s;
  const HttpResult mpd = http_get(s.url("vod/manifest.mpd"));
  CHECK(mpd.status == 200);
  CHECK(mpd.header("content-type") == "application/dash+xml");
  CHECK(mpd.header("accept-ranges") == "bytes");
  CHECK(mpd.body.find("<MPD") != std::string::npos);
  const HttpResult seg = http_get(s.url("vod/seg-v240-3.m4s"));
  CHECK(seg.status == 200);
  CHECK(seg.header("content-type") == "video/iso.segment");
  CHECK(seg.body == "segment v240 3");
  CHECK(http_get(s.url("vod/subs.vtt")).header("content-type") == "text/vtt");
  const HttpResult blob = http_get(s.url("blob.bin"));
  CHECK(blob.body == s.content.blob());
  CHECK(blob.header("content-type") == "application/octet-stream");
}

TEST_CASE("media files and MPDs carry Cache-Control and an ETag, and a matching If-None-Match gets 304",
          "[origin][content][cache]") {
  Served s;
  const HttpResult seg = http_get(s.url("vod/seg-v240-3.m4s"));
  CHECK(seg.status == 200);
  CHECK(seg.header("cache-control") == "max-age=86400");
  const std::string etag = seg.header("etag");
  REQUIRE(etag.size() > 2);
  CHECK(etag.front() == '"');
  CHECK(etag != http_get(s.url("vod/seg-v240-4.m4s")).header("etag"));

  HttpRequest again{s.url("vod/seg-v240-3.m4s")};
  again.headers = {"If-None-Match: \"other\", " + etag};
  const HttpResult not_modified = http(again);
  CHECK(not_modified.status == 304);
  CHECK(not_modified.body.empty());
  CHECK(not_modified.header("etag") == etag);
  again.headers = {"If-None-Match: \"other\""};
  const HttpResult modified = http(again);
  CHECK(modified.status == 200);
  CHECK(modified.body == "segment v240 3");

  const HttpResult mpd = http_get(s.url("vod/manifest.mpd"));
  CHECK(mpd.header("cache-control") == "max-age=60");
  const std::string mpd_etag = mpd.header("etag");
  CHECK(mpd_etag.rfind("W/\"", 0) == 0);
  HttpRequest mpd_again{s.url("vod/manifest.mpd")};
  mpd_again.headers = {"If-None-Match: " + mpd_etag};
  CHECK(http(mpd_again).status == 304);
  // Another rendering (a device filter) is another document.
  CHECK(http_get(s.url("vod/manifest.mpd?max_height=240")).header("etag") != mpd_etag);
}

TEST_CASE("byte ranges get 206 with Content-Range and exactly the bytes asked for", "[origin][content]") {
  Served s;
  const std::string blob = s.content.blob();
  HttpRequest req{s.url("blob.bin")};
  req.range = "100-1099";
  HttpResult r = http(req);
  CHECK(r.status == 206);
  CHECK(r.header("content-range") == "bytes 100-1099/4096");
  CHECK(r.body == blob.substr(100, 1000));
  req.range = "4000-";
  r = http(req);
  CHECK(r.status == 206);
  CHECK(r.body == blob.substr(4000));
  req.range = "-10";  // the last ten bytes
  r = http(req);
  CHECK(r.status == 206);
  CHECK(r.body == blob.substr(4086));
}

TEST_CASE("a range past the end gets 416 with the size in Content-Range", "[origin][content]") {
  Served s;
  HttpRequest req{s.url("blob.bin")};
  req.range = "5000-6000";
  const HttpResult r = http(req);
  CHECK(r.status == 416);
  CHECK(r.header("content-range") == "bytes */4096");
}

TEST_CASE("HEAD gives the headers of GET without a body", "[origin][content]") {
  Served s;
  HttpRequest req{s.url("blob.bin")};
  req.method = "HEAD";
  const HttpResult r = http(req);
  CHECK(r.status == 200);
  CHECK(r.header("content-length") == "4096");
  CHECK(r.body.empty());
}

TEST_CASE("malformed requests get the right 4xx and the origin keeps serving", "[origin][content]") {
  Served s;
  CHECK(http_get(s.url("missing.m4s")).status == 404);
  CHECK(http_get(s.url("../etc/passwd")).status == 400);
  CHECK(http_get(s.url("vod/../../etc/passwd")).status == 400);
  CHECK(http_get(s.url("vod/%2e%2e/%2e%2e/etc/passwd")).status == 400);
  CHECK(http_post(s.url("vod/manifest.mpd"), "{}").status == 405);
  HttpRequest del{s.url("blob.bin")};
  del.method = "DELETE";
  CHECK(http(del).status == 405);
  CHECK(http_get(s.url("vod/manifest.mpd?max_height=abc")).status == 400);
  CHECK(http_get(s.url("blob.bin")).status == 200);
}

TEST_CASE("?xlink= serves the MPD with remote elements, and each element on its own", "[origin][content][xlink]") {
  Served s;
  const HttpResult whole = http_get(s.url("vod/manifest.mpd"));
  const HttpResult split = http_get(s.url("vod/manifest.mpd?xlink=periods"));
  REQUIRE(split.status == 200);
  CHECK(split.body.find(R"(xlink:href="manifest.mpd?xlink-element=period-0")") != std::string::npos);
  CHECK(split.body.find("<AdaptationSet") == std::string::npos);
  const HttpResult period = http_get(s.url("vod/manifest.mpd?xlink-element=period-0"));
  REQUIRE(period.status == 200);
  CHECK(period.body.rfind("<Period", 0) == 0);
  CHECK(period.body.find("<AdaptationSet") != std::string::npos);
  const HttpResult sets = http_get(s.url("vod/manifest.mpd?xlink=adaptation-sets&max_height=240"));
  REQUIRE(sets.status == 200);
  CHECK(sets.body.find(R"(xlink:href="manifest.mpd?max_height=240&amp;xlink-element=adaptation-set-0-0")") !=
        std::string::npos);
  const HttpResult set = http_get(s.url("vod/manifest.mpd?max_height=240&xlink-element=adaptation-set-0-0"));
  REQUIRE(set.status == 200);
  CHECK(set.body.rfind("<AdaptationSet", 0) == 0);
  CHECK(whole.body.find("<AdaptationSet") != std::string::npos);
  // Unknown splits and elements.
  CHECK(http_get(s.url("vod/manifest.mpd?xlink=segments")).status == 400);
  CHECK(http_get(s.url("vod/manifest.mpd?xlink-element=period-9")).status == 404);
  CHECK(http_get(s.url("vod/manifest.mpd?xlink-element=adaptation-set-0-99")).status == 404);
  CHECK(http_get(s.url("vod/manifest.mpd?xlink-element=period-0x")).status == 404);
  CHECK(http_get(s.url("vod/manifest.mpd?xlink-element=../../etc")).status == 404);
}

TEST_CASE("roots overlay: the first root holding a path serves it", "[origin][content]") {
  ContentFixture a(10), b(20);
  b.write("only-in-b.txt", "b");
  OriginConfig config;
  config.roots = {a.dir().string(), b.dir().string()};
  auto origin = start_origin(config);
  CHECK(http_get(origin->url(0) + "blob.bin").body.size() == 10);
  CHECK(http_get(origin->url(0) + "only-in-b.txt").body == "b");
}

}  // namespace abrplay::origin::test
