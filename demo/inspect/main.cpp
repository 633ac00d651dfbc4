// abrplay-inspect FILE_OR_URL [--json]: prints what an MPD presents and where its segments are.
// Exit 0 on success; 1 with one stderr line when the manifest is bad or cannot be read.
#include <CLI/CLI.hpp>
#include <curl/curl.h>

#include <chrono>
#include <iostream>

#include "abrplay/net/url.h"
#include "abrplay/player/manifest/parser.h"
#include "abrplay/player/manifest/xlink.h"
#include "report.h"
#include "source.h"

int main(int argc, char** argv) {
  CLI::App app{"abrplay-inspect: print the periods, adaptation sets, representations and segment "
               "addresses of a DASH manifest"};
  std::string input;
  bool as_json = false;
  app.add_option("FILE_OR_URL", input, "MPD file path, or http(s):// URL")->required();
  app.add_flag("--json", as_json, "print JSON instead of text");
  CLI11_PARSE(app, argc, argv);

  curl_global_init(CURL_GLOBAL_DEFAULT);
  struct CurlGlobal {
    ~CurlGlobal() { curl_global_cleanup(); }
  } curl_global;

  abrplay::manifest::ParseOptions options;
  auto source = abrplay::inspect::load_mpd(input, options.limits.max_bytes);
  if (!source) {
    std::cerr << "abrplay-inspect: " << source.error() << "\n";
    return 1;
  }
  options.document_url = source->document_url;
  // Remote elements (xlink) are fetched one after the other, as the player would (all at once).
  abrplay::manifest::XlinkResolver xlink(source->text, source->document_url,
                                         abrplay::net::file_access_for(source->document_url));
  while (!xlink.done()) {
    for (const abrplay::manifest::XlinkRequest& q : xlink.take_requests()) {
      auto bytes = abrplay::inspect::read_range(q.url, std::nullopt);
      if (bytes) {
        xlink.supply(q.id, std::string(bytes->begin(), bytes->end()));
      } else {
        xlink.supply(q.id, abrplay::Unexpected{bytes.error()});
      }
    }
  }
  auto mpd = abrplay::manifest::parse_mpd(xlink.text(), options);
  if (!mpd) {
    std::cerr << "abrplay-inspect: " << input << ": " << mpd.error().describe() << "\n";
    return 1;
  }
  auto now = std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::system_clock::now());
  mpd->warnings.insert(mpd->warnings.begin(), xlink.warnings().begin(), xlink.warnings().end());
  auto report = abrplay::inspect::build_report(*mpd, abrplay::WallTime(now.time_since_epoch()));
  if (!report) {
    std::cerr << "abrplay-inspect: " << input << ": " << report.error().describe() << "\n";
    return 1;
  }
  if (as_json) {
    std::cout << report->dump(2) << "\n";
  } else {
    std::cout << abrplay::inspect::render_text(*report);
  }
  return 0;
}
