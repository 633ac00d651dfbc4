// run_lab_session: the real StreamingEngine with its loaders, load control and ABR on virtual time
// over LabNetwork, on synthetic DASH content written to a temporary folder.
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "abrplay/player/lab/lab_session.h"
#include "support/synthetic_content.h"

namespace abrplay::lab::test {

namespace {

using engine::test::ContentSpec;
using engine::test::RepSpec;
using engine::test::SyntheticContent;
using std::chrono::milliseconds;
using std::chrono::seconds;

ContentSpec minute_of_content() {
  ContentSpec spec;
  spec.video = {{"v300", 300'000}, {"v1200", 1'200'000}, {"v2850", 2'850'000}};
  spec.audio = {{"a64", 64'000, "mp4a.40.2"}};
  spec.segment_ms = 2000;
  spec.segments = 30;
  return spec;
}

LabSessionConfig config_for(const SyntheticContent& c, double kbps) {
  auto content = LabContent::from_directory(c.dir(), true);
  REQUIRE(content);
  LabSessionConfig cfg;
  cfg.content = std::make_shared<const LabContent>(std::move(content).value());
  cfg.mpd_path = "/manifest.mpd";
  cfg.link.trace = abr::Trace{"flat", {abr::TraceSegment{seconds(1000), kbps, std::chrono::microseconds(0)}}};
  cfg.link.rtt = milliseconds(40);
  cfg.algorithm = "bb";
  cfg.duration = seconds(60);
  return cfg;
}

}  // namespace

TEST_CASE("a 60 s session on a 6 Mbit/s link plays 60 s without a stall, mostly at the top, in well under a second",
          "[lab][session]") {
  SyntheticContent c(minute_of_content());
  const auto cfg = config_for(c, 6000);
  const auto t0 = std::chrono::steady_clock::now();
  const LabSessionResult r = run_lab_session(cfg);
  const double real_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  INFO(r.error);
  REQUIRE_FALSE(r.failed);
  const engine::SessionFigures& f = r.figures;
  CHECK(f.played_s >= 60.0);
  CHECK(f.stalls == 0);
  CHECK(f.stall_s == 0.0);
  REQUIRE(f.startup_s);
  // Manifest, init (audio and video in parallel) and the first 2 s segments: a few round trips.
  CHECK(*f.startup_s > 0.12);
  CHECK(*f.startup_s < 1.0);
  CHECK(f.bitrate.kbps() > 1200);  // buffer-based: it climbs as the buffer fills
  CHECK(std::any_of(f.video_segments.begin(), f.video_segments.end(),
                    [](const engine::PlayedSegment& s) { return s.bandwidth.bps() == 2'850'000; }));
  CHECK(f.video_segments.size() >= 30);
  CHECK(std::chrono::duration<double>(r.virtual_time).count() == Approx(60 + *f.startup_s).margin(0.5));
  CHECK(real_s < 1.0);  // generous: a debug build under a sanitizer; release runs take milliseconds
}

TEST_CASE(
    "startup is reported against the network's lower bound: never below it, and the bound is the bytes plus two round trips",
    "[lab][session][startup]") {
  SyntheticContent c(minute_of_content());
  for (const double kbps : {1000.0, 6000.0}) {
    const auto cfg = config_for(c, kbps);
    const LabSessionResult r = run_lab_session(cfg);
    INFO(kbps << " kbit/s: " << r.error);
    REQUIRE_FALSE(r.failed);
    REQUIRE(r.figures.startup_s);
    REQUIRE(r.startup_lower_bound_s);
    const double bound = *r.startup_lower_bound_s;
    CAPTURE(*r.figures.startup_s, bound);
    CHECK(bound > 0.08);  // two 40 ms round trips and some bytes
    CHECK(*r.figures.startup_s >= bound);
    // Manifest, init segments and the first 3.5 s of video (two 2 s segments: fast start's 300k,
    // then the algorithm's choice) and audio (64k): about 1.5 Mbit at the lowest rungs, so on the
    // slower link the bytes dominate the two round trips.
    const double bytes_s = bound - 0.08;
    if (kbps == 1000.0) CHECK(bytes_s > 1.0);
    if (kbps == 6000.0) CHECK(bytes_s < 0.3);
  }
  // A session that never starts has no bound.
  auto dead = config_for(c, 0.001);
  dead.max_virtual_time = seconds(20);
  const LabSessionResult r = run_lab_session(dead);
  CHECK_FALSE(r.startup_lower_bound_s);
}

TEST_CASE(
    "the first media segment goes beside its init segment: on a fast link startup is one round trip over the bound",
    "[lab][session][startup]") {
  // 4 s segments: playback waits for the MPD, the init segments and one segment of each track.
  // Requested one after the other that is four round trips; the bound has two (the MPD, then
  // everything at once). The init segment and the first video segment now go together, and audio's
  // init went at the start: three, so one round trip (40 ms + the lab's per-request overhead)
  // separates startup from the bound where the bytes take little time.
  ContentSpec spec = minute_of_content();
  spec.segment_ms = 4000;
  spec.segments = 15;
  SyntheticContent c(spec);
  const auto cfg = config_for(c, 20000);
  const LabSessionResult r = run_lab_session(cfg);
  INFO(r.error);
  REQUIRE_FALSE(r.failed);
  REQUIRE(r.figures.startup_s);
  REQUIRE(r.startup_lower_bound_s);
  const double extra = *r.figures.startup_s - *r.startup_lower_bound_s;
  const double round_trip = 0.040 + std::chrono::duration<double>(cfg.link.request_overhead).count();
  CAPTURE(*r.figures.startup_s, *r.startup_lower_bound_s, round_trip);
  CHECK(extra > 0.5 * round_trip);
  CHECK(extra < 1.5 * round_trip);
}

TEST_CASE("on a link below the lowest rung the session stalls, and the stall time counts on virtual time",
          "[lab][session]") {
  SyntheticContent c(minute_of_content());
  auto cfg = config_for(c, 250);  // 300k video + 64k audio cannot fit
  cfg.duration = seconds(20);
  const LabSessionResult r = run_lab_session(cfg);
  INFO(r.error);
  REQUIRE_FALSE(r.failed);
  CHECK(r.figures.stalls >= 1);
  CHECK(r.figures.stall_s > 1.0);
  CHECK(r.figures.bitrate.kbps() == Approx(300));
  CHECK(r.figures.qoe_lin < 0);
  CHECK(r.figures.played_s >= 20.0);
}

TEST_CASE("the same session twice gives the same figures and the same rendition per segment", "[lab][session]") {
  SyntheticContent c(minute_of_content());
  auto cfg = config_for(c, 1500);
  cfg.algorithm = "robustmpc";
  const auto a = run_lab_session(cfg);
  const auto b = run_lab_session(cfg);
  REQUIRE_FALSE(a.failed);
  CHECK(a.figures.qoe_lin == b.figures.qoe_lin);
  CHECK(a.figures.stall_s == b.figures.stall_s);
  REQUIRE(a.figures.video_segments.size() == b.figures.video_segments.size());
  for (std::size_t i = 0; i < a.figures.video_segments.size(); ++i) {
    CHECK(a.figures.video_segments[i].representation_id == b.figures.video_segments[i].representation_id);
  }
}

TEST_CASE("a session that cannot play fails with a reason: unknown algorithm, missing or broken manifest",
          "[lab][session]") {
  SyntheticContent c(minute_of_content());
  auto cfg = config_for(c, 5000);
  cfg.algorithm = "no-such-abr";
  auto r = run_lab_session(cfg);
  CHECK(r.failed);
  CHECK(r.error.find("no-such-abr") != std::string::npos);

  cfg = config_for(c, 5000);
  cfg.mpd_path = "/missing.mpd";
  r = run_lab_session(cfg);
  CHECK(r.failed);
  CHECK(r.error.find("missing.mpd") != std::string::npos);

  c.write("manifest.mpd", "<MPD><Period><AdaptationSet></MPD>");
  cfg = config_for(c, 5000);
  r = run_lab_session(cfg);
  CHECK(r.failed);
  CHECK_FALSE(r.error.empty());
}

TEST_CASE("the synthetic Pensieve ladder plays in the lab at its six rungs", "[lab][session]") {
  abr::Video video = abr::Video::constant_bitrate(abr::kPensieveLadder, abrplay::Seconds{4}, 12);
  LabSessionConfig cfg;
  cfg.content = std::make_shared<const LabContent>(LabContent::synthetic(video));
  cfg.mpd_path = "/synthetic/manifest.mpd";
  cfg.link.trace = abr::Trace{"flat", {abr::TraceSegment{seconds(1000), 10'000, std::chrono::microseconds(0)}}};
  cfg.algorithm = "bb";
  cfg.duration = std::chrono::seconds(0);  // to the end
  const auto r = run_lab_session(cfg);
  INFO(r.error);
  REQUIRE_FALSE(r.failed);
  CHECK(r.figures.state == engine::EngineState::kEnded);
  CHECK(r.figures.played_s == Approx(48).margin(0.3));
  CHECK(r.figures.video_segments.size() == 12);
  CHECK(r.figures.video_segments.back().bandwidth.bps() >= 1'850'000);
}

}  // namespace abrplay::lab::test

namespace abrplay::lab::test {

TEST_CASE("on_start and on_end reach the session's clock, loop and engine: origin and wall_start apply",
          "[lab][session]") {
  SyntheticContent c(minute_of_content());
  auto cfg = config_for(c, 6000);
  cfg.duration = seconds(25);
  cfg.origin = "https://cdn-x.example";
  cfg.wall_start = WallTime{std::chrono::seconds{1'765'000'000}};
  struct Seen : engine::EngineObserver {
    std::vector<std::string> urls;
    void on_download(const engine::DownloadEvent& e) override { urls.push_back(e.url); }
  } seen;
  std::vector<double> ticks;  // virtual seconds at each 10 s timer
  WallTime wall_at_start{}, wall_at_end{};
  engine::EventLoop::TimerId timer = 0;
  std::function<void()> tick;
  bool ended_with_engine = false;
  cfg.on_start = [&](const LabSessionContext& ctx) {
    wall_at_start = ctx.clock.wall();
    ctx.engine.add_observer(seen);
    const SteadyTime begin = ctx.clock.steady();
    tick = [&, ctx, begin] {
      ticks.push_back(std::chrono::duration<double>(ctx.clock.steady() - begin).count());
      timer = ctx.loop.post_after(seconds(10), tick);
    };
    timer = ctx.loop.post_after(seconds(10), tick);
  };
  cfg.on_end = [&](const LabSessionContext& ctx, const LabSessionResult& r) {
    ctx.loop.cancel(timer);
    ctx.engine.remove_observer(seen);
    ended_with_engine = ctx.engine.state() == engine::EngineState::kPlaying && !r.failed;
    wall_at_end = ctx.clock.wall();
  };
  const LabSessionResult r = run_lab_session(cfg);
  INFO(r.error);
  REQUIRE_FALSE(r.failed);
  CHECK(wall_at_start == *cfg.wall_start);
  CHECK(wall_at_end - wall_at_start == r.virtual_time);
  CHECK(ticks == std::vector<double>{10.0, 20.0});
  CHECK(ended_with_engine);
  REQUIRE_FALSE(seen.urls.empty());
  CHECK(std::all_of(seen.urls.begin(), seen.urls.end(),
                    [](const std::string& u) { return u.rfind("https://cdn-x.example/", 0) == 0; }));
}

}  // namespace abrplay::lab::test
