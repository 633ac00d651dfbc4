// The engine over real sockets against faulty CDNs: failover between two CDNs, a segment that
// fails everywhere, and the error state; CDN choice by measurement between two shaped CDNs. Switching and abandonment: engine_virtual_test.cpp.
#include <catch2/catch.hpp>

#include <set>

#include "support/origin_session.h"

namespace abrplay::engine::test {

TEST_CASE("with two CDNs of which one answers 503, every segment comes from the healthy one and playback ends",
          "[engine][network][cdn]") {
  SyntheticContent content({});
  origin::OriginConfig oc = serving(content);
  oc.cdns.resize(2);
  oc.cdns[0].faults = fault_plan(R"({"rules": [{"match": "*.m4s", "fault": "status", "status": 503}]})");
  OriginSession h(std::move(oc));
  h.start();
  h.open_until(EngineState::kEnded);
  auto lock = h.rec.lock();
  CHECK(h.rec.errors.empty());
  int media = 0;
  for (const auto& d : h.rec.downloads) {
    if (d.kind != DownloadKind::kMedia && d.kind != DownloadKind::kInit) continue;
    ++media;
    CHECK(d.base_url == h.server().url(1));
  }
  CHECK(media >= 16 + 2);
}

TEST_CASE("a segment that fails on every CDN and rendition is skipped with warnings naming it: playback ends",
          "[engine][network][errors]") {
  SyntheticContent content({});
  origin::OriginConfig oc = serving(content);
  oc.cdns[0].faults = fault_plan(R"({"rules": [{"match": "*seg-v*-2.m4s", "fault": "status", "status": 404}]})");
  OriginSession h(std::move(oc));
  h.start();
  h.open_until(EngineState::kEnded);
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
  origin::OriginConfig oc = serving(content);
  oc.cdns[0].faults = fault_plan(R"({"rules": [{"match": "*seg-v*", "fault": "status", "status": 404}]})");
  OriginSession h(std::move(oc));
  h.start();
  h.open_until(EngineState::kError);
  auto lock = h.rec.lock();
  REQUIRE(h.rec.errors.size() == 1);
  CHECK(h.rec.errors[0].code == ErrorCode::kNetworkHttpStatus);
  CHECK(h.rec.errors[0].message.find("video media segment") == 0);
  CHECK(h.rec.errors[0].message.find("3 failed downloads in a row") != std::string::npos);
}

namespace {

// Two CDNs, CDN 0 shaped to a third of CDN 1's bandwidth and weighted so that the first choice is
// almost surely CDN 0 (DVB weight 1000 against 1): the case where only measuring can help.
origin::OriginConfig slow_and_fast(const SyntheticContent& content) {
  origin::OriginConfig oc = serving(content);
  oc.cdns.resize(2);
  oc.cdns[0].trace = abr::Trace{"3M",
                                {abr::TraceSegment{std::chrono::seconds(1000), 3000, std::chrono::microseconds(0)}}};
  oc.cdns[1].trace = abr::Trace{"9M",
                                {abr::TraceSegment{std::chrono::seconds(1000), 9000, std::chrono::microseconds(0)}}};
  oc.cdns[0].dvb = {1, 1000};
  oc.cdns[1].dvb = {1, 1};
  return oc;
}

ContentSpec long_content() {
  ContentSpec spec;
  spec.segments = 30;
  return spec;
}

}  // namespace

TEST_CASE("of two CDNs, the one measured at three times the other's throughput takes the traffic",
          "[engine][network][cdn]") {
  SyntheticContent content(long_content());
  OriginSession h(slow_and_fast(content), 8.0);
  h.start();
  h.open_until(EngineState::kEnded);
  auto lock = h.rec.lock();
  CHECK(h.rec.errors.empty());
  REQUIRE(h.rec.cdn_changes.size() >= 2);
  CHECK(h.rec.cdn_changes[0].base_url == h.server().url(0));
  CHECK(h.rec.cdn_changes[0].reason == "weighted");
  const CdnChangeEvent& moved = h.rec.cdn_changes[1];
  CHECK(moved.base_url == h.server().url(1));
  CHECK(moved.reason == "measured_better");
  CHECK(moved.detail.find(" against ") != std::string::npos);
  CHECK(h.rec.cdn_changes.size() == 2);  // no flapping back
  // The last 15 video segments all come from the fast CDN (a stale measurement of the slow one
  // takes 30 s to come due; this session is shorter).
  const auto video = h.rec.media(TrackType::kVideo);
  REQUIRE(video.size() >= 30);
  for (std::size_t i = video.size() - 15; i < video.size(); ++i) CHECK(video[i].base_url == h.server().url(1));
}

TEST_CASE("without measured CDN choice, the weighted first choice keeps the traffic", "[engine][network][cdn]") {
  SyntheticContent content(long_content());
  OriginSession h(slow_and_fast(content), 8.0);
  EngineConfig cfg;
  cfg.hosts.measured_choice = false;
  h.start(cfg);
  h.open_until(EngineState::kEnded);
  auto lock = h.rec.lock();
  REQUIRE(h.rec.cdn_changes.size() == 1);
  CHECK(h.rec.cdn_changes[0].base_url == h.server().url(0));
  for (const auto& d : h.rec.media(TrackType::kVideo)) CHECK(d.base_url == h.server().url(0));
}

}  // namespace abrplay::engine::test
