// Options: command line, JSON profile, and the errors for bad options, profiles and traces.
#include <catch2/catch.hpp>

#include "origin_fixture.h"

namespace abrplay::origin::test {

namespace {
Expected<OriginOptions, CliExit> parse(std::vector<std::string> args) {
  args.insert(args.begin(), "abrplay-origin");
  std::vector<const char*> argv;
  for (const auto& a : args) argv.push_back(a.c_str());
  return parse_options(static_cast<int>(argv.size()), argv.data());
}
}  // namespace

TEST_CASE("command-line options are parsed into OriginOptions", "[origin][options]") {
  auto o = parse({"--root",   "a",  "--root", "b", "--port",   "8000", "--trace", "t1",    "--trace", "t2",
                  "--rtt-ms", "40", "--cdn",  "2", "--faults", "f0",   "--live",  "--log", "l.jsonl", "--telemetry-out",
                  "t.jsonl"});
  REQUIRE(o);
  CHECK(o->roots == std::vector<std::string>{"a", "b"});
  CHECK(o->port == 8000);
  CHECK(o->traces == std::vector<std::string>{"t1", "t2"});
  CHECK(o->rtt_ms == 40);
  CHECK(o->cdn == 2);
  CHECK(o->faults == std::vector<std::string>{"f0"});
  CHECK(o->live);
  CHECK(o->log == "l.jsonl");
  CHECK(o->telemetry_out == "t.jsonl");
}

TEST_CASE("a JSON profile gives options, the command line wins over it", "[origin][options]") {
  ContentFixture dir(1);
  dir.write("profile.json", R"({"root": ["x", "y"], "cdn": 3, "rtt_ms": 25, "live": true, "trace": "p.txt",
                                "log": "from-profile.jsonl", "token": "tok"})");
  auto o = parse({"--profile", dir.file("profile.json").string(), "--rtt-ms", "80"});
  REQUIRE(o);
  CHECK(o->roots == std::vector<std::string>{(dir.dir() / "x").string(), (dir.dir() / "y").string()});
  CHECK(o->cdn == 3);
  CHECK(o->rtt_ms == 80);
  CHECK(o->live);
  CHECK(o->traces == std::vector<std::string>{(dir.dir() / "p.txt").string()});
  CHECK(o->token == "tok");
  dir.write("ll.json",
            R"({"root": "x", "live": true, "low_latency": true, "chunk_ms": 500, "target_latency_ms": 2000})");
  auto ll = parse({"--profile", dir.file("ll.json").string()});
  REQUIRE(ll);
  CHECK(ll->low_latency);
  CHECK(ll->chunk_ms == 500);
  CHECK(ll->target_latency_ms == 2000);
  CHECK_FALSE(ll->no_chunked_transfer);
  auto whole = parse({"--root", "x", "--live", "--low-latency", "--no-chunked-transfer"});
  REQUIRE(whole);
  CHECK(whole->no_chunked_transfer);
}

