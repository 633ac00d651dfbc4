// SegmentIndex::load_index following chained and hierarchical sidx boxes: each test builds a whole
// SegmentBase file in memory and answers the index's requests from it as a server would (a short or
// empty body past the end of the file).
#include <catch2/catch.hpp>

#include <functional>

#include "abrplay/player/manifest/parser.h"
#include "abrplay/player/manifest/segment_index.h"
#include "sidx_builder.h"

using namespace abrplay;
using namespace abrplay::manifest;
using abrplay::test::make_box;
using abrplay::test::make_sidx;
using abrplay::test::SidxRef;
using Bytes = std::vector<uint8_t>;

namespace {

constexpr uint64_t kHead = 100;  // ftyp + moov: the index starts at byte 100

void append(Bytes& to, const Bytes& b) { to.insert(to.end(), b.begin(), b.end()); }

// A media fragment of `n` bytes (a moof box, so that a wrong offset reads as 'moof').
Bytes fragment(std::size_t n) { return make_box("moof", n - 8); }

SegmentIndex index_for(uint64_t index_last, const ParseLimits& limits = {}) {
  ParseOptions opt;
  opt.document_url = "https://cdn.example/vod/manifest.mpd";
  opt.limits = limits;
  auto mpd =
      parse_mpd(R"(<MPD type="static" mediaPresentationDuration="PT60S"><Period><AdaptationSet>)"
                R"(<Representation id="v" bandwidth="1000"><BaseURL>v.mp4</BaseURL><SegmentBase indexRange="100-)" +
                    std::to_string(index_last) +
                    R"(" timescale="1000"/></Representation></AdaptationSet></Period></MPD>)",
                opt);
  if (!mpd) FAIL(mpd.error().describe());
  auto ix = SegmentIndex::create(*mpd, 0, 0, 0, limits);
  if (!ix) FAIL(ix.error().describe());
  return std::move(*ix);
}

struct Loaded {
  std::optional<Error> error;
  std::vector<ByteRange> requests;  // every range asked for, the indexRange first
};

// Answers index_request() from `file` until the index is complete or refused.
Loaded load_from(SegmentIndex& ix, const Bytes& file) {
  Loaded out;
  while (ix.needs_index()) {
    REQUIRE(out.requests.size() < 100);
    const ByteRange r = *ix.index_request()->range;
    CHECK(ix.index_request()->url == "https://cdn.example/vod/v.mp4");
    out.requests.push_back(r);
    const uint64_t first = std::min<uint64_t>(r.first, file.size());
    const uint64_t end = std::min<uint64_t>(r.last + 1, file.size());
    auto loaded = ix.load_index(std::span<const uint8_t>(file.data() + first, end - first));
    if (!loaded) {
      out.error = loaded.error();
      return out;
    }
  }
  return out;
}

// Three fragments of 1000, 1200 and 900 bytes, 2 s each, in a 2-level index: a top sidx over two
// child sidx boxes (fragments 0-1 and fragment 2), each child right before its fragments.
struct Hierarchy {
  Bytes file;
  std::vector<uint64_t> fragment_offsets;
  uint64_t top_size = 0;
  uint64_t child1_offset = 0;
};

Hierarchy hierarchy() {
  Hierarchy h;
  const Bytes c0 = make_sidx(0, 1000, 0, 0, {{1000, 2000}, {1200, 2000}});
  const Bytes c1 = make_sidx(0, 1000, 4000, 0, {{900, 2000}});
  const auto g0 = static_cast<uint32_t>(c0.size() + 2200);
  const auto g1 = static_cast<uint32_t>(c1.size() + 900);
  const Bytes top = make_sidx(0, 1000, 0, 0, {{g0, 4000, true}, {g1, 2000, true}});
  h.file = make_box("moov", kHead - 8);
  append(h.file, top);
  h.top_size = top.size();
  append(h.file, c0);
  h.fragment_offsets.push_back(h.file.size());
  append(h.file, fragment(1000));
  h.fragment_offsets.push_back(h.file.size());
  append(h.file, fragment(1200));
  h.child1_offset = h.file.size();
  append(h.file, c1);
  h.fragment_offsets.push_back(h.file.size());
  append(h.file, fragment(900));
  return h;
}

