// The engine on real DASH content (demo/content/make-test-stream, 8 s of every variant): real MPDs
// from the packager, real init and media segments, real sidx boxes (one global sidx, and chained:
// a 2-level hierarchy in the video files, a daisy chain in the audio files).
#include <catch2/catch.hpp>

#include <map>
#include <string>
#include <vector>

#include "support/origin_session.h"

namespace abrplay::engine::test {

namespace {

std::string box_type(const Bytes& b) {
  return b && b->size() >= 8 ? std::string(b->begin() + 4, b->begin() + 8) : std::string();
}

}  // namespace

TEST_CASE("real content in every addressing variant plays to the end with real init and media boxes",
          "[engine][content]") {
  const std::string variant = GENERATE(as<std::string>{}, "number", "timeline", "segmentbase", "segmentbase-chained",
                                       "hevc");
  CAPTURE(variant);
  OriginSession h(abrplay::test::origin_serving(), 8.0);
  h.start();
  h.open_until(EngineState::kEnded, std::chrono::seconds(30), variant + "/manifest.mpd");
  // Copied out on the player thread, checked here (a failed REQUIRE must not throw on the loop).
  std::map<TrackType, std::vector<BufferedSegment>> kept;
  h.on_loop([&] {
    for (TrackType t : {TrackType::kVideo, TrackType::kAudio}) {
      if (const TrackBuffer* b = h.engine->buffer(t)) kept[t] = {b->segments().begin(), b->segments().end()};
    }
  });
  for (TrackType t : {TrackType::kVideo, TrackType::kAudio}) {
    CAPTURE(to_string(t));
    const auto& segs = kept[t];
    REQUIRE_FALSE(segs.empty());  // 8 s, all kept (max_behind 10 s)
    CHECK(segs.front().start < std::chrono::milliseconds(100));
    CHECK(segs.back().end() > std::chrono::milliseconds(7'900));
    for (const auto& s : segs) {
      CAPTURE(s.start.count(), s.duration.count(), s.bytes());
      CHECK(box_type(s.init) == "ftyp");
      const std::string media = box_type(s.media);
      CHECK((media == "moof" || media == "styp" || media == "sidx"));
    }
  }
  auto lock = h.rec.lock();
  CHECK(h.rec.errors.empty());
  int indexes = 0;
  std::map<std::string, int> index_reads;  // per representation
  std::map<std::string, TrackType> media_of;
  std::map<std::string, int> media_reads;
  for (const auto& d : h.rec.downloads) {
    indexes += d.kind == DownloadKind::kIndex;
    if (d.kind == DownloadKind::kIndex) ++index_reads[d.representation_id];
    if (d.kind == DownloadKind::kMedia) {
      media_of[d.representation_id] = d.track;
      ++media_reads[d.representation_id];
    }
  }
  CHECK((variant.rfind("segmentbase", 0) == 0) == (indexes > 0));
  if (variant == "segmentbase") {  // one global sidx: one request per representation, as always
    for (const auto& [id, track] : media_of) {
      CAPTURE(id);
      CHECK(index_reads[id] == 1);
    }
  }
  if (variant == "segmentbase-chained") {
    // Video (2 fragments): the top sidx, then each of its two child boxes (a 4 KiB probe of their
    // referenced bytes). Audio (3 fragments: AAC frames do not end at 4 s): one box before each
    // fragment, each fetched on its own (a probe cannot reach past a fragment to the next box);
    // the only audio representation plays every fragment. An index is read once per representation.
    REQUIRE_FALSE(media_of.empty());
    for (const auto& [id, track] : media_of) {
      CAPTURE(id, to_string(track));
      CHECK(index_reads[id] == (track == TrackType::kVideo ? 3 : media_reads[id]));
      if (track == TrackType::kAudio) CHECK(media_reads[id] == 3);
    }
  }
  // make-test-stream writes one global sidx or a chain over the whole file, so the index covers the
  // whole period: no warning.
  bool short_index = false;
  for (const auto& w : h.rec.warnings) short_index = short_index || w.code == ErrorCode::kManifestBadIndex;
  CHECK_FALSE(short_index);
}

TEST_CASE("real content with remote Periods or AdaptationSets (xlink, served by the origin) plays to the end",
          "[engine][content][xlink]") {
  const std::string split = GENERATE(as<std::string>{}, "periods", "adaptation-sets");
  CAPTURE(split);
  OriginSession h(abrplay::test::origin_serving(), 8.0);
  h.start();
  h.open_until(EngineState::kEnded, std::chrono::seconds(30), "number/manifest.mpd?xlink=" + split);
  std::map<TrackType, MediaTime> end;
  h.on_loop([&] {
    for (TrackType t : {TrackType::kVideo, TrackType::kAudio}) {
      if (const TrackBuffer* b = h.engine->buffer(t); b && !b->segments().empty()) end[t] = b->segments().back().end();
    }
  });
  CHECK(end[TrackType::kVideo] > std::chrono::milliseconds(7'900));
  CHECK(end[TrackType::kAudio] > std::chrono::milliseconds(7'900));
  auto lock = h.rec.lock();
  CHECK(h.rec.errors.empty());
  CHECK(h.rec.warnings.empty());
  std::vector<std::string> remote;
  for (const auto& d : h.rec.downloads) {
    if (d.kind == DownloadKind::kManifest && d.url.find("xlink-element=") != std::string::npos) remote.push_back(d.url);
  }
  // One Period; the number variant's AdaptationSets: video, audio en and fr, text.
  if (split == "periods") {
    REQUIRE(remote.size() == 1);
    CHECK(remote[0].find("manifest.mpd?xlink-element=period-0") != std::string::npos);
  } else {
    CHECK(remote.size() >= 3);
    for (const auto& u : remote) CHECK(u.find("xlink-element=adaptation-set-0-") != std::string::npos);
  }
}

}  // namespace abrplay::engine::test
