// The real-world corpus (tests/data/mpd-corpus, copied from ExoPlayer's and Shaka's test assets):
// every well-formed file parses and every representation gets a segment index; the files listed
// below fail, each with the error code judged right for it; none crashes.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "abrplay/player/manifest/parser.h"
#include "abrplay/player/manifest/segment_index.h"

namespace fs = std::filesystem;
using namespace abrplay;
using namespace abrplay::manifest;

namespace {

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<fs::path> corpus_files() {
  std::vector<fs::path> out;
  fs::path root = fs::path(ABRPLAY_TEST_DATA_DIR) / "mpd-corpus";
  for (const auto& e : fs::recursive_directory_iterator(root)) {
    if (!e.is_regular_file()) continue;
    std::string name = e.path().filename().string();
    if (name == "README.md" || name == ".list") continue;
    out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

// Files expected to fail, by path, with the code. All of these are fragments from ExoPlayer's parser
// unit tests: they parse (the model is fine), but a representation has no usable addressing
// (an empty <SegmentTemplate/> or <SegmentList/>, or no @media), so building its segment index
// fails with kManifestMissingAttribute naming the element. Every other file must parse and index.
const std::map<std::string, ErrorCode>& expected_failures() {
  static const std::string dir = "media/libraries/test_data/src/test/assets/media/mpd/";
  static const std::map<std::string, ErrorCode> m = {
      {dir + "sample_mpd_availabilityTimeOffset_baseUrl", ErrorCode::kManifestMissingAttribute},
      {dir + "sample_mpd_availabilityTimeOffset_segmentList", ErrorCode::kManifestMissingAttribute},
      {dir + "sample_mpd_availabilityTimeOffset_segmentTemplate", ErrorCode::kManifestMissingAttribute},
      {dir + "sample_mpd_essential_supplemental_properties", ErrorCode::kManifestMissingAttribute},
      {dir + "sample_mpd_live_location_redirect_absolute", ErrorCode::kManifestMissingAttribute},
      {dir + "sample_mpd_live_location_redirect_relative", ErrorCode::kManifestMissingAttribute},
      {dir + "sample_mpd_live_with_complete_service_description", ErrorCode::kManifestMissingAttribute},
      {dir + "sample_mpd_live_with_offset_too_long", ErrorCode::kManifestMissingAttribute},
      {dir + "sample_mpd_live_with_offset_too_short", ErrorCode::kManifestMissingAttribute},
      {dir + "sample_mpd_live_with_suggested_presentation_delay_2s_min_buffer_time_500ms",
       ErrorCode::kManifestMissingAttribute},
      {dir + "sample_mpd_live_without_live_configuration", ErrorCode::kManifestMissingAttribute},
      {dir + "sample_mpd_multiple_baseUrls", ErrorCode::kManifestMissingAttribute},
      {dir + "sample_mpd_relative_baseUrls_dvb_profile_declared", ErrorCode::kManifestMissingAttribute},
      {dir + "sample_mpd_relative_baseUrls_dvb_profile_not_declared", ErrorCode::kManifestMissingAttribute},
  };
  return m;
}

}  // namespace

TEST_CASE("corpus: well-formed MPDs parse and index, listed malformed ones fail with their code",
          "[manifest][corpus]") {
  auto files = corpus_files();
  REQUIRE(files.size() >= 90);
  std::size_t parsed = 0;
  for (const fs::path& f : files) {
    std::string rel = f.lexically_relative(fs::path(ABRPLAY_TEST_DATA_DIR) / "mpd-corpus").generic_string();
    INFO(rel);
    std::string text = read_file(f);
    ParseOptions opt;  // as if served over HTTP: some files use network-path references ("//host/")
    opt.document_url = "https://origin.example/" + rel;
    auto mpd = parse_mpd(text, opt);
    std::optional<Error> failure;
    if (!mpd) {
      failure = mpd.error();
    } else {
      for (std::size_t p = 0; p < mpd->periods.size() && !failure; ++p)
        for (std::size_t a = 0; a < mpd->periods[p].adaptation_sets.size() && !failure; ++a)
          for (std::size_t r = 0; r < mpd->periods[p].adaptation_sets[a].representations.size() && !failure; ++r) {
            auto ix = SegmentIndex::create(*mpd, p, a, r);
            if (!ix) failure = ix.error();
            else if (auto n = ix->count(); n && *n > 0) CHECK(ix->segment(*n - 1));
          }
    }
    auto it = expected_failures().find(rel);
    if (it == expected_failures().end()) {
      CHECK((failure ? failure->describe() : std::string()) == "");
      if (!failure) ++parsed;
    } else {
      REQUIRE(failure);
      CHECK(failure->code == it->second);
      CHECK(failure->message.size() > 10);
    }
  }
  CHECK(parsed + expected_failures().size() == files.size());
}

TEST_CASE("corpus: truncated and byte-flipped files give a value or a located error, never a crash",
          "[manifest][corpus][bad]") {
  std::size_t errors = 0;
  for (const fs::path& f : corpus_files()) {
    const std::string text = read_file(f);
    ParseOptions opt;
    opt.document_url = "https://origin.example/x/manifest.mpd";
    for (std::size_t k = 1; k <= 8; ++k) {
      std::string cut = text.substr(0, text.size() * k / 9);
      auto r = parse_mpd(cut, opt);
      if (!r) {
        ++errors;
        CHECK(r.error().code != ErrorCode::kOk);
        CHECK_FALSE(r.error().message.empty());
      }
      std::string flipped = text;
      for (std::size_t i = k * 7919 % flipped.size(); i < flipped.size(); i += 997) flipped[i] ^= 0x20;
      auto m = parse_mpd(flipped, opt);
      if (m && !m->periods.empty() && !m->periods[0].adaptation_sets.empty() &&
          !m->periods[0].adaptation_sets[0].representations.empty()) {
        auto ix = SegmentIndex::create(*m, 0, 0, 0);
        if (ix && ix->count() && *ix->count() > 0) CHECK(ix->segment(*ix->count() - 1));
      }
    }
  }
  CHECK(errors > 0);  // truncated XML is mostly malformed
}
