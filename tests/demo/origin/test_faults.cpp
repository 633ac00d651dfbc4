// Fault injection: each fault kind as a client sees it, and the rule logic (matching, every nth,
// probability, time window, parse errors).
#include <catch2/catch.hpp>

#include <fstream>

#include "http_client.h"
#include "origin_fixture.h"

namespace abrplay::origin::test {

namespace {

using std::chrono::milliseconds;

FaultPlan plan(const std::string& json) {
  auto p = FaultPlan::parse(json, "faults.json");
  if (!p) FAIL(p.error());
  return std::move(*p);
}

// An origin serving a 100 000-byte blob with one fault rule.
struct Faulty {
  ContentFixture content{100'000};
  std::unique_ptr<Origin> origin;
  explicit Faulty(const std::string& rules_json, const std::string& log_path = "") {
    OriginConfig config;
    config.roots = {content.dir().string()};
    config.cdns[0].faults = std::make_shared<FaultPlan>(plan(rules_json));
    config.log_path = log_path;
    origin = start_origin(config);
  }
  HttpResult get(const std::string& path = "blob.bin") const { return http_get(origin->url(0) + path); }
};

}  // namespace

TEST_CASE("status fault: the request gets the configured status", "[origin][faults]") {
  Faulty f(R"({"rules": [{"match": "*.bin", "fault": "status", "status": 503}]})");
  const HttpResult r = f.get();
  CHECK(r.status == 503);
  CHECK(r.body.find("injected fault") != std::string::npos);
  CHECK(f.get("vod/manifest.mpd").status == 200);  // the pattern does not match
}

TEST_CASE("reset fault: the connection is reset mid-body", "[origin][faults]") {
  Faulty f(R"({"rules": [{"fault": "reset", "at_fraction": 0.5}]})");
  const HttpResult r = f.get();
  INFO(r.error);
  CHECK(r.curl_code == 56);  // CURLE_RECV_ERROR: "Connection reset by peer"
  CHECK(r.body.size() <= 50'000);
}

TEST_CASE("truncate fault: the body stops early and the connection closes cleanly", "[origin][faults]") {
  Faulty f(R"({"rules": [{"fault": "truncate", "at_fraction": 0.25}]})");
  const HttpResult r = f.get();
  INFO(r.error);
  CHECK(r.curl_code == 18);  // CURLE_PARTIAL_FILE: fewer bytes than Content-Length
  CHECK(r.body.size() == 25'000);
  CHECK(r.body == f.content.blob().substr(0, 25'000));
}

TEST_CASE("stall fault: the body pauses for stall_s, then completes intact", "[origin][faults]") {
  Faulty f(R"({"rules": [{"fault": "stall", "stall_s": 0.6, "at_fraction": 0.5}]})");
  const HttpResult r = f.get();
  REQUIRE(r.curl_code == 0);
  CHECK(r.body == f.content.blob());
  CHECK(r.first_byte_s < 0.3);  // the stall is mid-body, not before the headers
  CHECK(r.total_s >= 0.6);
  CHECK(r.total_s < 0.6 + 1.0);  // room for a loaded machine
}

TEST_CASE("corrupt fault: full length, exactly `bytes` bytes inverted", "[origin][faults]") {
  Faulty f(R"({"rules": [{"fault": "corrupt", "bytes": 10}]})");
  const HttpResult r = f.get();
  REQUIRE(r.curl_code == 0);
  REQUIRE(r.body.size() == 100'000);
  const std::string good = f.content.blob();
  int differing = 0;
  for (std::size_t i = 0; i < good.size(); ++i) {
    if (r.body[i] != good[i]) {
      ++differing;
      CHECK(static_cast<char>(~r.body[i]) == good[i]);
    }
  }
  CHECK(differing == 10);
}

TEST_CASE("slow_first_byte fault: headers arrive after delay_ms", "[origin][faults]") {
  Faulty f(R"({"rules": [{"fault": "slow_first_byte", "delay_ms": 400}]})");
  const HttpResult r = f.get();
  REQUIRE(r.curl_code == 0);
  CHECK(r.first_byte_s >= 0.4);
  CHECK(r.first_byte_s < 0.4 + 0.5);  // room for a loaded machine
  CHECK(r.body == f.content.blob());
}

TEST_CASE("wrong_type fault: 200 with an HTML page instead of the content", "[origin][faults]") {
  Faulty f(R"({"rules": [{"match": "*.bin", "fault": "wrong_type"}]})");
  const HttpResult r = f.get();
  REQUIRE(r.curl_code == 0);
  CHECK(r.status == 200);
  CHECK(r.header("content-type").rfind("text/html", 0) == 0);
  CHECK(r.body.find("<html>") != std::string::npos);
}

TEST_CASE("redirect_loop fault: 302 to the request itself", "[origin][faults]") {
  Faulty f(R"({"rules": [{"match": "*.bin", "fault": "redirect_loop"}]})");
  const HttpResult r = f.get("blob.bin?x=1");
  CHECK(r.status == 302);
  CHECK(r.header("location") == "/blob.bin?x=1");
}

TEST_CASE("oversize fault: the content, then `bytes` zero bytes, with a matching Content-Length", "[origin][faults]") {
  Faulty f(R"({"rules": [{"match": "*.bin", "fault": "oversize", "bytes": 100000}]})");
  const HttpResult r = f.get();
  REQUIRE(r.curl_code == 0);
  const std::string& blob = f.content.blob();
  REQUIRE(r.body.size() == blob.size() + 100000);
  CHECK(r.header("content-length") == std::to_string(blob.size() + 100000));
  CHECK(r.body.compare(0, blob.size(), blob) == 0);
  CHECK(r.body.find_first_not_of('\0', blob.size()) == std::string::npos);
}

TEST_CASE("every_nth fires on the nth matching request only, and the log names the fault", "[origin][faults]") {
  ContentFixture logdir(1);
  const std::string log = (logdir.dir() / "requests.jsonl").string();
  {
    Faulty f(R"({"rules": [{"match": "/vod/seg-*", "every_nth": 3, "fault": "status", "status": 500}]})", log);
    std::vector<long> statuses;
    for (int i = 1; i <= 6; ++i) statuses.push_back(f.get("vod/seg-a-" + std::to_string(1 + i % 5) + ".m4s").status);
    CHECK(statuses == std::vector<long>{200, 200, 500, 200, 200, 500});
    CHECK(f.get("blob.bin").status == 200);
  }
  std::ifstream in(log);
  std::string line;
  int faulted = 0, lines = 0;
  while (std::getline(in, line)) {
    ++lines;
    const auto j = nlohmann::json::parse(line);
    if (j.contains("fault")) {
      CHECK(j["fault"] == "status");
      CHECK(j["status"] == 500);
      ++faulted;
    }
  }
  CHECK(lines == 7);
  CHECK(faulted == 2);
}

TEST_CASE("rules act only inside their time window", "[origin][faults]") {
  FaultPlan p = plan(R"({"rules": [{"fault": "status", "from_s": 10, "until_s": 20}]})");
  CHECK_FALSE(p.decide("/a", milliseconds(9999)));
  CHECK(p.decide("/a", milliseconds(10000)));
  CHECK(p.decide("/a", milliseconds(19999)));
  CHECK_FALSE(p.decide("/a", milliseconds(20000)));
}

TEST_CASE("probability rules fire at their rate and repeat with the same seed", "[origin][faults]") {
  const std::string json = R"({"seed": 42, "rules": [{"fault": "reset", "probability": 0.2}]})";
  FaultPlan a = plan(json), b = plan(json);
  int fired = 0;
  for (int i = 0; i < 2000; ++i) {
    const bool fa = a.decide("/x", milliseconds(0)).has_value();
    CHECK(fa == b.decide("/x", milliseconds(0)).has_value());
    fired += fa;
  }
  CHECK(fired > 2000 * 0.17);
  CHECK(fired < 2000 * 0.23);
}

TEST_CASE("the first rule that fires decides the fault", "[origin][faults]") {
  FaultPlan p = plan(R"({"rules": [{"match": "*.mpd", "fault": "status", "status": 404},
                                   {"fault": "corrupt", "bytes": 3}]})");
  CHECK(p.decide("/a/manifest.mpd", milliseconds(0))->kind == FaultKind::kStatus);
  const auto f = p.decide("/a/seg.m4s", milliseconds(0));
  REQUIRE(f);
  CHECK(f->kind == FaultKind::kCorrupt);
  CHECK(f->corrupt_bytes == 3);
}

TEST_CASE("bad fault files are refused with the file, the rule and the field", "[origin][faults]") {
  auto err = [](const std::string& json) {
    auto p = FaultPlan::parse(json, "f.json");
    REQUIRE_FALSE(p);
    return p.error();
  };
  CHECK(err("{") == "f.json: not valid JSON");
  CHECK(err(R"({"rule": []})").find("\"rules\" array") != std::string::npos);
  CHECK(err(R"({"rules": [{"fault": "explode"}]})") == "f.json: rules[0]: unknown fault 'explode'");
  CHECK(err(R"({"rules": [{"fault": "status"}, {"fault": "status", "probabilty": 0.5}]})") ==
        "f.json: rules[1]: unknown key 'probabilty'");
  CHECK(err(R"({"rules": [{"fault": "status", "probability": 1.5}]})").find("rules[0]: 'probability' must be in") !=
        std::string::npos);
  CHECK(err(R"({"rules": [{"fault": "stall"}]})") == "f.json: rules[0]: a 'stall' needs 'stall_s'");
  CHECK(err(R"({"rules": [{"fault": "status", "status": 200}]})").find("'status' must be in") != std::string::npos);
  CHECK(FaultPlan::load("/nonexistent/f.json").error() == "/nonexistent/f.json: cannot open the fault file");
}

}  // namespace abrplay::origin::test
