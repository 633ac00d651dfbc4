// abrplay-report --fleet: the pure figures (percentiles, Student's t, sums, A/B intervals), and the
// real binary over a collector store filled with a synthetic fleet the real SessionRecorder wrote,
// every figure recomputed independently from the raw JSONL (tests/demo/report/fleet_recompute.py).
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <random>

#include <nlohmann/json.hpp>

#include "abrplay/player/telemetry/session_recorder.h"
#include "fake_clock.h"
#include "fleet_stats.h"
#include "run_tool.h"
#include "sqlite_store.h"
#include "video_rep.h"

namespace fs = std::filesystem;
namespace tel = abrplay::telemetry;
namespace fl = abrplay::fleet;
using namespace std::chrono_literals;
using abrplay::test::run_tool;
using abrplay::test::slurp_file;

namespace {

fl::SessionRecord ended(const std::string& abr, std::optional<double> startup, double played, double rebuffer,
                        double bitrate, double qoe) {
  fl::SessionRecord s;
  s.id = abr + std::to_string(played) + std::to_string(qoe);
  s.abr = abr;
  fl::SessionRecord::Final f;
  f.startup_s = startup;
  f.played_s = played;
  f.rebuffer_s = rebuffer;
  f.rebuffer_count = rebuffer > 0 ? 1 : 0;
  f.average_bitrate_kbps = bitrate;
  f.qoe_lin = qoe;
  s.final_report = f;
  return s;
}

tel::RepresentationInfo fleet_rep(int kbps) {
  const int h = kbps >= 2000 ? 720 : kbps >= 1000 ? 480 : 360;
  return abrplay::test::video_rep("v" + std::to_string(h), abrplay::DataRate::kilobits_per_second(kbps), h);
}

// A fleet of `n` sessions written by the real SessionRecorder, one after another on one fake clock
// (so they spread over several hours): varied titles, devices, algorithms and CDNs; stalls, errors,
// switches; some sessions never show a frame (join failures), some never send a final report; the
// strings include markup and SQL. Returns every payload, as the JSONL a collector would keep.
std::vector<std::string> synthetic_fleet(int n, unsigned seed) {
  std::mt19937 rng(seed);
  auto pick = [&](int k) { return static_cast<int>(rng() % static_cast<unsigned>(k)); };
  const char* titles[] = {"movie", "news", "<script>alert('t')</script>", "x'); DROP TABLE payloads; --"};
  const char* devices[] = {"linux-x86_64", "android-tv", "web"};
  const char* abrs[] = {"scenario_mpc", "robust_mpc", "dynamic"};
  const char* cdns[] = {"http://cdn-a.example:8080/v/", "https://cdn-b.example/v/", "http://127.0.0.1:9/x/"};
  const int ladder[] = {500, 1200, 2500};
  abrplay::test::FakeClock clock;
  std::vector<std::string> out;
  for (int i = 0; i < n; ++i) {
    clock.advance(std::chrono::seconds(30 + pick(200)));
    tel::SessionRecorder r({"s" + std::to_string(i), titles[pick(4)], devices[pick(3)], "0.1.0", abrs[pick(3)]});
    r.on_load(clock.steady());
    tel::Snapshot snap;
    snap.cdn = cdns[pick(3)];
    snap.state = "buffering";
    const bool join_failure = pick(12) == 0;
    if (join_failure) {
      clock.advance(std::chrono::milliseconds(3000 + pick(5000)));
      r.on_error(clock.steady(), {abrplay::ErrorCode::kNetworkIo, "connect failed"}, snap.cdn);
      out.push_back(r.heartbeat(snap, clock.wall(), clock.steady()));
      out.push_back(r.final_report(snap, tel::EndReason::kError, clock.wall(), clock.steady()));
      continue;
    }
    clock.advance(std::chrono::milliseconds(150 + pick(2500)));
    r.on_first_frame(clock.steady());
    snap.state = "playing";
    int rung = pick(3);
    const int beats = 1 + pick(5);
    for (int b = 0; b < beats; ++b) {
      for (int k = 0; k < 5; ++k) {
        const int next = std::clamp(rung + (pick(4) == 0 ? (pick(2) ? 1 : -1) : 0), 0, 2);
        clock.advance(2s);
        if (next != rung)
          r.on_switch(clock.steady(), snap.position_s, fleet_rep(ladder[rung]), fleet_rep(ladder[next]), "abr");
        rung = next;
        r.on_video_segment(fleet_rep(ladder[rung]), 2.0);
        snap.position_s += 2.0;
      }
      if (pick(6) == 0) {
        r.on_stall_start(clock.steady(), snap.position_s);
        clock.advance(std::chrono::milliseconds(200 + pick(3000)));
        r.on_stall_end(clock.steady());
      }
      if (pick(8) == 0)
        r.on_error(clock.steady(), {abrplay::ErrorCode::kNetworkHttpStatus, "HTTP 503 <b>busy</b>"},
                   snap.cdn + "seg.m4s");
      snap.video = fleet_rep(ladder[rung]);
      out.push_back(r.heartbeat(snap, clock.wall(), clock.steady()));
    }
    if (pick(15) == 0) continue;  // the final report never arrives
    out.push_back(r.final_report(snap, tel::EndReason::kEndOfStream, clock.wall(), clock.steady()));
  }
  return out;
}

}  // namespace

