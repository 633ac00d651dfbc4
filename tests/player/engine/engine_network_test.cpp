// The engine under shaped and faulty networks: ABR switching under a step trace, abandonment of a
// stalled download, and failover between two CDNs.
#include <catch2/catch.hpp>

#include <set>

#include "abrplay/abr/algorithm/fixed.h"
#include "abrplay/abr/algorithm/registry.h"
#include "support/engine_harness.h"
#include "support/origin_helpers.h"
#include "support/synthetic_content.h"

namespace abrplay::engine::test {

namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;


}  // namespace

TEST_CASE("under a 3000 -> 150 kbit/s step trace the throughput rule climbs to the top rung, then drops to the lowest",
          "[engine][network][abr]") {
  ContentSpec spec;
  spec.video = {{"v1", 100'000}, {"v2", 300'000}, {"v3", 1'000'000}};
  spec.audio = {};
  spec.segments = 40;
  SyntheticContent content(spec);
  origin::OriginConfig oc;
  oc.roots = {content.dir().string()};
  abr::Trace trace;
  trace.name = "step";
  trace.segments = {{seconds(3), 3000, {}}, {seconds(6), 150, {}}};
  oc.cdns[0].trace = trace;
  auto origin = serve(oc);
  Harness h(1.0);
  h.start({}, abr::make_algorithm("throughput"));
  REQUIRE(h.load(origin->url(0) + "manifest.mpd").code == ErrorCode::kOk);
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
  CHECK(h.rec.wait(up_then_down, kLimit));
  h.on_loop([&] { h.engine->stop(); });
  auto lock = h.rec.lock();
  CHECK(h.rec.errors.empty());
  // Every decision after the fast start carries the algorithm's reason.
  for (const auto& d : h.rec.decisions) CHECK_FALSE(d.reason.empty());
}

TEST_CASE("a stalled top-rung download is abandoned and the same segment fetched again at the lowest rung",
          "[engine][network][abandon]") {
  ContentSpec spec;
  spec.video = {{"v1", 100'000}, {"v2", 1'000'000}};
  spec.audio = {};
  SyntheticContent content(spec);
  origin::OriginConfig oc;
  oc.roots = {content.dir().string()};
  oc.cdns[0].faults =
      faults(R"({"rules": [{"match": "*seg-v2-3.m4s", "fault": "stall", "stall_s": 4, "at_fraction": 0.2}]})");
  auto origin = serve(oc);
  Harness h(4.0);
  h.start({}, std::make_unique<abr::FixedAlgorithm>(1));  // v2 from the first segment (pinned)
  REQUIRE(h.load(origin->url(0) + "manifest.mpd").code == ErrorCode::kOk);
  REQUIRE(h.rec.wait_state(EngineState::kEnded, kLimit));
  auto lock = h.rec.lock();
  auto abandoned = std::find_if(h.rec.downloads.begin(), h.rec.downloads.end(),
                                [](const DownloadEvent& d) { return d.abandoned; });
  REQUIRE(abandoned != h.rec.downloads.end());
  CHECK(abandoned->representation_id == "v2");
  CHECK(abandoned->segment_start == seconds(2));
  CHECK(abandoned->bytes < 125'000);
  const auto video = h.rec.media(TrackType::kVideo);
  REQUIRE(video.size() == 8);
  CHECK(video[2].segment_start == seconds(2));
  CHECK(video[2].representation_id == "v1");
  CHECK(video[3].representation_id == "v2");
  bool reason = false;
  for (const auto& d : h.rec.decisions) reason = reason || d.reason.rfind("abandon", 0) == 0;
  CHECK(reason);
}

TEST_CASE("with two CDNs of which one answers 503, every segment comes from the healthy one and playback ends",
          "[engine][network][cdn]") {
  SyntheticContent content({});
  origin::OriginConfig oc;
  oc.roots = {content.dir().string()};
  oc.cdns.resize(2);
  oc.cdns[0].faults = faults(R"({"rules": [{"match": "*.m4s", "fault": "status", "status": 503}]})");
  auto origin = serve(oc);
  Harness h(4.0);
  h.start();
  REQUIRE(h.load(origin->url(0) + "manifest.mpd").code == ErrorCode::kOk);
  REQUIRE(h.rec.wait_state(EngineState::kEnded, kLimit));
  auto lock = h.rec.lock();
  CHECK(h.rec.errors.empty());
  int media = 0;
  for (const auto& d : h.rec.downloads) {
    if (d.kind != DownloadKind::kMedia && d.kind != DownloadKind::kInit) continue;
    ++media;
    CHECK(d.base_url == origin->url(1));
  }
  CHECK(media >= 16 + 2);
}

TEST_CASE("a segment that fails on every CDN and rendition is skipped with warnings naming it; playback ends",
          "[engine][network][errors]") {
  SyntheticContent content({});
  origin::OriginConfig oc;
  oc.roots = {content.dir().string()};
  oc.cdns[0].faults = faults(R"({"rules": [{"match": "*seg-v*-2.m4s", "fault": "status", "status": 404}]})");
  auto origin = serve(oc);
  Harness h(4.0);
  h.start();
  REQUIRE(h.load(origin->url(0) + "manifest.mpd").code == ErrorCode::kOk);
  REQUIRE(h.rec.wait_state(EngineState::kEnded, kLimit));
  auto lock = h.rec.lock();
  CHECK(h.rec.errors.empty());
  std::vector<std::string> about_segment_2;
  for (const auto& w : h.rec.warnings) {
    if (w.message.find("-2.m4s") != std::string::npos) about_segment_2.push_back(w.message);
  }
  REQUIRE_FALSE(about_segment_2.empty());
  CHECK(about_segment_2.back().find("video media segment") == 0);
  CHECK(about_segment_2.back().find("skipped") != std::string::npos);
  // The other video segments all arrived.
  std::set<std::string> video_urls;
  for (const auto& d : h.rec.media(TrackType::kVideo)) video_urls.insert(d.url.substr(d.url.rfind('-')));
  CHECK(video_urls.size() == 7);  // segments 1 and 3..8 of eight
  CHECK(video_urls.count("-2.m4s") == 0);
}

TEST_CASE("when three media downloads in a row fail everywhere, the engine stops in the error state naming them",
          "[engine][network][errors]") {
  SyntheticContent content({});
  origin::OriginConfig oc;
  oc.roots = {content.dir().string()};
  oc.cdns[0].faults = faults(R"({"rules": [{"match": "*seg-v*", "fault": "status", "status": 404}]})");
  auto origin = serve(oc);
  Harness h(4.0);
  h.start();
  REQUIRE(h.load(origin->url(0) + "manifest.mpd").code == ErrorCode::kOk);
  REQUIRE(h.rec.wait_state(EngineState::kError, kLimit));
  auto lock = h.rec.lock();
  REQUIRE(h.rec.errors.size() == 1);
  CHECK(h.rec.errors[0].code == ErrorCode::kNetworkHttpStatus);
  CHECK(h.rec.errors[0].message.find("video media segment") == 0);
  CHECK(h.rec.errors[0].message.find("3 failed downloads in a row") != std::string::npos);
}

}  // namespace abrplay::engine::test
