// abrplay-soak as a user runs it, briefly: many sessions through the faulty origin, samples of
// memory, threads and descriptors, a verdict, and a clear exit code for a bad command line.
#include <catch2/catch.hpp>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "run_tool.h"

TEST_CASE("a short soak with faults plays many sessions, samples /proc, and threads and descriptors stay flat",
          "[soak]") {
  const auto dir = abrplay::test::process_scratch("soak", "run");
  const auto json = dir / "soak.json";
  const auto run = abrplay::test::run_tool(ABRPLAY_SOAK_EXE,
                                           {"--root", ABRPLAY_TEST_CONTENT_DIR, "--faults", ABRPLAY_SOAK_FAULTS,
                                            "--seconds", "16", "--sample-s", "2", "--json", json.string()},
                                           dir);
  INFO(run.out << run.err);
  // 0 or 1 (the verdict): 16 s is too short to judge memory, whose swings within a session are
  // larger than any leak this long; threads and descriptors must not grow.
  CHECK((run.exit_code == 0 || run.exit_code == 1));
  const auto j = nlohmann::json::parse(abrplay::test::slurp_file(json));
  CHECK(j["sessions"].get<int>() >= 3);
  REQUIRE(j["samples"].size() >= 8);
  for (const auto& s : j["samples"]) {
    CHECK(s["rss_mib"].get<double>() > 0);
    CHECK(s["threads"].get<int>() > 1);
    CHECK(s["fds"].get<int>() > 2);
  }
  const auto& v = j["verdict"];
  CHECK(v["threads_floor_last"].get<int>() <= v["threads_peak_first"].get<int>() + 2);
  CHECK(v["fds_floor_last"].get<int>() <= v["fds_peak_first"].get<int>() + 6);  // curl's connections per host
  CHECK(run.out.find("verdict:") != std::string::npos);
  std::filesystem::remove_all(dir);
}

TEST_CASE("abrplay-soak refuses a bad command line or fault file with exit code 2, naming it", "[soak]") {
  const auto dir = abrplay::test::process_scratch("soak", "bad");
  CHECK(abrplay::test::run_tool(ABRPLAY_SOAK_EXE, {}, dir).exit_code != 0);  // --root is required
  const auto missing =
      abrplay::test::run_tool(ABRPLAY_SOAK_EXE,
                              {"--root", ABRPLAY_TEST_CONTENT_DIR, "--faults", (dir / "nope.json").string()}, dir);
  CHECK(missing.exit_code == 2);
  CHECK(missing.err.find("nope.json") != std::string::npos);
  std::filesystem::remove_all(dir);
}
