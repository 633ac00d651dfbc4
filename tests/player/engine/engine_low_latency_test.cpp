// Low-latency live: the engine buffers each CMAF chunk of a segment as it arrives (chunked transfer
// from abrplay-origin's --low-latency mode, on the real ll/ test content), so playback starts
// before the first segment has finished arriving.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "abrplay/abr/algorithm/fixed.h"
#include "support/origin_session.h"
#include "support/request_log_file.h"
#include "test_origin.h"

namespace abrplay::engine::test {

namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

origin::OriginConfig low_latency_origin() {
  origin::OriginConfig oc = abrplay::test::origin_serving();
  oc.live = true;
  oc.live_preroll = seconds(1);  // the first 4 s segment is being encoded when the engine arrives
  oc.live_window = seconds(30);
  oc.low_latency.enabled = true;
  oc.low_latency.chunk = milliseconds(1000);
  return oc;
}

// Synthetic CMAF content live in low-latency mode: 10 s published at the start, a 30 s window.
origin::OriginConfig ll_synthetic_origin(const SyntheticContent& content, milliseconds chunk) {
  origin::OriginConfig oc = serving(content);
  oc.live = true;
  oc.live_preroll = seconds(10);
  oc.live_window = seconds(30);
  oc.low_latency.enabled = true;
  oc.low_latency.chunk = chunk;
  return oc;
}

// One 400 kbit/s video representation of `segments` segments of `segment_ms`, each 4 CMAF chunks.
ContentSpec one_rendition_in_chunks(int segment_ms, int segments) {
  ContentSpec spec;
  spec.video = {{"v400", 400'000}};
  spec.segment_ms = segment_ms;
  spec.segments = segments;
  spec.cmaf_chunks = 4;
  return spec;
}

}  // namespace

TEST_CASE("low-latency live: each CMAF chunk is buffered as it arrives and playback starts before the segment ends",
          "[engine][live][ll]") {
  OriginSession h(low_latency_origin(), 1.0);
  h.start({}, std::make_unique<abr::FixedAlgorithm>(0));
  h.open("ll/manifest.mpd");
  REQUIRE(h.rec.wait_state(EngineState::kPlaying, kLimit));
  // Playing now; the first video segment is still arriving (its last chunk is published 4 s after
  // availabilityStartTime, about 2 s from now).
  bool first_segment_done = false;
  {
    auto lock = h.rec.lock();
    first_segment_done = !h.rec.media(TrackType::kVideo).empty();
  }
  CHECK_FALSE(first_segment_done);
  REQUIRE(h.rec.wait([&] { return h.rec.media(TrackType::kVideo).size() >= 1; }, kLimit));

  std::map<TrackType, std::vector<BufferedSegment>> kept;
  h.on_loop([&] {
    for (TrackType t : {TrackType::kVideo, TrackType::kAudio})
      if (const TrackBuffer* b = h.engine->buffer(t)) kept[t] = {b->segments().begin(), b->segments().end()};
    h.engine->stop();
  });
  // The first video segment [0, 4) is in the buffer as its four 1 s chunks, contiguous, each one
  // moof + mdat (the first with the segment's styp/sidx before it).
  const auto& video = kept[TrackType::kVideo];
  REQUIRE(video.size() >= 4);
  for (std::size_t i = 0; i < 4; ++i) {
    CAPTURE(i, video[i].start.count(), video[i].duration.count());
    CHECK(std::chrono::abs(video[i].start - milliseconds(1000 * static_cast<int>(i))) < milliseconds(50));
    CHECK(std::chrono::abs(video[i].duration - milliseconds(1000)) < milliseconds(50));
    const std::string first_box(video[i].media->begin() + 4, video[i].media->begin() + 8);
    CHECK((i == 0 ? (first_box == "styp" || first_box == "sidx") : (first_box == "sidx" || first_box == "moof")));
  }
  CHECK_FALSE(kept[TrackType::kAudio].empty());
  auto lock = h.rec.lock();
  CHECK(h.rec.errors.empty());
  for (const auto& w : h.rec.warnings) CHECK(w.message.find("CMAF") == std::string::npos);
  // One download per segment, whatever the number of chunks.
  const auto media = h.rec.media(TrackType::kVideo);
  REQUIRE_FALSE(media.empty());
  CHECK(media.front().segment_start == MediaTime{0});
  CHECK(media.front().segment_duration == seconds(4));
}

}  // namespace abrplay::engine::test

namespace abrplay::engine::test {

TEST_CASE("low-latency live: a chunked download's throughput sample measures the link's bursts, not the encoder",
          "[engine][live][ll]") {
  origin::OriginConfig oc = low_latency_origin();
  oc.cdns[0].trace = abr::Trace{"4M", {abr::TraceSegment{seconds(1000), 4000, std::chrono::microseconds(0)}}};
  OriginSession h(std::move(oc), 1.0);
  h.start({}, std::make_unique<abr::FixedAlgorithm>(0));  // 240p: about 0.3 Mbit/s
  h.open("ll/manifest.mpd");
  // The first video segment arrives chunk by chunk over about 3 s: 0.1 Mbit/s by bytes over time.
  REQUIRE(h.rec.wait([&] { return !h.rec.media(TrackType::kVideo).empty(); }, kLimit));
  h.on_loop([&] { h.engine->stop(); });
  auto lock = h.rec.lock();
  const DownloadEvent first = h.rec.media(TrackType::kVideo).front();
  const double naive_kbps = static_cast<double>(first.bytes.bytes()) * 8 / 1000 /
                            std::chrono::duration<double>(seconds(3)).count();
  const double measured_kbps = first.sample.bytes.bytes() * 8.0 / 1000 / first.sample.duration.count();
  CAPTURE(first.bytes.bytes(), naive_kbps, measured_kbps, first.sample.duration.count());
  // Every chunk counted, less its first piece (its time is not known: the rate runs from it).
  CHECK(first.sample.bytes <= first.bytes);
  CHECK(first.sample.bytes.bytes() > first.bytes.bytes() / 2);
  CHECK(measured_kbps > 2000);  // the 4 Mbit/s link (less the round trip and slack)
  CHECK(measured_kbps < 4800);
  CHECK(measured_kbps > 5 * naive_kbps);
}

}  // namespace abrplay::engine::test

namespace abrplay::engine::test {

namespace {

// 60 one-second segments, live from 20 s before the origin started, and an engine told to start
// `delay` behind the edge while holding `target`.
struct CatchupSetup {
  SyntheticContent content{[] {
    ContentSpec spec;
    spec.segments = 60;
    return spec;
  }()};
};

origin::OriginConfig catchup_origin(const SyntheticContent& content) {
  origin::OriginConfig oc = serving(content);
  oc.live = true;
  oc.live_preroll = seconds(20);
  oc.live_window = seconds(30);
  return oc;
}

EngineConfig catchup_config(MediaTime target, MediaTime delay) {
  EngineConfig ec;
  ec.target_latency = target;
  ec.live_delay = delay;
  ec.catchup.min_rate = 0.5;  // wide bounds, so a test second closes on the target fast
  ec.catchup.max_rate = 2.0;
  return ec;
}

}  // namespace

TEST_CASE("live catch-up: playback speeds up to the target latency, then releases to 1.0", "[engine][live][catchup]") {
  CatchupSetup s;
  OriginSession h(catchup_origin(s.content), 1.0);
  h.start(catchup_config(seconds(3), seconds(5)), std::make_unique<abr::FixedAlgorithm>(0));
  h.open_until(EngineState::kPlaying);
  // 2 s behind the target at up to 2x: closed within a few seconds, then held.
  REQUIRE(h.rec.wait(
      [&] {
        if (h.rec.latencies.size() < 4) return false;
        const auto& last = h.rec.latencies.back();
        return last.rate == 1.0 && std::chrono::abs(last.latency - seconds(3)) < milliseconds(300);
      },
      seconds(10)));
  h.on_loop([&] { h.engine->stop(); });
  auto lock = h.rec.lock();
  REQUIRE_FALSE(h.rec.latencies.empty());
  const auto& first = h.rec.latencies.front();
  CHECK(first.target == seconds(3));
  CHECK(first.latency > milliseconds(4500));  // started 5 s behind
  double top = 0;
  for (const auto& e : h.rec.latencies) top = std::max(top, e.rate);
  CHECK(top > 1.5);  // it engaged
  CHECK(h.rec.errors.empty());
  for (const auto& w : h.rec.warnings) CHECK(w.message.find("seeking") == std::string::npos);
}

TEST_CASE("live catch-up: beyond the max latency the engine seeks to the target behind the edge",
          "[engine][live][catchup]") {
  CatchupSetup s;
  OriginSession h(catchup_origin(s.content), 1.0);
  h.start(catchup_config(seconds(2), seconds(12)), std::make_unique<abr::FixedAlgorithm>(0));  // max: 4 s
  h.open();
  REQUIRE(h.rec.wait(
      [&] {
        return std::any_of(h.rec.warnings.begin(), h.rec.warnings.end(),
                           [](const Error& w) { return w.message.find("seeking to") != std::string::npos; });
      },
      seconds(10)));
  REQUIRE(h.rec.wait(
      [&] {
        return !h.rec.latencies.empty() &&
               std::chrono::abs(h.rec.latencies.back().latency - seconds(2)) < milliseconds(600);
      },
      seconds(10)));
  h.on_loop([&] { h.engine->stop(); });
  auto lock = h.rec.lock();
  CHECK(h.rec.errors.empty());
}

}  // namespace abrplay::engine::test

namespace abrplay::engine::test {

TEST_CASE("low-latency live on a step-down link: the default ABR switches down without a stall", "[engine][live][ll]") {
  ContentSpec spec;
  spec.video = {{"v400", 400'000}, {"v1200", 1'200'000}, {"v2500", 2'500'000}};
  spec.segment_ms = 2000;
  spec.segments = 30;
  spec.cmaf_chunks = 4;  // 0.5 s chunks
  SyntheticContent content(spec);
  origin::OriginConfig oc = ll_synthetic_origin(content, milliseconds(500));
  // 8 Mbit/s for 5 s, then 2 Mbit/s: the top rung no longer fits, the middle one does.
  oc.cdns[0].trace = abr::Trace{"step",
                                {abr::TraceSegment{seconds(5), 8000, std::chrono::microseconds(0)},
                                 abr::TraceSegment{seconds(1000), 2000, std::chrono::microseconds(0)}}};
  OriginSession h(std::move(oc), 1.0);
  EngineConfig ec;
  ec.target_latency = seconds(3);
  h.start(std::move(ec));  // the default algorithm
  h.open_until(EngineState::kPlaying);
  std::this_thread::sleep_for(seconds(11));
  h.on_loop([&] { h.engine->stop(); });
  auto lock = h.rec.lock();
  CHECK(h.rec.errors.empty());
  std::vector<std::string> chosen, reasons;
  for (const auto& d : h.rec.decisions) {
    if (d.track != TrackType::kVideo) continue;
    chosen.push_back(d.representation_id);
    reasons.emplace_back(d.reason);
  }
  CAPTURE(chosen, reasons);
  REQUIRE(chosen.size() >= 4);
  // Fast start for the first segment only: from one sample on the algorithm's live model decides.
  CHECK(reasons[0] == "fast start");
  CHECK(std::count(reasons.begin(), reasons.end(), "fast start") == 1);
  // Up to the top while the link is fast, and down once it is not.
  const auto top = std::find(chosen.begin(), chosen.end(), "v2500");
  CHECK(top != chosen.end());
  CHECK(std::find_if(top, chosen.end(), [](const std::string& id) { return id != "v2500"; }) != chosen.end());
  int stalls = 0;
  for (const auto& s : h.rec.states) stalls += s.from == EngineState::kPlaying && s.to == EngineState::kBuffering;
  CHECK(stalls == 0);
  REQUIRE_FALSE(h.rec.latencies.empty());
  CHECK(h.rec.latencies.back().latency < seconds(5));
}

}  // namespace abrplay::engine::test

namespace abrplay::engine::test {

TEST_CASE("low-latency live: a chunked segment that stops arriving fails on the stall timeout with a warning naming "
          "it, the latency control jumps to the live edge, and the stream plays to its end",
          "[engine][live][ll][faults]") {
  origin::OriginConfig oc = low_latency_origin();
  // The second (and last) video segment [4, 8) pauses for a minute after half of its bytes: its
  // last chunks never come on that response.
  oc.cdns[0].faults = abrplay::test::fault_plan(
      R"({"rules": [{"match": "*chunk-stream0-00002.m4s", "fault": "stall", "stall_s": 60, "at_fraction": 0.5}]})");
  OriginSession h(std::move(oc), 1.0);
  EngineConfig ec;
  ec.target_latency = seconds(3);
  h.start(std::move(ec), std::make_unique<abr::FixedAlgorithm>(0));
  h.open_until(EngineState::kPlaying, kLimit, "ll/manifest.mpd");
  // The stall timeout (10 s) fails the response; by then the latency is beyond its maximum (twice
  // the target), so the engine seeks to the target behind the live edge, and the live stream (8 s
  // long) ends: no hang, no error.
  REQUIRE(h.rec.wait_state(EngineState::kEnded, seconds(40)));
  auto lock = h.rec.lock();
  CHECK(h.rec.errors.empty());
  bool timeout_named = false, jumped = false;
  for (const auto& w : h.rec.warnings) {
    CAPTURE(w.message);
    timeout_named = timeout_named || (w.message.find("network.timeout") != std::string::npos &&
                                      w.message.find("chunk-stream0-00002.m4s") != std::string::npos);
    jumped = jumped || w.message.find("seeking to 3s behind the live edge") != std::string::npos;
  }
  CHECK(timeout_named);
  CHECK(jumped);
  // The first segment played whole, chunk by chunk.
  const auto video = h.rec.media(TrackType::kVideo);
  REQUIRE_FALSE(video.empty());
  CHECK(video.front().segment_start == MediaTime{0});
}

}  // namespace abrplay::engine::test

namespace abrplay::engine::test {

TEST_CASE("low-latency live from a server that ignores chunking: a warning, then plain live without catch-up",
          "[engine][live][ll][faults]") {
  SyntheticContent content(one_rendition_in_chunks(4000, 15));  // 1 s chunks
  origin::OriginConfig oc = ll_synthetic_origin(content, milliseconds(1000));
  oc.low_latency.chunked_transfer = false;  // the MPD says low latency; segments come whole, once complete
  OriginSession h(std::move(oc), 1.0);
  EngineConfig ec;
  ec.target_latency = seconds(3);
  h.start(std::move(ec), std::make_unique<abr::FixedAlgorithm>(0));
  h.open_until(EngineState::kPlaying);
  // Two segments requested while being encoded, each answered only once complete: low latency off.
  REQUIRE(h.rec.wait(
      [&] {
        for (const auto& w : h.rec.warnings)
          if (w.message.find("low-latency live off") != std::string::npos) return true;
        return false;
      },
      seconds(20)));
  std::this_thread::sleep_for(seconds(10));
  EngineState before_stop = EngineState::kIdle;
  h.on_loop([&] {
    before_stop = h.engine->state();
    h.engine->stop();
  });
  auto lock = h.rec.lock();
  CHECK(h.rec.errors.empty());
  std::string off;
  for (const auto& w : h.rec.warnings)
    if (w.message.find("low-latency live off") != std::string::npos) off = w.message;
  CAPTURE(off);
  CHECK(off.find("/seg-") != std::string::npos);  // names the segment (video or audio)
  CHECK(off.find("plain live") != std::string::npos);
  // From then on no latency control: no catch-up rate, no jump to the edge.
  for (const auto& w : h.rec.warnings) CHECK(w.message.find("behind the live edge") == std::string::npos);
  // Still playing, with at most one stall after the start (the buffer settling at plain live).
  int stalls = 0;
  for (const auto& s : h.rec.states) stalls += s.from == EngineState::kPlaying && s.to == EngineState::kBuffering;
  CHECK(stalls <= 1);
  CHECK(before_stop == EngineState::kPlaying);
}

}  // namespace abrplay::engine::test

namespace abrplay::engine::test {

TEST_CASE("low-latency live: each segment is requested once its first chunk is out, not once it is complete",
          "[engine][live][ll]") {
  // 2 s segments of 0.5 s chunks: availabilityTimeOffset 1.5 s. A request sent at the segment's
  // availability lasts until its last chunk is encoded, about 1.5 s; one sent at its end (the
  // engine used to wait for that unless an MPD refresh came in between) is answered at once.
  SyntheticContent content(one_rendition_in_chunks(2000, 30));
  RequestLogFile log("ll-requests");
  origin::OriginConfig oc = ll_synthetic_origin(content, milliseconds(500));
  oc.log_path = log.path.string();
  OriginSession h(std::move(oc), 1.0);
  EngineConfig ec;
  ec.target_latency = seconds(3);
  h.start(std::move(ec), std::make_unique<abr::FixedAlgorithm>(0));
  h.open_until(EngineState::kPlaying);
  std::this_thread::sleep_for(seconds(9));
  h.on_loop([&] { h.engine->stop(); });
  std::optional<double> first;
  int checked = 0;
  for (const auto& r : log.records()) {
    const auto path = r["path"].get<std::string>();
    if (path.find("/seg-") == std::string::npos) continue;
    const double at = r["t_ms"].get<double>();
    if (!first) first = at;
    if (at < *first + 1000) continue;  // the start fetches segments already complete
    CAPTURE(path, at, r["duration_ms"].get<double>());
    CHECK(r["duration_ms"].get<double>() > 700);
    ++checked;
  }
  CHECK(checked >= 4);  // audio and video, 2 s each, over the last 4 s or so
}

}  // namespace abrplay::engine::test

namespace abrplay::engine::test {

namespace {

// Always one rung, keeping what each decision was given: the throughput samples, and whether the
// live-chunk model was on.
class InputWatcher final : public abr::AbrAlgorithm {
 public:
  struct Seen {
    std::mutex mu;
    std::vector<std::vector<abr::ThroughputSample>> samples;  // guarded by mu
    std::vector<bool> live_chunks;                            // guarded by mu
  };
  InputWatcher(std::size_t index, std::shared_ptr<Seen> seen) : index_(index), seen_(std::move(seen)) {}
  [[nodiscard]] abr::Decision choose(const abr::AbrInput& in) override {
    std::lock_guard lock(seen_->mu);
    seen_->samples.emplace_back(in.recent_samples.begin(), in.recent_samples.end());
    seen_->live_chunks.push_back(in.live_chunks.has_value());
    return {std::min(index_, in.ladder.size() - 1), "fixed"};
  }
  std::string_view name() const override { return "input-watcher"; }
  bool pinned() const override { return true; }

 private:
  std::size_t index_;
  std::shared_ptr<Seen> seen_;
};

}  // namespace

TEST_CASE("low-latency live: the ABR is given video's samples only, also when the lowest rung was never chosen",
          "[engine][live][ll]") {
  // Audio's chunks are a few kilobytes each and time mostly the link's latency: at the live edge
  // they are left out of the estimate. The loader knows it is chunked from whichever
  // representation's index it has made; here only the upper rung's.
  ContentSpec spec;
  spec.video = {{"v400", 400'000}, {"v1200", 1'200'000}};
  spec.segment_ms = 2000;
  spec.segments = 30;
  spec.cmaf_chunks = 4;
  SyntheticContent content(spec);
  OriginSession h(ll_synthetic_origin(content, milliseconds(500)), 1.0);
  auto seen = std::make_shared<InputWatcher::Seen>();
  EngineConfig ec;
  ec.target_latency = seconds(3);
  h.start(std::move(ec), std::make_unique<InputWatcher>(1, seen));
  h.open_until(EngineState::kPlaying);
  std::this_thread::sleep_for(seconds(6));
  h.on_loop([&] { h.engine->stop(); });
  auto lock = h.rec.lock();
  CHECK(h.rec.errors.empty());
  const auto key = [](const abr::ThroughputSample& s) { return std::make_pair(s.end_time.count(), s.bytes.bytes()); };
  std::vector<std::pair<double, std::int64_t>> video, audio;
  for (const auto& d : h.rec.media(TrackType::kVideo)) video.push_back(key(d.sample));
  for (const auto& d : h.rec.media(TrackType::kAudio)) audio.push_back(key(d.sample));
  REQUIRE(video.size() >= 2);
  REQUIRE(audio.size() >= 2);
  std::lock_guard seen_lock(seen->mu);
  REQUIRE(seen->samples.size() >= 3);
  CHECK(seen->live_chunks.back());
  const auto& last = seen->samples.back();
  CHECK_FALSE(last.empty());
  for (const auto& s : last) {
    CAPTURE(s.end_time.count(), s.bytes.bytes());
    CHECK(std::find(video.begin(), video.end(), key(s)) != video.end());
    CHECK(std::find(audio.begin(), audio.end(), key(s)) == audio.end());
  }
}

}  // namespace abrplay::engine::test
