// abrplay-manifest-bench: parse time of a generated 50,000-S SegmentTimeline MPD and of the whole
// MPD corpus, median of several runs. A benchmark, not a test: it prints numbers and asserts nothing.
//   abrplay-manifest-bench [--runs N] [--corpus DIR]
#include <CLI/CLI.hpp>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <vector>

#include "abrplay/player/manifest/parser.h"
#include "abrplay/player/manifest/segment_index.h"

namespace fs = std::filesystem;
using namespace abrplay::manifest;
using Clock = std::chrono::steady_clock;

namespace {

std::string big_timeline_mpd(int s_count) {
  std::ostringstream x;
  x << R"(<?xml version="1.0"?><MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="static" mediaPresentationDuration="PT200000S">)"
    << R"(<Period><AdaptationSet mimeType="video/mp4"><Representation id="v" bandwidth="1000000">)"
    << R"(<SegmentTemplate timescale="90000" media="$RepresentationID$/$Time$.m4s" initialization="init.mp4"><SegmentTimeline>)";
  uint64_t t = 0;
  for (int i = 0; i < s_count; ++i) {
    uint64_t d = 180000 + static_cast<uint64_t>(i % 7) * 3003;  // varying d: one S per segment
    x << "<S t=\"" << t << "\" d=\"" << d << "\"/>";
    t += d;
  }
  x << "</SegmentTimeline></SegmentTemplate></Representation></AdaptationSet></Period></MPD>";
  return x.str();
}

template <typename F>
double median_ms(int runs, F&& f) {
  std::vector<double> ms;
  for (int i = 0; i < runs; ++i) {
    auto t0 = Clock::now();
    f();
    ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
  }
  std::sort(ms.begin(), ms.end());
  return ms[ms.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"abrplay-manifest-bench: MPD parse times (median of N runs)"};
  int runs = 9;
  std::string corpus = ABRPLAY_DEFAULT_CORPUS;
  app.add_option("--runs", runs, "runs per measurement")->check(CLI::Range(1, 1000));
  app.add_option("--corpus", corpus, "directory of MPD files");
  CLI11_PARSE(app, argc, argv);

  const std::string big = big_timeline_mpd(50'000);
  std::size_t segments = 0;
  double parse_ms = median_ms(runs, [&] {
    auto mpd = parse_mpd(big);
    if (!mpd) std::abort();
  });
  auto mpd = parse_mpd(big);
  double index_ms = median_ms(runs, [&] {
    auto ix = SegmentIndex::create(*mpd, 0, 0, 0);
    segments = ix->count().value_or(0);
    (void)ix->segment_at(std::chrono::hours(50));
  });
  std::cout << "50,000-S SegmentTimeline MPD (" << big.size() / 1024 << " KiB, " << segments << " segments):\n"
            << "  parse_mpd           median " << parse_ms << " ms\n"
            << "  SegmentIndex create median " << index_ms << " ms\n";

  std::vector<std::string> files;
  std::size_t bytes = 0;
  for (const auto& e : fs::recursive_directory_iterator(corpus)) {
    std::string name = e.path().filename().string();
    if (!e.is_regular_file() || name == "README.md" || name == ".list") continue;
    std::ifstream in(e.path(), std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    files.push_back(ss.str());
    bytes += files.back().size();
  }
  std::size_t ok = 0;
  double corpus_ms = median_ms(runs, [&] {
    ok = 0;
    for (const std::string& f : files) ok += parse_mpd(f).has_value();
  });
  std::cout << "corpus " << corpus << " (" << files.size() << " files, " << bytes / 1024 << " KiB, " << ok
            << " parsed):\n  parse_mpd all files median " << corpus_ms << " ms\n";
  return 0;
}