TEST_CASE("fleet percentiles interpolate linearly, as numpy's default does", "[fleet]") {
  CHECK_FALSE(fl::percentile({}, 0.5));
  CHECK(*fl::percentile({7}, 0.99) == 7);
  CHECK(*fl::percentile({4, 1, 3, 2}, 0.5) == Approx(2.5));
  CHECK(*fl::percentile({1, 2, 3, 4}, 0.95) == Approx(3.85));
  CHECK(*fl::percentile({1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 0.99) == Approx(9.91));
}

TEST_CASE("Student's t quantile 0.975 matches the table", "[fleet]") {
  CHECK(fl::t975(3) == Approx(3.182).epsilon(0.005));
  CHECK(fl::t975(10) == Approx(2.228).epsilon(0.002));
  CHECK(fl::t975(30) == Approx(2.042).epsilon(0.001));
  CHECK(fl::t975(1e9) == Approx(1.960).epsilon(0.001));
}

TEST_CASE("fleet figures are ratios of sums: join failures and missing finals are counted apart", "[fleet]") {
  std::vector<fl::SessionRecord> v = {ended("a", 1.0, 100, 0, 1000, 50), ended("a", 3.0, 50, 10, 2500, 20),
                                      ended("a", std::nullopt, 0, 0, 0, 0)};
  fl::SessionRecord open;
  open.id = "open";
  open.errors = {{3001, "network.io", 2}};
  v.push_back(open);
  std::vector<const fl::SessionRecord*> all;
  for (const auto& s : v) all.push_back(&s);
  const fl::GroupStats g = fl::summarize(all);
  CHECK(g.sessions == 4);
  CHECK(g.ended == 3);
  CHECK(g.join_failures == 1);
  CHECK(g.startup_s.n == 2);
  CHECK(*g.startup_s.p50 == Approx(2.0));
  CHECK(*g.rebuffer_ratio == Approx(10.0 / 160.0));
  CHECK(*g.stalls_per_minute == Approx(1.0 / 2.5));
  CHECK(*g.average_bitrate_kbps == Approx((1000.0 * 100 + 2500.0 * 50) / 150));
  CHECK(*g.qoe_lin_mean == Approx(35));
  CHECK(g.errors.at(3001).count == 2);
}

TEST_CASE("an A/B comparison finds a real difference and not an absent one", "[fleet]") {
  std::vector<fl::SessionRecord> v;
  std::mt19937 rng(7);
  std::normal_distribution<double> noise(0, 5);
  for (int i = 0; i < 200; ++i) {
    v.push_back(ended("A", 1.0, 60, 0, 2000, 100 + noise(rng)));
    v.push_back(ended("B", 1.0, 60, 0, 2000, 110 + noise(rng)));
    v.push_back(ended("C", 1.0, 60, 0, 2000, 100 + noise(rng)));
  }
  const fl::Comparison ab = fl::compare(v, fl::Dimension::kAbr, "A", "B");
  REQUIRE(ab.metrics[0].metric == "qoe_lin");
  CHECK(ab.metrics[0].n_a == 200);
  CHECK(*ab.metrics[0].diff == Approx(10).margin(1.5));
  CHECK(ab.metrics[0].significant());
  CHECK(*ab.metrics[0].low < *ab.metrics[0].diff);
  CHECK(*ab.metrics[0].high > *ab.metrics[0].diff);
  const fl::Comparison ac = fl::compare(v, fl::Dimension::kAbr, "A", "C");
  CHECK_FALSE(ac.metrics[0].significant());
  CHECK(*ac.metrics[0].low < 0);
  CHECK(*ac.metrics[0].high > 0);
  // Identical sessions: a zero-width interval at 0, not a division by zero.
  CHECK(*ac.metrics[2].diff == 0);
  CHECK(*ac.metrics[2].low == 0);
  // A value nobody has: counts of 0 and no figures.
  const fl::Comparison none = fl::compare(v, fl::Dimension::kAbr, "A", "nobody");
  CHECK(none.metrics[0].n_b == 0);
  CHECK_FALSE(none.metrics[0].diff);
}

TEST_CASE("abrplay-report --fleet over a collector's SQLite store: every figure matches the raw JSONL",
          "[fleet][report]") {
  const fs::path dir = abrplay::test::scratch_dir("report", "fleet");
  const std::vector<std::string> payloads = synthetic_fleet(400, 2026);
  {
    std::ofstream jsonl(dir / "fleet.jsonl");
    for (const auto& p : payloads) jsonl << p << "\n";
  }
  {
    auto store = abrplay::collector::SqliteStore::open((dir / "fleet.db").string());
    REQUIRE(store);
    std::vector<nlohmann::json> batch;
    for (const auto& p : payloads) batch.push_back(nlohmann::json::parse(p));
    auto stored = (*store)->store(batch, "2026-12-07T00:00:00Z");
    REQUIRE(stored);
    for (const auto& r : *stored) REQUIRE(r.outcome == abrplay::collector::Outcome::kStored);
  }
  const auto run = run_tool(ABRPLAY_REPORT_EXE,
                            {"--fleet", (dir / "fleet.db").string(), "--period", "hour", "--compare", "abr", "--a",
                             "robust_mpc", "--b", "scenario_mpc", "-o", (dir / "fleet").string()},
                            dir);
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  CHECK(run.out.find("400 sessions") != std::string::npos);

  // The independent recomputation (Python, from the JSONL alone).
  const auto check = run_tool("/usr/bin/python3",
                              {ABRPLAY_FLEET_RECOMPUTE, (dir / "fleet.jsonl").string(), (dir / "fleet.json").string(),
                               "--period", "hour", "--a", "robust_mpc", "--b", "scenario_mpc"},
                              dir);
  INFO(check.out);
  INFO(check.err);
  CHECK(check.exit_code == 0);
  CHECK(check.out.find("figures match") != std::string::npos);

  const auto report = nlohmann::json::parse(slurp_file(dir / "fleet.json"));
  CHECK(report["periods"].size() > 3);  // the fleet spans several hours
  CHECK(report["overall"]["join_failures"].get<int>() > 0);
  CHECK(report["dimensions"]["abr"]["total"].size() == 3);
  CHECK(report["dimensions"]["cdn"]["total"][0]["value"] == "127.0.0.1:9");

  const std::string html = slurp_file(dir / "fleet.html");
  CHECK(html.find("&lt;script&gt;alert(&#39;t&#39;)&lt;/script&gt;") != std::string::npos);
  CHECK(html.find("<script>") == std::string::npos);
  CHECK(html.find("<b>busy") == std::string::npos);
  CHECK(html.find("DROP TABLE payloads") != std::string::npos);  // stored as text, shown escaped
  for (const char* chart : {"fleet-time.png", "fleet-abr.png", "fleet-title.png", "fleet-ab.png"}) {
    INFO(chart);
    CHECK(html.find(std::string("<img src=\"") + chart + "\"") != std::string::npos);
    CHECK(slurp_file(dir / chart).size() > 2000);
  }
}

TEST_CASE("abrplay-report --fleet names what is wrong: no store, bad options, a foreign database", "[fleet][report]") {
  const fs::path dir = abrplay::test::scratch_dir("report", "fleet-bad");
  const auto missing = run_tool(ABRPLAY_REPORT_EXE, {"--fleet", (dir / "none.db").string()}, dir);
  CHECK(missing.exit_code == 1);
  CHECK(missing.err.find("none.db: no such database file") != std::string::npos);
  const auto period = run_tool(ABRPLAY_REPORT_EXE, {"--fleet", "x.db", "--period", "week"}, dir);
  CHECK(period.exit_code == 2);
  CHECK(period.err.find("--period week: expected hour, day or all") != std::string::npos);
  const auto by = run_tool(ABRPLAY_REPORT_EXE, {"--fleet", "x.db", "--by", "cdn,colour"}, dir);
  CHECK(by.exit_code == 2);
  CHECK(by.err.find("unknown dimension 'colour'") != std::string::npos);
  const auto from = run_tool(ABRPLAY_REPORT_EXE, {"--fleet", "x.db", "--from", "yesterday"}, dir);
  CHECK(from.exit_code == 2);
  CHECK(from.err.find("--from yesterday") != std::string::npos);
  std::ofstream(dir / "other.db") << "not a database at all, just text that SQLite will refuse to read";
  const auto foreign = run_tool(ABRPLAY_REPORT_EXE, {"--fleet", (dir / "other.db").string()}, dir);
  CHECK(foreign.exit_code == 1);
  CHECK(foreign.err.find("sqlite:") != std::string::npos);
  CHECK(foreign.err.find("other.db") != std::string::npos);
}