// Three fragments in a daisy chain: one sidx before each, its last reference pointing at the next.
Bytes daisy_chain(std::vector<uint64_t>* fragment_offsets = nullptr, std::size_t links = 3) {
  // Sizes from the back: a box with a next link has 2 references.
  std::vector<Bytes> boxes(links);
  uint64_t rest = 0;
  for (std::size_t k = links; k-- > 0;) {
    std::vector<SidxRef> refs{{1000, 2000}};
    if (k + 1 < links)
      refs.push_back({static_cast<uint32_t>(rest), static_cast<uint32_t>(2000 * (links - k - 1)), true});
    boxes[k] = make_sidx(1, 1000, 2000 * k, 0, refs);
    rest += boxes[k].size() + 1000;
  }
  Bytes file = make_box("moov", kHead - 8);
  for (const Bytes& b : boxes) {
    append(file, b);
    if (fragment_offsets) fragment_offsets->push_back(file.size());
    append(file, fragment(1000));
  }
  return file;
}

uint64_t box_size_at(const Bytes& file, uint64_t offset) {
  return (uint64_t{file[offset]} << 24) | (uint64_t{file[offset + 1]} << 16) | (uint64_t{file[offset + 2]} << 8) |
         file[offset + 3];
}

}  // namespace

TEST_CASE("sidx hierarchy: the top box's references to child sidx boxes are fetched and followed",
          "[manifest][sidx][chain]") {
  Hierarchy h = hierarchy();
  SegmentIndex ix = index_for(kHead + h.top_size - 1);
  Loaded l = load_from(ix, h.file);
  REQUIRE_FALSE(l.error);
  // The indexRange, then each child box by a probe of its referenced bytes (both under 4 KiB).
  REQUIRE(l.requests.size() == 3);
  CHECK(l.requests[1].first == kHead + h.top_size);
  CHECK(l.requests[1].last == h.child1_offset - 1);
  CHECK(l.requests[2] == ByteRange{h.child1_offset, h.file.size() - 1});
  REQUIRE(ix.count() == 3u);
  CHECK(ix.segment(0)->range == ByteRange{h.fragment_offsets[0], h.fragment_offsets[0] + 999});
  CHECK(ix.segment(1)->range == ByteRange{h.fragment_offsets[1], h.fragment_offsets[1] + 1199});
  CHECK(ix.segment(2)->range == ByteRange{h.fragment_offsets[2], h.fragment_offsets[2] + 899});
  CHECK(ix.segment(2)->start == std::chrono::seconds(4));
  CHECK(ix.total_duration() == std::chrono::seconds(6));
  CHECK(ix.segment_at(std::chrono::milliseconds(4500))->position == 2);
  // The index's URL and range stay what the MPD says once it is complete.
  CHECK(ix.index_request()->range == ByteRange{kHead, kHead + h.top_size - 1});
}

TEST_CASE("sidx hierarchy inside the indexRange's bytes needs no further request", "[manifest][sidx][chain]") {
  Hierarchy h = hierarchy();
  SegmentIndex ix = index_for(h.file.size() - 1);
  Loaded l = load_from(ix, h.file);
  REQUIRE_FALSE(l.error);
  CHECK(l.requests.size() == 1);
  CHECK(ix.count() == 3u);
}

TEST_CASE("sidx daisy chain: each box's last reference leads to the next box", "[manifest][sidx][chain]") {
  std::vector<uint64_t> offsets;
  Bytes file = daisy_chain(&offsets);
  SegmentIndex ix = index_for(kHead + box_size_at(file, kHead) - 1);
  Loaded l = load_from(ix, file);
  REQUIRE_FALSE(l.error);
  // The indexRange, then a 4 KiB probe at box 1, which holds box 2 as well (a link's referenced
  // bytes run to the end of the file, so the probe is not cut at box 1's fragment).
  REQUIRE(l.requests.size() == 2);
  CHECK(l.requests[1] == ByteRange{offsets[0] + 1000, file.size() - 1});
  REQUIRE(ix.count() == 3u);
  for (std::size_t k = 0; k < 3; ++k) {
    CAPTURE(k);
    CHECK(ix.segment(k)->range == ByteRange{offsets[k], offsets[k] + 999});
    CHECK(ix.segment(k)->start == std::chrono::seconds(2 * k));
  }
}

