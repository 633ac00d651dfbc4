// Local presentations through the public API (file:// URLs), and the local-file rule end to end: a
// manifest served over http never makes the player read a file, whatever its BaseURL or template.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "abrplay/net/url.h"
#include "abrplay/player.h"
#include "api_test_support.h"

namespace abrplay::test {
namespace {

namespace fs = std::filesystem;

std::string content_url(const std::string& variant) {
  auto url = net::file_url((fs::path(ABRPLAY_TEST_CONTENT_DIR) / variant / "manifest.mpd").string());
  REQUIRE(url);
  return *url;
}

std::string read_text(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// A folder of this process's own holding hostile variants of the test content's number MPD.
struct HostileContent {
  HostileContent() {
    dir = fs::path(ABRPLAY_BINARY_DIR) / "api_local_scratch" / std::to_string(::getpid());
    fs::remove_all(dir);
    fs::create_directories(dir);
    const std::string mpd = read_text(fs::path(ABRPLAY_TEST_CONTENT_DIR) / "number" / "manifest.mpd");
    // An absolute file: BaseURL at the top of the document.
    write("base.mpd", std::regex_replace(mpd, std::regex("<Period"), "<BaseURL>file:///etc/</BaseURL><Period",
                                         std::regex_constants::format_first_only));
    // Absolute file: templates.
    write("template.mpd",
          std::regex_replace(mpd, std::regex("initialization=\"[^\"]*\""), "initialization=\"file:///etc/passwd\""));
  }
  ~HostileContent() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
  void write(const std::string& name, const std::string& text) const { std::ofstream(dir / name) << text; }
  fs::path dir;
};

const PlayerEvent& wait_first_error(PlayerSession& p) {
  REQUIRE(p.rec.wait_error());
  static thread_local std::vector<PlayerEvent> events;
  events = p.rec.events();
  const PlayerEvent* e = Recorder::first_error(events);
  REQUIRE(e != nullptr);
  return *e;
}

}  // namespace

TEST_CASE("a file:// URL plays the test content from disk to the end, every frame", "[api][file]") {
  for (const std::string variant : {"number", "segmentbase"}) {  // templates; SegmentBase byte ranges
    CAPTURE(variant);
    PlayerSession p;
    p.load_until(content_url(variant), PlayerState::kEnded);
    const auto s = p.player.stats();
    CHECK(s.frames_presented == 200);
    CHECK(s.segments_downloaded >= 4);
    CHECK(Recorder::first_error(p.rec.events()) == nullptr);
  }
}

TEST_CASE("a manifest served over http never reaches file: through BaseURL or template", "[api][file][security]") {
  HostileContent hostile;
  auto origin = serve({hostile.dir.string(), ABRPLAY_TEST_CONTENT_DIR});
  for (const std::string name : {"base.mpd", "template.mpd"}) {
    CAPTURE(name);
    PlayerSession p;
    p.load(origin->url(0) + name);
    const PlayerEvent& e = wait_first_error(p);
    CAPTURE(e.error.describe());
    CHECK(e.error.code == ErrorCode::kNetworkBadUrl);
    CHECK(e.error.message.find("file:///etc/") != std::string::npos);
    CHECK(e.error.message.find("refused: a file: URL may be read only for a manifest loaded from file:") !=
          std::string::npos);
    CHECK(p.player.stats().frames_presented == 0);
  }
}

TEST_CASE("a missing file, a directory and a file that is not an MPD are errors naming the path", "[api][file]") {
  HostileContent scratch;
  scratch.write("not-an-mpd.mpd", "this is not XML");
  struct Case {
    std::string url;
    ErrorCode code;
    std::string says;
  };
  for (const Case& c : {Case{*net::file_url((scratch.dir / "nothing.mpd").string()), ErrorCode::kNetworkFile,
                             "no such file: " + (scratch.dir / "nothing.mpd").string()},
                        Case{*net::file_url(scratch.dir.string()), ErrorCode::kNetworkFile, "is a directory"},
                        Case{*net::file_url((scratch.dir / "not-an-mpd.mpd").string()),
                             ErrorCode::kManifestMalformedXml, "not-an-mpd.mpd"}}) {
    CAPTURE(c.url);
    PlayerSession p;
    p.load(c.url);
    const PlayerEvent& e = wait_first_error(p);
    CAPTURE(e.error.describe());
    CHECK(e.error.code == c.code);
    CHECK(e.error.message.find(c.says) != std::string::npos);
  }
}

}  // namespace abrplay::test
