// libFuzzer target: the MPD parser, segment indexes built from what it accepts, thumbnail tiles of
// image representations, the sidx parser and the template compiler, on arbitrary bytes. Built only with -DABRPLAY_FUZZ=ON and clang; seed it
// with tests/data/mpd-corpus (see docs/manifest.md).
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "abrplay/player/manifest/parser.h"
#include "abrplay/player/manifest/segment_index.h"
#include "abrplay/player/manifest/sidx.h"
#include "abrplay/player/manifest/thumbnails.h"

using namespace abrplay::manifest;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)parse_sidx(std::span<const uint8_t>(data, size), 0);
  (void)SegmentTemplate::compile(text.substr(0, 256));
  ParseOptions opt;
  opt.document_url = "https://fuzz.example/a/b/manifest.mpd";
  auto mpd = parse_mpd(text, opt);
  if (!mpd) return 0;
  (void)thumbnail_problems(*mpd);
  (void)find_thumbnail_track(*mpd, std::chrono::seconds(3));
  int budget = 64;  // representations indexed per input, to keep each run fast
  for (std::size_t p = 0; p < mpd->periods.size(); ++p) {
    for (std::size_t a = 0; a < mpd->periods[p].adaptation_sets.size(); ++a) {
      for (std::size_t r = 0; r < mpd->periods[p].adaptation_sets[a].representations.size(); ++r) {
        if (--budget < 0) return 0;
        auto ix = SegmentIndex::create(*mpd, p, a, r);
        if (!ix) continue;
        // The input stands for every sidx request too (a chain asks again while needs_index()).
        for (int k = 0; k < 4 && ix->needs_index(); ++k) {
          if (!ix->load_index(std::span<const uint8_t>(data, size))) break;
        }
        auto first = ix->segment(0);
        if (first) (void)ix->next(*first);
        if (auto n = ix->count(); n && *n > 0) (void)ix->segment(*n - 1);
        (void)ix->segment_at(std::chrono::seconds(5));
        (void)ix->total_duration();
        abrplay::WallTime now = mpd->availability_start_time.value_or(abrplay::WallTime{}) + std::chrono::hours(1);
        if (auto w = ix->available(now)) (void)ix->segment(w->last);
        const Representation& rep = mpd->periods[p].adaptation_sets[a].representations[r];
        if (rep.tiles) {
          for (auto t : {std::chrono::seconds(0), std::chrono::seconds(7), std::chrono::seconds(100000)}) {
            if (auto tile = thumbnail_tile(*ix, *rep.tiles, t)) {
              (void)tile_rect(*rep.tiles, tile->index, rep.width.value_or(0), rep.height.value_or(0));
            }
          }
        }
      }
    }
  }
  return 0;
}
