// abrplay --no-decode against an in-process origin: the summary on stdout and as JSON.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "origin.h"
#include "run_tool.h"
#include "support/synthetic_content.h"
#include "test_origin.h"

namespace abrplay::engine::test {

namespace {

using Run = abrplay::test::ToolRun;

// Runs abrplay with `args` (test-controlled, space-separated) as a user would, no shell.
Run run_player(const std::string& args) {
  return abrplay::test::run_tool(ABRPLAY_PLAYER_EXE, abrplay::test::split_args(args),
                                 abrplay::test::process_scratch("player_cli"));
}

origin::OriginConfig serving(const SyntheticContent& content) {
  return abrplay::test::origin_serving({content.dir().string()});
}

std::unique_ptr<origin::Origin> serve(const SyntheticContent& content) {
  return abrplay::test::start_origin(serving(content));
}

nlohmann::json read_json(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return nlohmann::json::parse(s.str());
}

}  // namespace

TEST_CASE("abrplay --no-decode plays a VOD stream to the end and writes the summary as JSON", "[demo][player]") {
  ContentSpec spec;  // 8 x 1 s of video only: the bitrate sequence does not depend on audio timing
  spec.audio = {};
  SyntheticContent content(spec);
  auto origin = serve(content);
  const auto json = content.dir() / "summary.json";
  const Run run = run_player(origin->url(0) + "manifest.mpd --no-decode --abr fixed:1 --speed 8 --json-summary " +
                             json.string());
  CHECK(run.exit_code == 0);
  CHECK(run.out.find("switches     0") != std::string::npos);  // fixed:1 pins v2, fast start included
  const auto j = read_json(json);
  CHECK(j["state"] == "ended");
  CHECK(j["played_s"].get<double>() == Approx(8.0).margin(0.15));
  CHECK(j["segments"] == 8);
  CHECK(j["stalls"] == 0);
  CHECK(j["switches"] == 0);
  CHECK(j["startup_s"].get<double>() > 0);
  // A pinned algorithm (fixed, lowest) is not overridden by the fast-start rule: every segment at
  // 800 kbit/s, and the summary reports the rendition played.
  CHECK(j["average_bitrate_kbps"].get<double>() == Approx(800.0));
  CHECK(j["error"].is_null());
}

TEST_CASE("the summary reports what was played: bitrate, switches and renditions agree with the origin's request log",
          "[demo][player]") {
  // Three rungs, 1 s segments, video only; the link alternates 4 Mbit/s and 0.5 Mbit/s every 3 s,
  // so the default algorithm moves between rungs and may abandon a download.
  ContentSpec spec;
  spec.video = {{"v1", 200'000}, {"v2", 800'000}, {"v3", 2'000'000}};
  spec.audio = {};
  spec.segments = 12;
  SyntheticContent content(spec);
  const auto log_path = content.dir() / "requests.jsonl";
  origin::OriginConfig oc = serving(content);
  oc.log_path = log_path.string();
  abr::Trace trace;
  trace.name = "steps";
  trace.segments = {{std::chrono::seconds(3), 4000.0, {}}, {std::chrono::seconds(3), 500.0, {}}};
  oc.cdns[0].trace = trace;
  auto origin = abrplay::test::start_origin(std::move(oc));
  const auto json = content.dir() / "summary.json";
  const Run run = run_player(origin->url(0) + "manifest.mpd --no-decode --speed 2 --json-summary " + json.string());
  origin.reset();  // every response is logged
  REQUIRE(run.exit_code == 0);
  const auto j = read_json(json);
  REQUIRE(j["state"] == "ended");

  // From the log: the last complete download of each video segment is the one played.
  std::map<std::string, std::uint64_t> bps, full_bytes;
  for (const auto& rep : spec.video) {
    bps[rep.id] = rep.bandwidth_bps;
    full_bytes[rep.id] = content.segment_bytes(rep);
  }
  std::map<int, std::pair<double, std::string>> played;  // segment number -> (request time, rendition)
  std::ifstream log(log_path);
  const std::regex media(R"(/seg-(v[0-9])-([0-9]+)\.m4s$)");
  int aborted = 0;
  for (std::string line; std::getline(log, line);) {
    const auto r = nlohmann::json::parse(line);
    std::smatch m;
    const std::string path = r["path"].get<std::string>();
    if (!std::regex_search(path, m, media)) continue;
    const std::string rep = m[1];
    if (r["status"] != 200 || r["bytes"].get<std::uint64_t>() != full_bytes.at(rep)) {
      ++aborted;
      continue;
    }
    const int number = std::stoi(m[2]);
    const double t = r["t_ms"].get<double>();
    if (!played.count(number) || played[number].first < t) played[number] = {t, rep};
  }
  REQUIRE(played.size() == static_cast<std::size_t>(spec.segments));
  std::vector<std::string> sequence;
  double kbps_sum = 0;
  int switches = 0;
  for (const auto& [number, entry] : played) {
    if (!sequence.empty() && sequence.back() != entry.second) ++switches;
    sequence.push_back(entry.second);
    kbps_sum += static_cast<double>(bps[entry.second]) / 1000.0;
  }
  INFO("renditions from the log: " << nlohmann::json(sequence).dump() << ", incomplete downloads " << aborted);
  CHECK(j["video_representations"] == nlohmann::json(sequence));
  CHECK(j["average_bitrate_kbps"].get<double>() == Approx(kbps_sum / spec.segments).epsilon(1e-6));
  CHECK(j["switches"] == switches);
  CHECK(std::set<std::string>(sequence.begin(), sequence.end()).size() > 1);  // the link made it switch
}

TEST_CASE("abrplay's progress goes to a log file as whole lines, never carriage returns", "[demo][player]") {
  SyntheticContent content({});
  auto origin = serve(content);
  const auto r = abrplay::test::run_tool(ABRPLAY_PLAYER_EXE,
                                         {origin->url(0) + "manifest.mpd", "--no-decode", "--speed", "8"},
                                         content.dir());
  CHECK(r.exit_code == 0);
  CHECK(r.err.find('\r') == std::string::npos);
  // A line every 10 s and the final one: a 1 s session writes only the final line.
  CHECK(std::count(r.err.begin(), r.err.end(), '\n') <= 2);
  CHECK(r.err.find("ended") != std::string::npos);
}

TEST_CASE("abrplay --duration stops after that much media", "[demo][player]") {
  ContentSpec spec;
  spec.segments = 30;
  SyntheticContent content(spec);
  auto origin = serve(content);
  const auto json = content.dir() / "summary.json";
  // Speed 2: the position is sampled as the virtual consumer plays, so the overshoot past 3 s is a
  // small multiple of the speed (at speed 8 a loaded machine overshot to 6.4 s).
  const Run run = run_player(origin->url(0) + "manifest.mpd --no-decode --duration 3 --speed 2 --json-summary " +
                             json.string());
  CHECK(run.exit_code == 0);
  const auto j = read_json(json);
  CHECK(j["played_s"].get<double>() >= 3.0);
  CHECK(j["played_s"].get<double>() < 5.0);
  CHECK(j["state"] == "playing");
}

TEST_CASE("abrplay reports a missing MPD with exit status 1 and a bad command line with 2", "[demo][player]") {
  SyntheticContent content({});
  auto origin = serve(content);
  const auto json = content.dir() / "summary.json";
  const Run missing = run_player(origin->url(0) + "nothing.mpd --no-decode --json-summary " + json.string());
  CHECK(missing.exit_code == 1);
  CHECK(missing.out.find("network.http_status") != std::string::npos);
  CHECK(read_json(json)["state"] == "error");
  CHECK(run_player(origin->url(0) + "manifest.mpd --no-decode --abr nonsense").exit_code == 2);
  CHECK(run_player(origin->url(0) + "manifest.mpd --no-decode --abr fixed:x").exit_code == 2);
  CHECK(run_player(origin->url(0) + "manifest.mpd --headless --speed 3").exit_code == 2);  // factor: --no-decode only
  CHECK(run_player(origin->url(0) + "manifest.mpd --headless --abr nonsense").exit_code == 2);
  CHECK(run_player(origin->url(0) + "manifest.mpd --cmcd sideways").exit_code == 2);
  // A screenshot needs a window, and both of its options.
  CHECK(run_player(origin->url(0) + "manifest.mpd --headless --screenshot-at 1 --screenshot x.ppm").exit_code == 2);
  CHECK(run_player(origin->url(0) + "manifest.mpd --headless --screenshot-at 1").exit_code == 2);
  CHECK(run_player(origin->url(0) + "manifest.mpd --headless --screenshot x.ppm").exit_code == 2);
}

TEST_CASE("abrplay --headless decodes the real test stream to the end: every frame, summary with QoE_lin",
          "[demo][player][content]") {
  auto origin = abrplay::test::start_origin(abrplay::test::origin_serving());
  const auto json = std::filesystem::path(ABRPLAY_BINARY_DIR) / "abrplay-headless-summary.json";
  std::filesystem::remove(json);
  const Run run = run_player(origin->url(0) + "number/manifest.mpd --headless --speed max --json-summary " +
                             json.string());
  INFO(run.out);
  CHECK(run.exit_code == 0);
  CHECK(run.out.find("QoE_lin") != std::string::npos);
  const auto j = read_json(json);
  CHECK(j["state"] == "ended");
  CHECK(j["frames_presented"] == 200);  // 8 s at 25 fps
  CHECK(j["frames_dropped"] == 0);
  CHECK(j["played_s"].get<double>() == Approx(8.0).margin(0.1));
  CHECK(j["average_bitrate_kbps"].get<double>() > 0);
  CHECK(j.contains("startup_s"));
  CHECK(j.contains("qoe_lin"));
  CHECK(j["warnings"] == nlohmann::json::array());  // the test content is clean
  // A manifest that is not there: exit status 1, the error in the summary.
  const Run missing = run_player(origin->url(0) + "number/none.mpd --headless --speed max");
  CHECK(missing.exit_code == 1);
  CHECK(missing.out.find("error        network.http_status") != std::string::npos);
}

TEST_CASE("abrplay --headless counts the seconds played, not the media before where playback began",
          "[demo][player][content]") {
  // One rendition from 4 s to the end of the 8 s stream: QoE_lin is its bitrate / 4 per second on
  // screen, about 4 of them (a second before the seek lands at most). Counted from the stream's
  // zero, as a live session's summary used to be, it would be 8.
  auto origin = abrplay::test::start_origin(abrplay::test::origin_serving());
  const auto json = std::filesystem::path(ABRPLAY_BINARY_DIR) / "abrplay-start-summary.json";
  std::filesystem::remove(json);
  const Run run = run_player(origin->url(0) + "number/manifest.mpd --headless --abr fixed:1 --start 4 " +
                             "--json-summary " + json.string());
  INFO(run.out);
  REQUIRE(run.exit_code == 0);
  const auto j = read_json(json);
  CHECK(j["state"] == "ended");
  CHECK(j["switches"] == 0);
  const double mbps = j["average_bitrate_kbps"].get<double>() / 1000;
  REQUIRE(mbps > 0);
  const double seconds_counted = (j["qoe_lin"].get<double>() + 4.3 * j["stall_s"].get<double>()) / (mbps / 4);
  CHECK(seconds_counted > 3.5);
  CHECK(seconds_counted < 5.5);
}

TEST_CASE("abrplay --preload-wait preloads, waits, presses Play and reports press to first frame apart",
          "[demo][player][content][preload]") {
  auto config = abrplay::test::origin_serving();
  config.added_latency = std::chrono::milliseconds(100);  // a cold start pays it at least three times
  auto origin = abrplay::test::start_origin(std::move(config));
  const auto json = std::filesystem::path(ABRPLAY_BINARY_DIR) / "abrplay-preload-summary.json";
  std::filesystem::remove(json);
  const Run run = run_player(origin->url(0) + "number/manifest.mpd --headless --duration 1 --preload-wait 1.5 " +
                             "--json-summary " + json.string());
  INFO(run.out);
  CHECK(run.exit_code == 0);
  CHECK(run.out.find("press->frame") != std::string::npos);
  CHECK(run.out.find("preload      ready, 5 responses used") != std::string::npos);
  const auto j = read_json(json);
  REQUIRE(j.contains("press_to_first_frame_s"));
  REQUIRE(j.contains("startup_s"));
  CHECK(j["preload"]["outcome"] == "ready");
  CHECK(j["preload"]["wait_s"] == 1.5);
  CHECK(j["preload"]["responses_used"] == 5);  // manifest, two init segments, two media segments
  CHECK(j["preload"]["bytes"].get<std::uint64_t>() > 0);
  // Manifest, init and first segment from memory: no 100 ms round trip before the first frame.
  CHECK(j["press_to_first_frame_s"].get<double>() < 0.3);
  // --preload-wait plays through the Player API: not with the download-only mode.
  const Run refused = run_player(origin->url(0) + "number/manifest.mpd --no-decode --preload-wait 1");
  CHECK(refused.exit_code == 2);
}

TEST_CASE("abrplay --cache-dir: a second run of the title comes from the disk cache, not the origin",
          "[demo][player][content][cache]") {
  const auto scratch = abrplay::test::process_scratch("player_cli_cache");
  std::filesystem::remove_all(scratch / "cache");
  const auto log = scratch / "requests.jsonl";
  std::filesystem::remove(log);
  origin::OriginConfig oc = abrplay::test::origin_serving();
  oc.log_path = log.string();
  auto origin = abrplay::test::start_origin(std::move(oc));
  const std::string args = origin->url(0) + "number/manifest.mpd --headless --speed max --abr fixed:0 --cache-dir " +
                           (scratch / "cache").string() + " --json-summary ";
  const Run first = run_player(args + (scratch / "first.json").string());
  INFO(first.out << first.err);
  REQUIRE(first.exit_code == 0);
  CHECK(first.out.find("cache        0 hits") != std::string::npos);
  const auto a = read_json(scratch / "first.json");
  CHECK(a["cache"]["hits"] == 0);
  CHECK(a["cache"]["misses"].get<int>() >= 5);
  const Run second = run_player(args + (scratch / "second.json").string());
  INFO(second.out << second.err);
  REQUIRE(second.exit_code == 0);
  const auto b = read_json(scratch / "second.json");
  CHECK(b["frames_presented"] == 200);
  CHECK(b["cache"]["misses"] == 0);
  CHECK(b["cache"]["hits"] == a["cache"]["misses"]);
  CHECK(b["cache"]["bytes"].get<std::uint64_t>() > 100'000);
  CHECK(b["warnings"] == nlohmann::json::array());
  // --no-cache: the figures stay zero.
  const Run off = run_player(origin->url(0) + "number/manifest.mpd --headless --speed max --no-cache --json-summary " +
                             (scratch / "off.json").string());
  REQUIRE(off.exit_code == 0);
  CHECK(read_json(scratch / "off.json")["cache"]["misses"] == 0);
  // A cache directory that cannot be made: a warning in the summary, and the title still plays.
  std::ofstream(scratch / "a-file") << "x";
  const Run bad = run_player(origin->url(0) + "number/manifest.mpd --headless --speed max --cache-dir " +
                             (scratch / "a-file" / "cache").string() + " --json-summary " +
                             (scratch / "bad.json").string());
  REQUIRE(bad.exit_code == 0);
  const auto c = read_json(scratch / "bad.json");
  CHECK(c["frames_presented"] == 200);
  REQUIRE(c["warnings"].size() == 1);
  CHECK(c["warnings"][0].get<std::string>().find("network.cache") != std::string::npos);
  origin.reset();
  // The origin saw the first run and the runs without a usable cache; the second run made no request.
  std::map<std::string, int> per_path;
  std::ifstream in(log);
  for (std::string line; std::getline(in, line);) ++per_path[nlohmann::json::parse(line)["path"].get<std::string>()];
  CHECK(per_path["/number/manifest.mpd"] == 3);
  std::filesystem::remove_all(scratch / "cache");
}

}  // namespace abrplay::engine::test

namespace abrplay::engine::test {

TEST_CASE("abrplay --target-latency plays low-latency live chunk by chunk and reports the latency",
          "[demo][player][content][ll]") {
  origin::OriginConfig oc = abrplay::test::origin_serving();
  oc.live = true;
  oc.live_preroll = std::chrono::seconds(1);
  oc.low_latency.enabled = true;
  oc.low_latency.chunk = std::chrono::milliseconds(1000);
  auto origin = abrplay::test::start_origin(std::move(oc));
  const auto json = std::filesystem::path(ABRPLAY_BINARY_DIR) / "abrplay-ll-summary.json";
  std::filesystem::remove(json);
  const Run run = run_player(origin->url(0) + "ll/manifest.mpd --headless --target-latency 3 --json-summary " +
                             json.string());
  INFO(run.out);
  CHECK(run.exit_code == 0);
  CHECK(run.out.find("behind the live edge") != std::string::npos);
  const auto j = read_json(json);
  CHECK(j["state"] == "ended");
  CHECK(j["stalls"] == 0);
  CHECK(j["frames_dropped"] == 0);
  // Started under a chunk behind the encoder (the 8 s event began a second ago) and slowed down
  // toward 3 s; never more than the target.
  REQUIRE(j.contains("live_latency_s"));
  CHECK(j["live_latency_s"].get<double>() > 0.5);
  CHECK(j["live_latency_s"].get<double>() < 3.2);
  CHECK(j["live_latency_sd_s"].get<double>() < 1.0);
  CHECK(j["warnings"] == nlohmann::json::array());
}

}  // namespace abrplay::engine::test
