// sample_sessions.h: the SessionRecorder driven through a short playback.
#include "sample_sessions.h"

#include "abrplay/player/lab/manual_clock.h"
#include "abrplay/player/telemetry/session_recorder.h"

namespace abrplay::collector {
namespace {

namespace tel = telemetry;
using namespace std::chrono_literals;

tel::RepresentationInfo sample_rep(const char* id, double kbps, int h) {
  return {id, DataRate::kilobits_per_second(kbps), h * 16 / 9, h, "avc1"};
}

}  // namespace

std::vector<nlohmann::json> sample_session(const SampleSession& s) {
  lab::ManualClock clock(s.start);
  tel::SessionRecorder r({s.id, s.content, s.device, "0.1", s.abr});
  r.on_load(clock.steady());
  clock.advance(1s);
  r.on_first_frame(clock.steady());
  tel::Snapshot snap;
  snap.state = "playing";
  const tel::RepresentationInfo top = sample_rep("v720", s.bitrate_kbps, 720);
  std::vector<nlohmann::json> out;
  for (int i = 0; i < s.heartbeats; ++i) {
    clock.advance(10s);
    snap.position_s = 10.0 * i;
    snap.buffer_s = {{"video", 8.0}, {"audio", 9.0}};
    snap.video = top;
    snap.throughput = DataRate::kilobits_per_second(3000);
    if (i == 0) r.on_switch(clock.steady(), 5, sample_rep("v360", 750, 360), top, "throughput");
    if (i == 1) {
      r.on_stall_start(clock.steady(), 12);
      clock.advance(1s);
      r.on_stall_end(clock.steady());
      r.on_error(clock.steady(), {ErrorCode::kNetworkIo, "reset"}, "http://cdn/a.m4s?tok=1");
    }
    r.on_video_segment(top, 10);
    r.on_download("video", "v720", false, DataSize::bytes(1'000'000));
    r.on_download("audio", "a128", false, DataSize::bytes(160'000));
    r.on_dropped_frames(static_cast<std::uint64_t>(i % 3));
    out.push_back(nlohmann::json::parse(r.heartbeat(snap, clock.wall(), clock.steady())));
  }
  if (s.final_report)
    out.push_back(
        nlohmann::json::parse(r.final_report(snap, tel::EndReason::kEndOfStream, clock.wall(), clock.steady())));
  return out;
}

}  // namespace abrplay::collector
