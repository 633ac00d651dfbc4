// Proves the installed package is usable the way an embedder would use it: headers resolve from the
// install prefix, the static libraries and their dependencies link, and the code runs: it parses an
// MPD, builds a segment index and asks an ABR algorithm for the first representation.
#include <cstdio>
#include <string>
#include <vector>

#include "abrplay/abr/algorithm/registry.h"
#include "abrplay/abr/version.h"
#include "abrplay/net/user_agent.h"
#include "abrplay/player/manifest/parser.h"
#include "abrplay/player/manifest/segment_index.h"

namespace {

constexpr const char* kMpd = R"(<?xml version="1.0"?>
<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="static" mediaPresentationDuration="PT8S"
     minBufferTime="PT2S" profiles="urn:mpeg:dash:profile:isoff-live:2011">
  <Period>
    <AdaptationSet mimeType="video/mp4" codecs="avc1.64001f">
      <SegmentTemplate timescale="1000" duration="4000" startNumber="1"
                       initialization="$RepresentationID$/init.mp4" media="$RepresentationID$/$Number%03d$.m4s"/>
      <Representation id="low" bandwidth="300000" width="426" height="240"/>
      <Representation id="high" bandwidth="4300000" width="1920" height="1080"/>
    </AdaptationSet>
  </Period>
</MPD>)";

int fail(const std::string& what) {
  std::fprintf(stderr, "consumer: %s\n", what.c_str());
  return 1;
}

}  // namespace

int main() {
  using namespace abrplay;
  manifest::ParseOptions options;
  options.document_url = "http://cdn.example/vod/manifest.mpd";
  auto mpd = manifest::parse_mpd(kMpd, options);
  if (!mpd) return fail(mpd.error().describe());
  auto index = manifest::SegmentIndex::create(*mpd, 0, 0, 1);
  if (!index) return fail(index.error().describe());
  const auto last = index->segment(1);
  if (!last || last->url != "http://cdn.example/vod/high/002.m4s") return fail("wrong segment URL");

  std::vector<abr::Representation> ladder;
  for (const auto& rep : mpd->periods[0].adaptation_sets[0].representations) {
    ladder.push_back({static_cast<double>(rep.bandwidth_bps) / 1000.0, {}});
  }
  auto algorithm = abr::make_algorithm("bola");
  if (!algorithm) return fail("no algorithm named bola");
  abr::AbrInput input;
  input.ladder = ladder;
  const abr::Decision first = algorithm->choose(input);

  std::printf("abrplay %s (%s)\nsegments: %llu, last: %s\nbola starts at %zu (%.*s)\n",
              std::string(version_string()).c_str(), net::default_user_agent().c_str(),
              static_cast<unsigned long long>(index->count().value_or(0)), last->url.c_str(),
              first.index, static_cast<int>(first.reason.size()), first.reason.data());
  return 0;
}