TEST_CASE("sidx daisy chain: its length is bounded by max_boxes, not by the depth limit",
          "[manifest][sidx][chain][bad]") {
  Bytes file = daisy_chain(nullptr, 12);  // 12 links: deeper than max_depth 8 if links counted as levels
  const uint64_t top_last = kHead + box_size_at(file, kHead) - 1;
  ParseLimits limits;
  limits.sidx_chain.max_boxes = 12;
  SegmentIndex ok = index_for(top_last, limits);
  REQUIRE_FALSE(load_from(ok, file).error);
  CHECK(ok.count() == 12u);
  limits.sidx_chain.max_boxes = 11;
  SegmentIndex over = index_for(top_last, limits);
  Loaded l = load_from(over, file);
  REQUIRE(l.error);
  CHECK(l.error->code == ErrorCode::kManifestLimitExceeded);
  CHECK(l.error->message.find("more than 11 sidx boxes") != std::string::npos);
  CHECK(over.needs_index());  // refused: the walk starts over from the top box
  CHECK(over.index_request()->range == ByteRange{kHead, top_last});
}

TEST_CASE("sidx hierarchy deeper than max_depth is refused at the first level too deep",
          "[manifest][sidx][chain][bad]") {
  // Box k references box k+1 (not as its last reference, so one level deeper) and then a fragment.
  std::function<Bytes(std::size_t, std::size_t, uint64_t)> region = [&](std::size_t k, std::size_t n, uint64_t t) {
    if (k == n) {
      Bytes b = make_sidx(0, 1000, t, 0, {{500, 1000}});
      append(b, fragment(500));
      return b;
    }
    const Bytes inner = region(k + 1, n, t);
    const auto inner_duration = static_cast<uint32_t>(1000 * (n - k));
    Bytes b = make_sidx(0, 1000, t, 0, {{static_cast<uint32_t>(inner.size()), inner_duration, true}, {500, 1000}});
    append(b, inner);
    append(b, fragment(500));
    return b;
  };
  for (std::size_t levels : {8u, 9u}) {
    CAPTURE(levels);
    Bytes file = make_box("moov", kHead - 8);
    append(file, region(0, levels, 0));
    SegmentIndex ix = index_for(file.size() - 1);  // all in the first bytes: depth alone decides
    Loaded l = load_from(ix, file);
    if (levels == 8) {
      REQUIRE_FALSE(l.error);
      CHECK(ix.count() == 9u);
      CHECK(ix.segment(0)->start == std::chrono::seconds(0));
      CHECK(ix.segment(8)->start == std::chrono::seconds(8));
    } else {
      REQUIRE(l.error);
      CHECK(l.error->code == ErrorCode::kManifestLimitExceeded);
      CHECK(l.error->message.find("deeper than 8 levels") != std::string::npos);
    }
  }
}

TEST_CASE("sidx references converging on a box read already are refused as a loop", "[manifest][sidx][chain][bad]") {
  // Offsets only move forward (each reference lies after the box listing it), so a loop is two
  // references reaching one box: child c0's last reference leads on to c1 (a daisy chain), and the
  // top box's second reference points at c1 as well.
  const Bytes c1 = make_sidx(0, 1000, 2000, 0, {{700, 2000}});
  const auto g1 = static_cast<uint32_t>(c1.size() + 700);
  const Bytes c0 = make_sidx(0, 1000, 0, 0, {{600, 2000}, {g1, 2000, true}});
  const auto g0 = static_cast<uint32_t>(c0.size() + 600);
  const Bytes top = make_sidx(0, 1000, 0, 0, {{g0, 2000, true}, {g1, 2000, true}});
  Bytes file = make_box("moov", kHead - 8);
  append(file, top);
  append(file, c0);
  append(file, fragment(600));
  const uint64_t c1_offset = file.size();
  append(file, c1);
  append(file, fragment(700));
  SegmentIndex ix = index_for(kHead + top.size() - 1);
  Loaded l = load_from(ix, file);
  REQUIRE(l.error);
  CHECK(l.error->code == ErrorCode::kManifestBadIndex);
  CHECK(l.error->message.find("sidx at byte " + std::to_string(c1_offset) + " is referenced again") !=
        std::string::npos);
}

