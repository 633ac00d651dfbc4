#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "abrplay/abr/traceio/load_trace.h"

using abrplay::abr::load_trace_dir;
using abrplay::abr::load_trace_file;

namespace {
const std::string kTraces = std::string(ABRPLAY_TEST_DATA_DIR) + "/traces";

// A scratch directory for malformed files, unique per test case.
struct ScratchDir {
  std::filesystem::path path;
  explicit ScratchDir(const std::string& tag)
      : path(std::filesystem::path(ABRPLAY_BINARY_DIR) / "abr_test_scratch" / tag) {
    std::filesystem::remove_all(path);
    std::filesystem::create_directories(path);
  }
  std::string write(const std::string& name, const std::string& text) const {
    std::ofstream(path / name, std::ios::binary) << text;
    return (path / name).string();
  }
};
}  // namespace

TEST_CASE("load_trace_file detects the three recorded formats", "[trace][io]") {
  const auto pensieve = load_trace_file(kTraces +
                                        "/pensieve_train/bus.ljansbakken-oslo-report.2010-09-28_1407CEST.log");
  REQUIRE(pensieve);
  CHECK(pensieve->name == "bus.ljansbakken-oslo-report.2010-09-28_1407CEST.log");
  CHECK(pensieve->segments.size() > 100);
  CHECK(pensieve->mean_kbps() > 100);
  CHECK(pensieve->mean_kbps() < 10000);

  const auto mahimahi = load_trace_file(kTraces + "/mahimahi/Verizon-LTE-short.down");
  REQUIRE(mahimahi);
  CHECK(mahimahi->segments.front().duration == std::chrono::milliseconds(100));
  CHECK(mahimahi->mean_kbps() > 1000);  // LTE

  const auto sabre = load_trace_file(kTraces + "/sabre/trace0000.json");
  REQUIRE(sabre);
  CHECK(sabre->segments.front().bandwidth_kbps == 320);
  CHECK(sabre->segments.front().latency == std::chrono::milliseconds(20));
}

TEST_CASE("load_trace_dir returns every trace in sorted file-name order", "[trace][io]") {
  const auto traces = load_trace_dir(kTraces + "/fcc_train");
  REQUIRE(traces);
  REQUIRE(traces->size() == 5);
  for (std::size_t i = 1; i < traces->size(); ++i) CHECK((*traces)[i - 1].name < (*traces)[i].name);
}

TEST_CASE("Bad trace files give an error naming the file and line, never a crash", "[trace][io]") {
  const ScratchDir dir("load_trace");
  CHECK_THAT(load_trace_file(dir.write("empty.log", "")).error().message, Catch::Contains("empty.log: empty"));
  CHECK_THAT(load_trace_file(dir.write("words.log", "hello world\n")).error().message,
             Catch::Contains("words.log:1: unknown trace format"));
  CHECK_THAT(load_trace_file(dir.write("bad.log", "0 1\n1 2\n2 x\n")).error().message,
             Catch::Contains("bad.log:3: bandwidth is not a finite number"));
  CHECK_THAT(load_trace_file(dir.write("mm.down", "1\n2\n1\n")).error().message,
             Catch::Contains("mm.down:3: timestamp goes backwards"));
  CHECK_THAT(load_trace_file(dir.write("broken.json", "[{\"duration_ms\": 5")).error().message,
             Catch::Contains("broken.json: not valid JSON"));
  CHECK_THAT(load_trace_file(dir.write("obj.json", "{}")).error().message, Catch::Contains("JSON list"));
  CHECK_THAT(load_trace_file(dir.write("neg.json", R"([{"duration_ms":5,"bandwidth_kbps":-3}])")).error().message,
             Catch::Contains("entry 0: bandwidth_kbps"));
  CHECK_THAT(load_trace_file(dir.write("str.json", R"([{"duration_ms":"5","bandwidth_kbps":3}])")).error().message,
             Catch::Contains("entry 0: duration_ms is not a number"));
  CHECK_THAT(load_trace_file((dir.path / "missing.log").string()).error().message, Catch::Contains("missing.log"));
  CHECK_THAT(load_trace_dir((dir.path / "nope").string()).error().message, Catch::Contains("not a directory"));
  // A directory holding one bad file fails on that file.
  CHECK_THAT(load_trace_dir(dir.path.string()).error().message, Catch::Contains("bad.log:3"));
  const ScratchDir empty("load_trace_empty");
  CHECK_THAT(load_trace_dir(empty.path.string()).error().message, Catch::Contains("no trace files"));
}
