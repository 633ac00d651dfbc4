#include "realtime.h"

#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>
#include <vector>

#include "abrplay/player/media/pipeline.h"
#include "abrplay/player/media/sdl_sinks.h"

extern char** environ;

namespace abrplay::decode_bench {
namespace {

double cpu_of(const rusage& r) {
  return static_cast<double>(r.ru_utime.tv_sec + r.ru_stime.tv_sec) +
         static_cast<double>(r.ru_utime.tv_usec + r.ru_stime.tv_usec) / 1e6;
}

}  // namespace

FfplayResult run_ffplay(const RealtimeOptions& o, int video_stream_index) {
  std::vector<std::string> args{o.ffplay,
                                "-autoexit",
                                "-loglevel",
                                "fatal",
                                "-allowed_extensions",
                                "ALL",
                                "-vst",
                                "v:" + std::to_string(video_stream_index),
                                "-ast",
                                "a:0",
                                "-threads",
                                std::to_string(o.threads)};
  if (!o.sdl) args.push_back("-nodisp");
  args.push_back(o.manifest);
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  const auto f0 = std::chrono::steady_clock::now();
  pid_t pid = 0;
  if (posix_spawnp(&pid, argv[0], nullptr, nullptr, argv.data(), environ) != 0) {
    std::cerr << "abrplay-decode-bench: cannot run " << o.ffplay << "\n";
    return {};
  }
  int status = 0;
  rusage fr{};
  wait4(pid, &status, 0, &fr);
  const auto f1 = std::chrono::steady_clock::now();
  return FfplayResult{std::chrono::duration<double>(f1 - f0).count(), cpu_of(fr), fr.ru_maxrss,
                      WIFEXITED(status) && WEXITSTATUS(status) == 0};
}

int run_realtime(const RealtimeOptions& o, const RepresentationSegments& video, const RepresentationSegments& audio,
                 const FfplayResult& ff) {
  SystemClock clock;
  std::unique_ptr<media::SdlVideoSink> window;
  std::unique_ptr<media::SdlAudioSink> sdl_audio;
  media::NullVideoSink null_video;
  media::NullAudioSink null_audio(clock, media::NullPace::kWallClock);
  media::PipelineSinks sinks{&null_video, &null_audio, nullptr};
  if (o.sdl) {
    auto w = media::SdlVideoSink::create(media::SdlVideoOptions{"abrplay-decode-bench", 960, 540, false});
    if (!w) {
      std::cerr << "abrplay-decode-bench: " << w.error().describe() << "\n";
      return 1;
    }
    window = std::move(*w);
    sdl_audio = std::make_unique<media::SdlAudioSink>();
    sinks = media::PipelineSinks{window.get(), sdl_audio.get(), nullptr};
  }
  media::PipelineConfig config;
  config.video_decode_threads = o.threads;
  rusage r0{};
  getrusage(RUSAGE_SELF, &r0);
  const auto t0 = std::chrono::steady_clock::now();
  {
    media::MediaPipeline p(clock, config, sinks);
    if (auto e = p.start()) {
      std::cerr << "abrplay-decode-bench: " << e->describe() << "\n";
      return 1;
    }
    for (const auto& s : video.segments) p.feed(TrackType::kVideo).push(s);
    for (const auto& s : audio.segments) p.feed(TrackType::kAudio).push(s);
    p.feed(TrackType::kVideo).end_of_stream();
    p.feed(TrackType::kAudio).end_of_stream();
    while (p.state() != media::PipelineState::kEnded) {
      if (window && window->pump_events().quit) break;
      const auto next = p.pump();
      if (next.count() > 0) p.wait(next);
    }
    const auto s = p.stats();
    std::printf("pipeline: presented %llu, dropped late %llu, rebuffers %llu, max |A/V drift| %.1f ms\n",
                static_cast<unsigned long long>(s.video_frames_presented),
                static_cast<unsigned long long>(s.video_frames_dropped_late),
                static_cast<unsigned long long>(s.rebuffers), static_cast<double>(s.av_drift_max_abs.count()) / 1000.0);
  }
  const auto t1 = std::chrono::steady_clock::now();
  rusage r1{};
  getrusage(RUSAGE_SELF, &r1);

  const double wall = std::chrono::duration<double>(t1 - t0).count();
  std::printf("%-28s %10s %10s %12s\n", "real-time playback", "wall", "cpu", "peak RSS");
  std::printf("%-28s %8.2f s %8.2f s %9ld MB\n", "abrplay pipeline", wall, cpu_of(r1) - cpu_of(r0),
              r1.ru_maxrss / 1024);
  std::printf("%-28s %8.2f s %8.2f s %9ld MB%s\n", "ffplay", ff.wall_s, ff.cpu_s, ff.peak_rss_kb / 1024,
              ff.ok ? "" : "  (ffplay failed)");
  std::printf("cpu ratio pipeline/ffplay: %.2f  (pipeline RSS includes all segments held in memory%s)\n",
              (cpu_of(r1) - cpu_of(r0)) / ff.cpu_s, o.sdl ? "" : "; ffplay -nodisp decodes no video");
  return 0;
}

}  // namespace abrplay::decode_bench