TEST_CASE("sidx chain: a referenced box cut short by the end of the file is an error naming it",
          "[manifest][sidx][chain][bad]") {
  Hierarchy h = hierarchy();
  Bytes cut(h.file.begin(), h.file.begin() + static_cast<std::ptrdiff_t>(h.child1_offset + 20));
  SegmentIndex ix = index_for(kHead + h.top_size - 1);
  Loaded l = load_from(ix, cut);
  REQUIRE(l.error);
  CHECK(l.error->code == ErrorCode::kManifestBadIndex);
  CHECK(l.error->message.find("reference 1 of the sidx at byte 100") != std::string::npos);
  CHECK(l.error->message.find("only 20 of") != std::string::npos);
  CHECK(l.error->message.find("https://cdn.example/vod/v.mp4") != std::string::npos);
}

TEST_CASE("sidx chain: a reference beyond the end of the file is an error", "[manifest][sidx][chain][bad]") {
  Hierarchy h = hierarchy();
  Bytes cut(h.file.begin(), h.file.begin() + static_cast<std::ptrdiff_t>(h.child1_offset));  // no child 1
  SegmentIndex ix = index_for(kHead + h.top_size - 1);
  Loaded l = load_from(ix, cut);
  REQUIRE(l.error);
  CHECK(l.error->code == ErrorCode::kManifestBadIndex);
  CHECK(l.error->message.find("past the end of the resource") != std::string::npos);
}

TEST_CASE("sidx chain: a reference to something that is not a sidx is an error naming the box",
          "[manifest][sidx][chain][bad]") {
  // The top box says its first reference is an index, but a fragment is there.
  const Bytes top = make_sidx(0, 1000, 0, 0, {{1000, 2000, true}});
  Bytes file = make_box("moov", kHead - 8);
  append(file, top);
  append(file, fragment(1000));
  SegmentIndex ix = index_for(kHead + top.size() - 1);
  Loaded l = load_from(ix, file);
  REQUIRE(l.error);
  CHECK(l.error->message.find("holds a 'moof' box, not a sidx") != std::string::npos);
}

TEST_CASE("sidx chain: a box larger than the probe is fetched again at its exact size", "[manifest][sidx][chain]") {
  Hierarchy h = hierarchy();
  ParseLimits limits;
  limits.sidx_chain.probe_bytes = 16;  // holds the header, not the box
  SegmentIndex ix = index_for(kHead + h.top_size - 1, limits);
  Loaded l = load_from(ix, h.file);
  REQUIRE_FALSE(l.error);
  REQUIRE(l.requests.size() == 5);  // indexRange, then probe + exact size for each child
  const uint64_t c0 = kHead + h.top_size;
  CHECK(l.requests[1] == ByteRange{c0, c0 + 15});
  CHECK(l.requests[2] == ByteRange{c0, c0 + box_size_at(h.file, c0) - 1});
  CHECK(ix.count() == 3u);
}

TEST_CASE("sidx chain: bytes and timescale limits", "[manifest][sidx][chain][bad]") {
  SECTION("the boxes' bytes beyond max_bytes") {
    Hierarchy h = hierarchy();
    ParseLimits limits;
    limits.sidx_chain.max_bytes = h.top_size + 40;  // the top box and not both children
    SegmentIndex ix = index_for(kHead + h.top_size - 1, limits);
    Loaded l = load_from(ix, h.file);
    REQUIRE(l.error);
    CHECK(l.error->code == ErrorCode::kManifestLimitExceeded);
  }
  SECTION("a child box in another timescale") {
    const Bytes child = make_sidx(0, 90000, 0, 0, {{1000, 180000}});
    const Bytes top = make_sidx(0, 1000, 0, 0, {{static_cast<uint32_t>(child.size() + 1000), 2000, true}});
    Bytes file = make_box("moov", kHead - 8);
    append(file, top);
    append(file, child);
    append(file, fragment(1000));
    SegmentIndex ix = index_for(file.size() - 1);
    Loaded l = load_from(ix, file);
    REQUIRE(l.error);
    CHECK(l.error->message.find("timescale 90000 differs from the top sidx's 1000") != std::string::npos);
  }
}
