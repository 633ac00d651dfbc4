// libFuzzer target: XlinkResolver on arbitrary bytes, then the parser on the result. The input is
// NUL-separated documents: the MPD, then the remote documents, which answer the requests in turn
// (so links nest as deep and as wide as the limits let them); every fifth request fails instead.
// Built only with -DABRPLAY_FUZZ=ON and clang; seeds are written by tests/fuzz/run-fuzzers.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "abrplay/player/manifest/parser.h"
#include "abrplay/player/manifest/xlink.h"

using namespace abrplay::manifest;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  std::vector<std::string_view> docs;
  for (std::size_t at = 0;;) {
    const std::size_t nul = input.find('\0', at);
    docs.push_back(input.substr(at, nul == std::string_view::npos ? std::string_view::npos : nul - at));
    if (nul == std::string_view::npos) break;
    at = nul + 1;
  }
  XlinkResolver r(docs[0], "https://fuzz.example/a/manifest.mpd", abrplay::net::FileAccess::kRefused);
  int rounds = 0;
  while (!r.done() && ++rounds < 1000) {
    for (const XlinkRequest& q : r.take_requests()) {
      if (docs.size() < 2 || q.id % 5 == 0) {
        r.supply(q.id, abrplay::Unexpected{std::string("HTTP 404 for ") + q.url});
      } else {
        r.supply(q.id, std::string(docs[1 + (q.id - 1) % (docs.size() - 1)]));
      }
    }
  }
  ParseOptions opt;
  opt.document_url = "https://fuzz.example/a/manifest.mpd";
  (void)parse_mpd(r.text(), opt);
  return 0;
}
