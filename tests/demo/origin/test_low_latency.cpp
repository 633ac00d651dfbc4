// Low-latency live: CMAF chunks found in a segment, published on the live clock, served with
// chunked transfer while the segment is being "encoded"; the MPD's LL signalling.
#include <catch2/catch.hpp>

#include <fstream>
#include <future>
#include <iterator>
#include <thread>

#include <pugixml.hpp>

#include "http_client.h"
#include "low_latency.h"
#include "origin_fixture.h"

namespace abrplay::origin::test {

namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

const WallTime kLlAst = WallTime(seconds(1'800'000'000));

std::string box(const std::string& type, std::size_t payload, char fill = 'x') {
  const std::size_t size = 8 + payload;
  std::string b;
  for (int shift = 24; shift >= 0; shift -= 8) b += static_cast<char>((size >> shift) & 0xff);
  return b + type + std::string(payload, fill);
}

// styp, then `chunks` times sidx + moof + mdat: a CMAF segment as a chunked packager writes it.
std::string cmaf_segment(int chunks, std::size_t mdat_bytes) {
  std::string s = box("styp", 16);
  for (int i = 0; i < chunks; ++i) s += box("sidx", 44) + box("moof", 92) + box("mdat", mdat_bytes, char('a' + i));
  return s;
}

LowLatencyParams ll(milliseconds chunk) {
  LowLatencyParams p;
  p.enabled = true;
  p.chunk = chunk;
  return p;
}

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace

TEST_CASE("CMAF chunks end at each top-level mdat: headers before it travel with it", "[origin][live][ll]") {
  const std::string seg = cmaf_segment(4, 1000);
  const auto ends = cmaf_chunk_ends(*memory_body(seg));
  REQUIRE(ends);
  const std::uint64_t chunk = 52 + 100 + 1008;
  CHECK(*ends == std::vector<std::uint64_t>{24 + chunk, 24 + 2 * chunk, 24 + 3 * chunk, 24 + 4 * chunk});
  // Boxes after the last mdat go with the last chunk; a body without mdat is one chunk.
  const auto trailing = cmaf_chunk_ends(*memory_body(seg + box("free", 10)));
  REQUIRE(trailing);
  CHECK(trailing->back() == seg.size() + 18);
  CHECK(trailing->size() == 4);
  const auto init = cmaf_chunk_ends(*memory_body(box("ftyp", 20) + box("moov", 200)));
  REQUIRE(init);
  CHECK(*init == std::vector<std::uint64_t>{236});
}

TEST_CASE("a segment that is not a box sequence is an error naming the byte", "[origin][live][ll]") {
  const auto text = cmaf_chunk_ends(*memory_body("segment v240 3"));
  REQUIRE_FALSE(text);
  CHECK(text.error().find("box at byte 0") != std::string::npos);
  std::string cut = cmaf_segment(2, 100);
  cut.resize(cut.size() - 1);
  const auto short_body = cmaf_chunk_ends(*memory_body(cut));
  REQUIRE_FALSE(short_body);
  CHECK(short_body.error().find("'mdat' box at byte") != std::string::npos);
  CHECK(short_body.error().find("runs past the end") != std::string::npos);
  CHECK_FALSE(cmaf_chunk_ends(*memory_body(std::string("\0\0\0\4abcd", 8))));  // size below its header
}

TEST_CASE("chunk j of n becomes available at start + (j + 1) of n of the segment", "[origin][live][ll]") {
  const auto t = chunk_availability(kLlAst + seconds(4), kLlAst + seconds(6), 4);
  CHECK(t == std::vector<WallTime>{kLlAst + milliseconds(4500), kLlAst + seconds(5), kLlAst + milliseconds(5500),
                                   kLlAst + seconds(6)});
}

TEST_CASE("the low-latency MPD: ServiceDescription, availabilityTimeOffset, the segment in progress listed",
          "[origin][live][ll]") {
  ContentFixture content;
  const std::string tl = slurp(content.file("tl/manifest.mpd"));
  auto idx = LiveIndex::parse(tl, "tl.mpd");
  REQUIRE(idx);
  LiveParams p{kLlAst, seconds(30), "http://127.0.0.1:1/utc", {}};
  p.low_latency = ll(milliseconds(500));
  p.low_latency.target_latency = milliseconds(2500);
  // 2 s segments of 0.5 s chunks: each is published 1.5 s before its end, with its first chunk.
  CHECK(idx->availability_offset(p) == milliseconds(1500));
  CHECK(idx->check("seg-v240-2000.m4s", p, kLlAst + milliseconds(2499)) == LiveAvailability::kNotYet);
  CHECK(idx->check("seg-v240-2000.m4s", p, kLlAst + milliseconds(2500)) == LiveAvailability::kAvailable);
  const auto span = idx->span("seg-v240-2000.m4s");
  REQUIRE(span);
  CHECK(span->start == seconds(2));
  CHECK(span->end == seconds(4));
  CHECK_FALSE(idx->span("init-v240.m4s"));

  auto live = idx->render(tl, p, kLlAst + milliseconds(2600));
  REQUIRE(live);
  pugi::xml_document doc;
  REQUIRE(doc.load_string(live->c_str()));
  const auto mpd = doc.child("MPD");
  const auto sd = mpd.child("ServiceDescription");
  REQUIRE(sd);
  CHECK(sd.child("Latency").attribute("target").as_int() == 2500);
  CHECK(sd.child("PlaybackRate").attribute("max").as_double() == Approx(1.1));
  CHECK(std::string(sd.next_sibling().name()) == "Period");  // the schema's order
  const auto tmpl = doc.select_node("//AdaptationSet[@id='0']/SegmentTemplate").node();
  CHECK(std::string(tmpl.attribute("availabilityTimeOffset").as_string()) == "1.500");
  CHECK(std::string(tmpl.attribute("availabilityTimeComplete").as_string()) == "false");
  // Segment [2, 4) s is being encoded at 2.6 s: listed, as its first chunk is out.
  std::vector<long long> t;
  for (auto s : doc.select_node("//AdaptationSet[@id='0']//SegmentTimeline").node().children("S"))
    t.push_back(s.attribute("t").as_llong());
  CHECK(t == std::vector<long long>{0, 2000});

  // Without low latency, nothing of this.
  p.low_latency.enabled = false;
  CHECK(idx->availability_offset(p) == milliseconds(0));
  auto plain = idx->render(tl, p, kLlAst + milliseconds(2600));
  REQUIRE(plain);
  CHECK(plain->find("availabilityTimeOffset") == std::string::npos);
  CHECK(plain->find("<Latency") == std::string::npos);
}

TEST_CASE("a segment being encoded is sent chunk by chunk as the live clock publishes them", "[origin][live][ll]") {
  ContentFixture content;
  const std::string seg = cmaf_segment(4, 20'000);
  content.write("vod/seg-v240-3.m4s", seg);  // covers [4, 6) s: chunks at 4.5, 5, 5.5 and 6 s
  OriginConfig config;
  config.roots = {content.dir().string()};
  config.live = true;
  config.live_window = seconds(10);
  config.live_preroll = seconds(0);
  config.low_latency = ll(milliseconds(500));
  FakeWallClock start_clock(kLlAst);  // AST = the start, in whole seconds
  config.wall_clock = start_clock.function();
  auto origin = start_origin(config);
  REQUIRE(origin->availability_start() == kLlAst);
  start_clock.advance(milliseconds(4400));

  const std::string url = origin->url(0) + "vod/seg-v240-3.m4s";
  CHECK(http_get(url).status == 404);      // before its first chunk
  start_clock.advance(milliseconds(100));  // 4.5 s: the first chunk is out
  auto pending = std::async(std::launch::async, [&] { return http_get(url); });
  // The rest waits for the clock: three more chunks, 0.5 s of live time apart.
  for (int i = 0; i < 3; ++i) {
    CHECK(pending.wait_for(milliseconds(150)) == std::future_status::timeout);
    start_clock.advance(milliseconds(500));
  }
  REQUIRE(pending.wait_for(seconds(5)) == std::future_status::ready);
  const HttpResult r = pending.get();
  CHECK(r.status == 200);
  CHECK(r.header("transfer-encoding") == "chunked");
  CHECK(r.body == seg);

  // Once complete it is an ordinary file: a length, and ranges.
  const HttpResult done = http_get(url);
  CHECK(done.header("content-length") == std::to_string(seg.size()));
  CHECK(done.body == seg);

  // A segment that is not CMAF cannot be cut into chunks: a clear error while it is being encoded.
  start_clock.advance(milliseconds(600));  // 6.6 s: segment 4 [6, 8) is being encoded
  const HttpResult bad = http_get(origin->url(0) + "vod/seg-v240-4.m4s");
  CHECK(bad.status == 500);
  INFO(bad.body);
  CHECK(bad.body.find("low-latency live: /vod/seg-v240-4.m4s: 'ent ' box at byte 0") == 0);
  CHECK(bad.body.find("runs past the end of the segment (14 bytes)") != std::string::npos);
}

}  // namespace abrplay::origin::test
