// abrplay-fetch end to end: the built tool against a real server on 127.0.0.1.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <fstream>
#include <iterator>
#include <string>

#include "run_tool.h"
#include "support/test_server.h"

namespace {

using Run = abrplay::test::ToolRun;

// Runs the tool with `args` (test-controlled, space-separated) as a user would, no shell.
Run run_fetch(const std::string& args) {
  return abrplay::test::run_tool(ABRPLAY_FETCH_EXE, abrplay::test::split_args(args),
                                 abrplay::test::process_scratch("fetch_cli"));
}

}  // namespace

namespace abrplay::net::test {

TEST_CASE("abrplay-fetch --json reports status, bytes and throughput for each URL", "[demo][fetch]") {
  TestServer server;
  const Run run = run_fetch("--json --parallel 2 " + server.url("/bytes/5000") + " " + server.url("/status/404"));
  CHECK(run.exit_code == 1);  // one transfer failed
  const auto j = nlohmann::json::parse(run.out);
  REQUIRE(j.size() == 2);
  CHECK(j[0]["ok"] == true);
  CHECK(j[0]["status"] == 200);
  CHECK(j[0]["bytes"] == 5000);
  CHECK(j[0]["throughput_bps"].get<double>() > 0);
  CHECK(j[1]["ok"] == false);
  CHECK(j[1]["error"]["code"] == "network.http_status");
  CHECK(j[1]["error"]["status"] == 404);
}

TEST_CASE("abrplay-fetch -o writes exactly the requested range to the file", "[demo][fetch]") {
  TestServer server;
  const std::string path = std::string(ABRPLAY_BINARY_DIR) + "/fetch_cli_test_range.bin";
  const Run run = run_fetch("--range 100-1099 -o " + path + " " + server.url("/bytes/100000"));
  CHECK(run.exit_code == 0);
  CHECK(run.out.find("206") != std::string::npos);
  std::ifstream in(path, std::ios::binary);
  const std::string body((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  REQUIRE(body.size() == 1000);
  bool same = true;
  for (std::size_t i = 0; i < body.size(); ++i)
    same = same && static_cast<std::uint8_t>(body[i]) == pattern_byte(100 + i);
  CHECK(same);
  std::remove(path.c_str());
}

TEST_CASE("abrplay-fetch rejects a malformed range and -o with several URLs with exit code 2", "[demo][fetch]") {
  CHECK(run_fetch("--range 10-5 http://127.0.0.1:1/x").exit_code == 2);
  CHECK(run_fetch("--range abc http://127.0.0.1:1/x").exit_code == 2);
  CHECK(run_fetch("-o /dev/null http://127.0.0.1:1/a http://127.0.0.1:1/b").exit_code == 2);
  const Run bad_scheme = run_fetch("ftp://127.0.0.1/x");
  CHECK(bad_scheme.exit_code == 1);
  CHECK(bad_scheme.out.find("network.bad_url") != std::string::npos);
}

}  // namespace abrplay::net::test
