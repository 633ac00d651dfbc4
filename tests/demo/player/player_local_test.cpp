// abrplay with a local presentation: a relative path, a path with a space and a non-ASCII letter,
// and the errors for a missing file, a directory and a file that is not an MPD.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "run_tool.h"

namespace abrplay::demo::local_test {

namespace {

namespace fs = std::filesystem;
using Run = abrplay::test::ToolRun;

Run run_player(std::vector<std::string> args, const fs::path& scratch) {
  return abrplay::test::run_tool(ABRPLAY_PLAYER_EXE, std::move(args), scratch);
}

nlohmann::json read_json(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return nlohmann::json::parse(s.str());
}

}  // namespace

TEST_CASE("abrplay --no-decode plays the test content from a relative path and from a path with a space and é",
          "[demo][player][content][file]") {
  const fs::path scratch = abrplay::test::process_scratch("player_local");
  // The relative path as a user types it, from this process's directory (the player inherits it).
  const fs::path manifest = fs::path(ABRPLAY_TEST_CONTENT_DIR) / "number" / "manifest.mpd";
  const fs::path relative = fs::relative(manifest);
  REQUIRE(relative.is_relative());
  // The same content under a folder whose name must be percent-encoded (a symbolic link to it).
  const fs::path odd = scratch / "local content \xc3\xa9";
  fs::create_directory_symlink(fs::path(ABRPLAY_TEST_CONTENT_DIR) / "segmentbase", odd);
  for (const fs::path& path : {relative, odd / "manifest.mpd"}) {
    CAPTURE(path);
    const fs::path json = scratch / "summary.json";
    const Run run = run_player({path.string(), "--no-decode", "--speed", "64", "--json-summary", json.string()},
                               scratch);
    INFO(run.out << run.err);
    CHECK(run.exit_code == 0);
    const auto j = read_json(json);
    CHECK(j["state"] == "ended");
    CHECK(j["played_s"].get<double>() == Approx(8.0).margin(0.15));
    CHECK(j["url"].get<std::string>().rfind("file:///", 0) == 0);
    CHECK(j["stalls"] == 0);
  }
}

TEST_CASE("abrplay reports a missing file, a directory and a file that is not an MPD with the path and status 1",
          "[demo][player][file]") {
  const fs::path scratch = abrplay::test::process_scratch("player_local_errors");
  std::ofstream(scratch / "not-an-mpd.mpd") << "plain text";
  struct Case {
    fs::path path;
    std::string says;
  };
  for (const Case& c : {Case{scratch / "nothing.mpd", "network.file"}, Case{scratch, "is a directory"},
                        Case{scratch / "not-an-mpd.mpd", "manifest.malformed_xml"}}) {
    CAPTURE(c.path);
    const Run run = run_player({c.path.string(), "--no-decode"}, scratch);
    INFO(run.out << run.err);
    CHECK(run.exit_code == 1);
    CHECK(run.out.find(c.says) != std::string::npos);
    CHECK(run.out.find(c.path.filename().string()) != std::string::npos);
  }
}

}  // namespace abrplay::demo::local_test