TEST_CASE("bad options and profiles get a clear message and exit code 2, --help exits 0", "[origin][options]") {
  ContentFixture dir(1);
  dir.write("typo.json", R"({"root": "x", "rtt": 5})");
  dir.write("wrongtype.json", R"({"root": "x", "cdn": "two"})");
  auto message = [](const Expected<OriginOptions, CliExit>& r) {
    REQUIRE_FALSE(r);
    CHECK(r.error().code == 2);
    return r.error().text;
  };
  CHECK(message(parse({})) == "abrplay-origin: give at least one --root DIR to serve\n");
  CHECK(message(parse({"--root", "x", "--cdn", "0"})) == "abrplay-origin: --cdn must be 1..16, got 0\n");
  CHECK(message(parse({"--root", "x", "--port", "70000"})).find("--port must be") != std::string::npos);
  CHECK(message(parse({"--root", "x", "--faults", "a", "--faults", "b"})) ==
        "abrplay-origin: --faults given 2 times for 1 CDN(s)\n");
  CHECK(message(parse({"--root", "x", "--rtt-ms", "fast"})).find("--rtt-ms") != std::string::npos);
  CHECK(message(parse({"--bogus"})).find("--bogus") != std::string::npos);
  CHECK(message(parse({"--root", "x", "--low-latency"})) == "abrplay-origin: --low-latency needs --live\n");
  CHECK(message(parse({"--root", "x", "--live", "--no-chunked-transfer"})) ==
        "abrplay-origin: --no-chunked-transfer needs --low-latency\n");
  CHECK(message(parse({"--root", "x", "--live", "--low-latency", "--chunk-ms", "0"})) ==
        "abrplay-origin: --chunk-ms must be 100..10000, got 0\n");
  CHECK(message(
            parse({"--root", "x", "--live", "--live-window-s", "4", "--low-latency", "--target-latency-ms", "5000"})) ==
        "abrplay-origin: --target-latency-ms must be 500..4000 (at most the live window), got 5000\n");
  CHECK(message(parse({"--profile", dir.file("typo.json").string()})).find("typo.json: unknown key 'rtt'") !=
        std::string::npos);
  CHECK(message(parse({"--profile", dir.file("wrongtype.json").string()})).find("'cdn' must be an integer") !=
        std::string::npos);
  CHECK(message(parse({"--profile", "/nonexistent.json"})).find("cannot open the profile") != std::string::npos);
  auto help = parse({"--help"});
  REQUIRE_FALSE(help);
  CHECK(help.error().code == 0);
  for (const char* opt : {"--root", "--port", "--trace", "--rtt-ms", "--cdn", "--faults", "--live", "--low-latency",
                          "--chunk-ms", "--target-latency-ms", "--log", "--telemetry-out", "--profile"}) {
    CHECK(help.error().text.find(opt) != std::string::npos);
  }
}

TEST_CASE("bad traces, fault files and roots are refused before serving, naming the file", "[origin][options]") {
  ContentFixture dir(1);
  dir.write("bad-trace.txt", "0 1\n1 banana\n");
  dir.write("bad-faults.json", R"({"rules": [{"fault": "nope"}]})");
  OriginOptions o;
  o.roots = {dir.dir().string()};
  o.traces = {dir.file("bad-trace.txt").string()};
  auto c = config_from_options(o);
  REQUIRE_FALSE(c);
  CHECK(c.error().rfind("--trace: ", 0) == 0);
  CHECK(c.error().find("bad-trace.txt:2: ") != std::string::npos);
  o.traces = {"/nonexistent-trace.txt"};
  REQUIRE_FALSE(config_from_options(o));
  o.traces.clear();
  o.faults = {dir.file("bad-faults.json").string()};
  c = config_from_options(o);
  REQUIRE_FALSE(c);
  CHECK(c.error() == "--faults " + dir.file("bad-faults.json").string() + ": rules[0]: unknown fault 'nope'");
  OriginConfig bad_root;
  bad_root.roots = {(dir.dir() / "missing").string()};
  auto origin = Origin::start(bad_root);
  REQUIRE_FALSE(origin);
  CHECK(origin.error().find("missing: not a directory") != std::string::npos);
}

}  // namespace abrplay::origin::test

namespace abrplay::origin::test {

TEST_CASE("the example fault files and profile in demo/origin/examples are valid", "[origin][options]") {
  const std::string examples = std::string(ABRPLAY_TEST_DATA_DIR) + "/../../demo/origin/examples/";
  for (const char* name : {"flaky-cdn.json", "dead-cdn.json"}) {
    auto plan = FaultPlan::load(examples + name);
    INFO(name);
    CHECK(plan);
  }
  auto o = parse_options(
      3, std::vector<const char*>{"abrplay-origin", "--profile", (examples + "two-cdns.profile.json").c_str()}.data());
  REQUIRE(o);
  CHECK(o->cdn == 2);
  REQUIRE(o->faults.size() == 2);
  CHECK(FaultPlan::load(o->faults[1]));  // found relative to the profile
  CHECK(config_from_options(*o));        // the traces it names load
}

}  // namespace abrplay::origin::test
