// The engine's logic on virtual time (VirtualHarness: the lab's network model and a manual clock
// instead of the origin, libcurl and real time): startup and steady state, the byte cap,
// multi-period, SegmentBase, ABR switching under a step trace, and abandonment of a stalled
// download. Each case runs in milliseconds, whatever the load on the machine. The engine against
// real sockets and real time: engine_vod_test.cpp, engine_network_test.cpp, engine_live_test.cpp.
#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <map>

#include "abrplay/abr/algorithm/fixed.h"
#include "abrplay/abr/algorithm/registry.h"
#include "sidx_builder.h"
#include "support/virtual_harness.h"

namespace abrplay::engine::test {

namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// The synthetic presentation's MPD, as text (tests edit it and write it back).
std::string manifest_text(const SyntheticContent& content) {
  std::ifstream in(content.dir() / "manifest.mpd");
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

std::vector<EngineState> state_path(const Recorder& rec) {
  std::vector<EngineState> out;
  for (const auto& s : rec.states) out.push_back(s.to);
  return out;
}

}  // namespace

TEST_CASE("virtual time: VOD loads, starts after the startup buffer, fetches every segment in order and ends",
          "[engine][vod][virtual]") {
  SyntheticContent content({});  // 8 x 1 s; video 200k/800k, audio 64k
  lab::LabLinkParams link;
  link.rtt = milliseconds(40);
  VirtualHarness h(content, link);
  h.start();
  REQUIRE(h.load("manifest.mpd").code == ErrorCode::kOk);
  REQUIRE(h.run_until_state(EngineState::kEnded));
  CHECK(state_path(h.rec) == std::vector<EngineState>{EngineState::kLoading, EngineState::kBuffering,
                                                      EngineState::kPlaying, EngineState::kEnded});
  // Startup: the MPD, then 3.5 s of each track (four 1 s media segments per track, one download at
  // a time, the init segments beside the first ones), each one 40 ms round trip on a fast link:
  // 1 + 8 round trips at least (it was 3 + 8 when each init went before its first media segment).
  const auto startup = h.state_at[2] - h.state_at[0];
  CHECK(startup >= milliseconds(360));
  CHECK(startup < milliseconds(400));
  // Playback takes the media's 8 s after startup, and no longer: there is no stall.
  CHECK((h.state_at[3] - h.state_at[2]).count() == Approx(8'000'000).margin(50'000));
  for (TrackType t : {TrackType::kVideo, TrackType::kAudio}) {
    const auto media = h.rec.media(t);
    REQUIRE(media.size() == 8);
    for (std::size_t i = 0; i < media.size(); ++i) {
      CHECK(media[i].segment_start == seconds(i));
      const auto& reps = t == TrackType::kVideo ? content.spec().video : content.spec().audio;
      for (const auto& r : reps) {
        if (r.id == media[i].representation_id)
          CHECK(media[i].bytes == abrplay::DataSize::bytes(content.segment_bytes(r)));
      }
    }
  }
  // Each representation's init segment is fetched once, however often ABR comes back to it.
  std::map<std::string, int> inits;
  for (const auto& d : h.rec.downloads) {
    if (d.kind == DownloadKind::kInit) ++inits[d.representation_id];
  }
  for (const auto& [id, n] : inits) CHECK(n == 1);
  CHECK(h.rec.decisions.front().reason == "fast start");
  CHECK(h.rec.errors.empty());
}

TEST_CASE("virtual time: a malformed attribute playback does not need is a warning, and the session plays",
          "[engine][vod][virtual][bad]") {
  SyntheticContent content({});
  std::string mpd = manifest_text(content);
  const auto root = mpd.find("<MPD ");
  REQUIRE(root != std::string::npos);
  mpd.insert(root + 5, R"(maxSegmentDuration="2S" )");  // the issue's example: "PT2S" was meant
  content.write("manifest.mpd", mpd);
  VirtualHarness h(content);
  h.start();
  REQUIRE(h.load("manifest.mpd").code == ErrorCode::kOk);
  REQUIRE(h.run_until_state(EngineState::kEnded));
  REQUIRE(h.rec.warnings.size() == 1);
  CHECK(h.rec.warnings[0].code == ErrorCode::kManifestInvalidValue);
  CHECK(h.rec.warnings[0].message.find("manifest.mpd: MPD@maxSegmentDuration: ") != std::string::npos);
  CHECK(h.rec.warnings[0].message.find("; ignored") != std::string::npos);
  CHECK(h.rec.media(TrackType::kVideo).size() == 8);
  CHECK(h.rec.errors.empty());
}

namespace {

// The synthetic MPD with Period[index] moved to a remote document `name` (xlink:href, onLoad).
void make_period_remote(const SyntheticContent& content, int index, const std::string& name, const std::string& href) {
  std::string mpd = manifest_text(content);
  const std::string open = "  <Period id=\"" + std::to_string(index) + "\"";
  const auto begin = mpd.find(open);
  const auto end = mpd.find("</Period>\n", begin) + 10;
  REQUIRE(begin != std::string::npos);
  content.write(name, mpd.substr(begin, end - begin));
  mpd.replace(begin, end - begin,
              "  <Period xmlns:xlink=\"http://www.w3.org/1999/xlink\" xlink:href=\"" + href +
                  "\" xlink:actuate=\"onLoad\"/>\n");
  content.write("manifest.mpd", mpd);
}

}  // namespace

TEST_CASE("virtual time: xlink: a remote Period is fetched at load and played like a local one",
          "[engine][vod][period][xlink][virtual]") {
  ContentSpec spec;
  spec.segments = 4;
  spec.periods = 2;
  SyntheticContent content(spec);
  make_period_remote(content, 1, "period-1.xml", "period-1.xml");
  VirtualHarness h(content);
  h.start({}, std::make_unique<abr::FixedAlgorithm>(0));
  REQUIRE(h.load("manifest.mpd").code == ErrorCode::kOk);
  REQUIRE(h.run_until_state(EngineState::kEnded));
  // Two manifest downloads (the MPD and the remote period), before any media.
  std::vector<std::string> manifests;
  for (const auto& d : h.rec.downloads)
    if (d.kind == DownloadKind::kManifest) manifests.push_back(d.url);
  REQUIRE(manifests.size() == 2);
  CHECK(manifests[1].find("period-1.xml") != std::string::npos);
  CHECK(h.rec.warnings.empty());
  const auto video = h.rec.media(TrackType::kVideo);
  REQUIRE(video.size() == 8);
  CHECK(video[4].representation_id == "v1-p1");
  CHECK(video[4].segment_start == seconds(4));
  CHECK(h.rec.errors.empty());
}

TEST_CASE("virtual time: xlink: a remote Period that cannot be fetched is left out with a warning",
          "[engine][vod][period][xlink][virtual][bad]") {
  ContentSpec spec;
  spec.segments = 4;
  spec.periods = 2;
  SyntheticContent content(spec);
  make_period_remote(content, 1, "period-1.xml", "missing.xml");
  {  // the presentation without the remote period ends with the first (as an ad break would)
    std::string mpd = manifest_text(content);
    const auto at = mpd.find("mediaPresentationDuration=\"") + 27;
    mpd.replace(at, mpd.find('"', at) - at, "PT4S");
    content.write("manifest.mpd", mpd);
  }
  VirtualHarness h(content);
  h.start({}, std::make_unique<abr::FixedAlgorithm>(0));
  REQUIRE(h.load("manifest.mpd").code == ErrorCode::kOk);
  REQUIRE(h.run_until_state(EngineState::kEnded));
  REQUIRE(h.rec.warnings.size() == 1);
  CHECK(h.rec.warnings[0].message.find("MPD/Period[1]@xlink:href '") != std::string::npos);
  CHECK(h.rec.warnings[0].message.find("missing.xml") != std::string::npos);
  CHECK(h.rec.warnings[0].message.find("the Period is left out") != std::string::npos);
  CHECK(h.rec.media(TrackType::kVideo).size() == 4);  // the first period, to its end
  CHECK(h.rec.errors.empty());
}

namespace {

// Picks representation 1 and keeps what it was told about the video's position.
class PositionProbe final : public abr::AbrAlgorithm {
 public:
  abr::Decision choose(const abr::AbrInput& in) override {
    seen.emplace_back(in.next_segment, in.segment_count);
    return {1, "probe"};
  }
  std::string_view name() const override { return "probe"; }
  std::vector<std::pair<std::size_t, std::optional<std::size_t>>> seen;
};

}  // namespace

TEST_CASE("virtual time: the algorithm is told which segment it chooses and how many there are, and is not asked "
          "past the last one",
          "[engine][vod][abr][virtual]") {
  SyntheticContent content({});  // 8 x 1 s
  VirtualHarness h(content);
  auto probe = std::make_unique<PositionProbe>();
  const PositionProbe& seen = *probe;
  h.start(EngineConfig{}, std::move(probe));
  REQUIRE(h.load("manifest.mpd").code == ErrorCode::kOk);
  REQUIRE(h.run_until_state(EngineState::kEnded));
  // Fast start takes the first segment (until two media samples); the algorithm every later one,
  // each exactly once, in order, out of 8.
  REQUIRE(seen.seen.size() == 7);
  for (std::size_t i = 0; i < seen.seen.size(); ++i) {
    CAPTURE(i);
    CHECK(seen.seen[i].first == i + 1);
    CHECK(seen.seen[i].second == std::optional<std::size_t>(8));
  }
  // Every init fetched was for a representation whose media followed.
  std::map<std::string, int> inits, media;
  for (const auto& d : h.rec.downloads) {
    if (d.track != TrackType::kVideo) continue;
    ++(d.kind == DownloadKind::kInit ? inits : media)[d.representation_id];
  }
  for (const auto& [id, n] : inits) {
    CAPTURE(id);
    CHECK(media[id] > 0);
  }
}

TEST_CASE("virtual time: the video buffer never holds more than its byte cap, and playback still reaches the end",
          "[engine][vod][buffer][virtual]") {
  SyntheticContent content({});  // v2 segments are 100,000 bytes
  VirtualHarness h(content);
  EngineConfig cfg;
  cfg.video_limits.max_bytes = 250'000;  // two v2 segments and a half: less than the startup buffer
  cfg.video_limits.max_behind = milliseconds(500);
  h.start(cfg, std::make_unique<abr::FixedAlgorithm>(1));
  REQUIRE(h.load("manifest.mpd").code == ErrorCode::kOk);
  REQUIRE(h.run_until_state(EngineState::kEnded));
  abrplay::DataSize peak;
  for (const auto& b : h.rec.buffers) {
    if (b.track == TrackType::kVideo) peak = std::max(peak, b.bytes);
  }
  CHECK(peak.bytes() <= 250'000);
  CHECK(peak.bytes() >= 200'000);  // the cap was reached: the test constrained something
  CHECK(h.rec.media(TrackType::kVideo).size() == 8);
}

TEST_CASE("virtual time: serial media: the first media segment is video's even when audio's init arrives first",
          "[engine][vod][serial][virtual]") {
  // Video's init is 60 kB, audio's 70 bytes: on 2 Mbit/s audio's is in long before video's. Media
  // segments go one at a time, the least-buffered track first and video on a tie, so audio waits for
  // video's init instead of taking the link first (it did: the order then depended on which init
  // won, and the first video segment waited behind audio's).
  SyntheticContent content({});
  content.write("init-v1.m4s", "init v1" + std::string(60'000, '.'));
  content.write("init-v2.m4s", "init v2" + std::string(60'000, '.'));
  lab::LabLinkParams link;
  link.unshaped_kbps = 2'000;
  link.rtt = milliseconds(40);
  VirtualHarness h(content, link);
  h.start();
  REQUIRE(h.load("manifest.mpd").code == ErrorCode::kOk);
  REQUIRE(h.run_until_state(EngineState::kEnded));
  std::vector<std::pair<DownloadKind, TrackType>> order;
  for (const auto& d : h.rec.downloads) order.emplace_back(d.kind, d.track);
  const auto init_at = [&](TrackType t) {
    return std::find(order.begin(), order.end(), std::pair{DownloadKind::kInit, t}) - order.begin();
  };
  REQUIRE(init_at(TrackType::kAudio) < init_at(TrackType::kVideo));  // the race the rule must not follow
  const auto first_media = std::find_if(order.begin(), order.end(),
                                        [](const auto& o) { return o.first == DownloadKind::kMedia; });
  REQUIRE(first_media != order.end());
  CHECK(first_media->second == TrackType::kVideo);
  // Every segment of both tracks still arrives.
  CHECK(h.rec.media(TrackType::kVideo).size() == 8);
  CHECK(h.rec.media(TrackType::kAudio).size() == 8);
}

TEST_CASE(
    "virtual time: multi-period: tracks are selected again at the boundary, whose first segment is a discontinuity",
    "[engine][vod][period][virtual]") {
  ContentSpec spec;
  spec.segments = 4;
  spec.periods = 2;
  SyntheticContent content(spec);
  VirtualHarness h(content);
  h.start({}, std::make_unique<abr::FixedAlgorithm>(0));
  REQUIRE(h.load("manifest.mpd").code == ErrorCode::kOk);
  REQUIRE(h.run_until_state(EngineState::kEnded));
  const TrackBuffer* b = h.engine->buffer(TrackType::kVideo);
  REQUIRE(b != nullptr);
  REQUIRE(b->size() == 8);  // 8 s, all within max_behind
  CHECK(b->segments()[3].period == 0);
  CHECK_FALSE(b->segments()[3].discontinuity);
  CHECK(b->segments()[4].period == 1);
  CHECK(b->segments()[4].discontinuity);
  CHECK(b->segments()[4].representation_changed);
  CHECK(b->segments()[4].representation_id == "v1-p1");
  CHECK(b->segments()[4].start == seconds(4));
  CHECK(h.rec.media(TrackType::kAudio).size() == 8);
}

TEST_CASE("virtual time: SegmentBase: the sidx is fetched and parsed, then media segments are fetched as byte ranges",
          "[engine][vod][sidx][virtual]") {
  ContentSpec spec;
  spec.segment_base = true;
  SyntheticContent content(spec);
  VirtualHarness h(content);
  h.start({}, std::make_unique<abr::FixedAlgorithm>(1));
  REQUIRE(h.load("manifest.mpd").code == ErrorCode::kOk);
  REQUIRE(h.run_until_state(EngineState::kEnded));
  int indexes = 0;
  for (const auto& d : h.rec.downloads) indexes += d.kind == DownloadKind::kIndex;
  CHECK(indexes >= 2);  // at least one video and one audio representation
  const auto video = h.rec.media(TrackType::kVideo);
  REQUIRE(video.size() == 8);
  CHECK(video.back().representation_id == "v2");
  CHECK(video.back().bytes.bytes() == 100'000);
  CHECK(video.back().segment_start == seconds(7));
}

namespace {

// A SegmentBase file of 8 fragments of 1 s (25,000 bytes each, 200 kbit/s) after 100 bytes of init,
// indexed by a daisy chain: one sidx before each fragment, its last reference pointing at the next
// box. Returns the file; `top_size` gets the first box's size (the indexRange).
std::string daisy_chained_file(std::size_t& top_size, std::vector<std::size_t>& box_offsets) {
  constexpr int kFragments = 8;
  constexpr std::uint32_t kBytes = 25'000;
  std::vector<std::vector<uint8_t>> boxes(kFragments);
  std::uint64_t rest = 0;
  for (int k = kFragments; k-- > 0;) {
    std::vector<abrplay::test::SidxRef> refs{{kBytes, 1000}};
    if (k + 1 < kFragments)
      refs.push_back({static_cast<std::uint32_t>(rest), static_cast<std::uint32_t>(1000 * (kFragments - k - 1)), true});
    boxes[static_cast<std::size_t>(k)] = abrplay::test::make_sidx(0, 1000, 1000u * static_cast<unsigned>(k), 0, refs);
    rest += boxes[static_cast<std::size_t>(k)].size() + kBytes;
  }
  std::string file(100, 'i');
  for (int k = 0; k < kFragments; ++k) {
    box_offsets.push_back(file.size());
    file.append(boxes[static_cast<std::size_t>(k)].begin(), boxes[static_cast<std::size_t>(k)].end());
    file += std::string(kBytes, static_cast<char>('a' + k));
  }
  top_size = boxes[0].size();
  return file;
}

std::string chained_mpd(std::size_t top_size) {
  return R"(<?xml version="1.0"?>
<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="static" minBufferTime="PT2S" mediaPresentationDuration="PT8S"
     profiles="urn:mpeg:dash:profile:isoff-on-demand:2011"><Period>
  <AdaptationSet contentType="video" mimeType="video/mp4"><Representation id="c" codecs="avc1.64001f" bandwidth="200000"
      width="640" height="360"><BaseURL>chained.mp4</BaseURL><SegmentBase timescale="1000" indexRange="100-)" +
         std::to_string(100 + top_size - 1) + R"("><Initialization range="0-99"/></SegmentBase></Representation>
  </AdaptationSet></Period></MPD>)";
}

}  // namespace

TEST_CASE("virtual time: SegmentBase with a daisy chain of sidx boxes: each box is an index fetch, then every "
          "fragment plays",
          "[engine][vod][sidx][virtual]") {
  ContentSpec spec;
  spec.segment_base = true;
  SyntheticContent content(spec);
  std::size_t top_size = 0;
  std::vector<std::size_t> box_offsets;
  content.write("chained.mp4", daisy_chained_file(top_size, box_offsets));
  content.write("chained.mpd", chained_mpd(top_size));
  VirtualHarness h(content);
  h.start();
  REQUIRE(h.load("chained.mpd").code == ErrorCode::kOk);
  REQUIRE(h.run_until_state(EngineState::kEnded));
  CHECK(h.rec.errors.empty());
  int indexes = 0;
  for (const auto& d : h.rec.downloads) indexes += d.kind == DownloadKind::kIndex;
  CHECK(indexes == 8);  // a 4 KiB probe never reaches past a 25,000-byte fragment to the next box
  const auto video = h.rec.media(TrackType::kVideo);
  REQUIRE(video.size() == 8);
  for (std::size_t k = 0; k < video.size(); ++k) {
    CAPTURE(k);
    CHECK(video[k].segment_start == seconds(static_cast<int>(k)));
    CHECK(video[k].bytes.bytes() == 25'000);
  }
}

TEST_CASE("virtual time: a sidx chain cut short by the end of the file fails the session naming the box",
          "[engine][vod][sidx][virtual][bad]") {
  ContentSpec spec;
  spec.segment_base = true;
  SyntheticContent content(spec);
  std::size_t top_size = 0;
  std::vector<std::size_t> box_offsets;
  const std::string file = daisy_chained_file(top_size, box_offsets);
  // Inside box 5 (10 of its bytes arrive), or right before it (its range starts past the end: 416).
  const bool inside = GENERATE(true, false);
  CAPTURE(inside);
  content.write("chained.mp4", file.substr(0, box_offsets[5] + (inside ? 10 : 0)));
  content.write("chained.mpd", chained_mpd(top_size));
  VirtualHarness h(content);
  h.start();
  REQUIRE(h.load("chained.mpd").code == ErrorCode::kOk);
  REQUIRE(h.run_until_state(EngineState::kError, std::chrono::seconds(30)));
  REQUIRE_FALSE(h.rec.errors.empty());
  const Error& e = h.rec.errors.front();
  CAPTURE(e.describe());
  if (inside) {
    CHECK(e.code == ErrorCode::kManifestBadIndex);
    CHECK(e.message.find("chained.mp4") != std::string::npos);
    CHECK(e.message.find("sidx at byte " + std::to_string(box_offsets[5])) != std::string::npos);
    CHECK(e.message.find("only 10 of") != std::string::npos);
  } else {
    CHECK(e.code == ErrorCode::kNetworkHttpStatus);
    CHECK(e.message.find("index") != std::string::npos);
    CHECK(e.message.find("416") != std::string::npos);
  }
  CHECK(h.rec.media(TrackType::kVideo).empty());  // the index comes before any media
}

TEST_CASE("virtual time: under a 3000 -> 150 kbit/s step trace the throughput rule climbs to the top rung, then drops "
          "to the lowest",
          "[engine][network][abr][virtual]") {
  ContentSpec spec;
  spec.video = {{"v1", 100'000}, {"v2", 300'000}, {"v3", 1'000'000}};
  spec.audio = {};
  spec.segments = 40;
  SyntheticContent content(spec);
  lab::LabLinkParams link;
  abr::Trace trace;
  trace.name = "step";
  trace.segments = {{seconds(3), 3000, {}}, {seconds(6), 150, {}}};
  link.trace = trace;
  VirtualHarness h(content, link);
  h.start({}, abr::make_algorithm("throughput"));
  REQUIRE(h.load("manifest.mpd").code == ErrorCode::kOk);
  // Up to v3 while the link is fast, then down to v1 once it is slow.
  auto up_then_down = [&] {
    bool top = false;
    for (const auto& d : h.rec.decisions) {
      if (d.track != TrackType::kVideo) continue;
      if (d.index == 2) top = true;
      if (top && d.index == 0) return true;
    }
    return false;
  };
  CHECK(h.run_until(up_then_down, seconds(60)));
  CHECK(h.rec.errors.empty());
  // Every decision after the fast start carries the algorithm's reason.
  for (const auto& d : h.rec.decisions) CHECK_FALSE(d.reason.empty());
}

TEST_CASE(
    "virtual time: a stalled top-rung download is abandoned and the same segment fetched again at the lowest rung",
    "[engine][network][abandon][virtual]") {
  ContentSpec spec;
  spec.video = {{"v1", 100'000}, {"v2", 1'000'000}};
  spec.audio = {};
  SyntheticContent content(spec);
  lab::LabLinkParams link;
  lab::LabFault stall;
  stall.kind = lab::LabFault::Kind::kStall;
  stall.path_contains = "seg-v2-3.m4s";
  stall.at_byte = 25'000;  // a fifth of the segment, then nothing
  link.faults = {stall};
  VirtualHarness h(content, link);
  h.start({}, std::make_unique<abr::FixedAlgorithm>(1));  // v2 from the first segment (pinned)
  REQUIRE(h.load("manifest.mpd").code == ErrorCode::kOk);
  REQUIRE(h.run_until_state(EngineState::kEnded));
  auto abandoned = std::find_if(h.rec.downloads.begin(), h.rec.downloads.end(),
                                [](const DownloadEvent& d) { return d.abandoned; });
  REQUIRE(abandoned != h.rec.downloads.end());
  CHECK(abandoned->representation_id == "v2");
  CHECK(abandoned->segment_start == seconds(2));
  CHECK(abandoned->bytes.bytes() == 25'000);
  const auto video = h.rec.media(TrackType::kVideo);
  REQUIRE(video.size() == 8);
  CHECK(video[2].segment_start == seconds(2));
  CHECK(video[2].representation_id == "v1");
  CHECK(video[3].representation_id == "v2");
  bool reason = false;
  for (const auto& d : h.rec.decisions) reason = reason || d.reason.rfind("abandon", 0) == 0;
  CHECK(reason);
}

}  // namespace abrplay::engine::test
