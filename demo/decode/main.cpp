// abrplay-decode-bench: decodes one representation of a manifest folder as fast as possible
// through the media pipeline, and in the same run `ffmpeg -i <manifest> -map 0:v:<k> -f null -`
// on the same representation; prints medians of N runs of each and their ratio.
//
//   abrplay-decode-bench build/media-content/number --rep 4 --runs 5 --threads 2
//   abrplay-decode-bench DIR --rep 5 --realtime   (60 s of 1080p at 1x vs ffplay: CPU, peak RSS)
//   --json FILE (throughput mode): also every run's wall and CPU seconds, for demo/bench/run.
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "abrplay/player/media/pipeline.h"
#include "manifest_segments.h"
#include "realtime.h"

extern char** environ;

namespace {

using Seconds = std::chrono::duration<double>;

struct Sample {
  double wall_s = 0;
  double cpu_s = 0;
  std::uint64_t frames = 0;
};

double cpu_of(const rusage& r) {
  return static_cast<double>(r.ru_utime.tv_sec + r.ru_stime.tv_sec) +
         static_cast<double>(r.ru_utime.tv_usec + r.ru_stime.tv_usec) / 1e6;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : (v.size() % 2 == 1 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2);
}

Sample run_pipeline(const abrplay::decode_bench::RepresentationSegments& rep, int threads) {
  using namespace abrplay::media;
  abrplay::SystemClock clock;
  NullVideoSink video;
  NullAudioSink audio(clock, NullPace::kAsFastAsPossible);
  PipelineConfig config;
  config.mode = PresentMode::kAsFastAsPossible;
  config.video = rep.content_type == "video";
  config.audio = !config.video;
  config.video_decode_threads = threads;
  rusage r0{};
  getrusage(RUSAGE_SELF, &r0);
  const auto t0 = std::chrono::steady_clock::now();
  MediaPipeline p(clock, config, PipelineSinks{&video, &audio, nullptr});
  if (auto e = p.start()) {
    std::cerr << "pipeline: " << e->describe() << "\n";
    return {};
  }
  const abrplay::TrackType track = config.video ? abrplay::TrackType::kVideo : abrplay::TrackType::kAudio;
  for (const auto& s : rep.segments) p.feed(track).push(s);
  p.feed(track).end_of_stream();
  while (p.state() != PipelineState::kEnded) {
    if (p.pump().count() > 0) p.wait(std::chrono::milliseconds(10));
  }
  const auto t1 = std::chrono::steady_clock::now();
  rusage r1{};
  getrusage(RUSAGE_SELF, &r1);
  for (const auto& e : p.take_events()) {
    if (e.kind == MediaEvent::Kind::kError) std::cerr << "pipeline event: " << e.error.describe() << "\n";
  }
  const auto s = p.stats();
  return Sample{Seconds(t1 - t0).count(), cpu_of(r1) - cpu_of(r0),
                config.video ? s.video_frames_presented : s.audio_frames_played};
}

// Runs ffmpeg without a shell (argv as given) and measures it with wait4.
Sample run_ffmpeg(const std::vector<std::string>& args) {
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  const auto t0 = std::chrono::steady_clock::now();
  pid_t pid = 0;
  if (posix_spawnp(&pid, argv[0], nullptr, nullptr, argv.data(), environ) != 0) {
    std::cerr << "cannot run " << args[0] << "\n";
    return {};
  }
  int status = 0;
  rusage r{};
  wait4(pid, &status, 0, &r);
  const auto t1 = std::chrono::steady_clock::now();
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) std::cerr << "ffmpeg failed (status " << status << ")\n";
  return Sample{Seconds(t1 - t0).count(), cpu_of(r), 0};
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Media pipeline decode throughput against ffmpeg -f null"};
  std::string folder;
  std::string rep_id;
  std::string type = "video";
  std::string ffmpeg = "ffmpeg";
  int runs = 5;
  int threads = 2;
  app.add_option("folder", folder, "manifest folder (holding manifest.mpd) or an .mpd path")->required();
  app.add_option("--rep", rep_id, "representation id (default: the first of the type)");
  app.add_option("--type", type, "video or audio")->check(CLI::IsMember({"video", "audio"}));
  app.add_option("--runs", runs, "runs of each, medians reported")->check(CLI::Range(1, 100));
  app.add_option("--threads", threads, "decoder threads for both (0 = one per core)")->check(CLI::Range(0, 64));
  app.add_option("--ffmpeg", ffmpeg, "the ffmpeg executable");
  bool realtime = false;
  bool null_sinks = false;
  std::string ffplay = "ffplay";
  std::string json_path;
  app.add_option("--json", json_path, "also write every run's wall and CPU seconds to this JSON file");
  app.add_flag("--realtime", realtime,
               "instead: play video + first audio at 1x (SDL sinks), then ffplay; CPU time and peak RSS");
  app.add_flag("--null-sinks", null_sinks, "with --realtime: null sinks on the wall clock (ffplay -nodisp)");
  app.add_option("--ffplay", ffplay, "the ffplay executable");
  CLI11_PARSE(app, argc, argv);

  std::filesystem::path manifest = std::filesystem::absolute(folder);  // ffmpeg's dash demuxer needs it
  if (std::filesystem::is_directory(manifest)) manifest /= "manifest.mpd";
  abrplay::decode_bench::FfplayResult ffplay_result;
  const abrplay::decode_bench::RealtimeOptions rt{manifest.string(), ffplay, !null_sinks, threads};
  if (realtime) {  // ffplay first, while this process is small (see realtime.h)
    auto meta = abrplay::decode_bench::load_representation(manifest.string(), "video", rep_id, false);
    if (!meta) {
      std::cerr << "abrplay-decode-bench: " << meta.error().describe() << "\n";
      return 1;
    }
    ffplay_result = abrplay::decode_bench::run_ffplay(rt, meta->stream_index);
  }
  auto rep = abrplay::decode_bench::load_representation(manifest.string(), realtime ? "video" : type, rep_id);
  if (!rep) {
    std::cerr << "abrplay-decode-bench: " << rep.error().describe() << "\n";
    return 1;
  }
  if (realtime) {
    auto audio = abrplay::decode_bench::load_representation(manifest.string(), "audio", "");
    if (!audio) {
      std::cerr << "abrplay-decode-bench: " << audio.error().describe() << "\n";
      return 1;
    }
    std::printf("abrplay-decode-bench --realtime: %s, video '%s' + audio '%s'\n", manifest.string().c_str(),
                rep->id.c_str(), audio->id.c_str());
    return abrplay::decode_bench::run_realtime(rt, *rep, *audio, ffplay_result);
  }
  const std::vector<std::string> ff{ffmpeg, "-nostdin", "-v", "fatal", "-threads", std::to_string(threads),
                                    // the manifest lists a .vtt, which the dash demuxer blocks by default
                                    "-allowed_extensions", "ALL", "-i", manifest.string(), "-map",
                                    "0:" + std::string(type == "video" ? "v" : "a") + ":" +
                                        std::to_string(rep->stream_index),
                                    "-f", "null", "-"};
  // Second baseline: the same representation's init + media segments concatenated into one
  // fragmented MP4, so ffmpeg demuxes and decodes exactly what the pipeline does (the dash demuxer
  // also opens and probes every other representation of the manifest).
  const auto concat = std::filesystem::temp_directory_path() /
                      ("abrplay-decode-bench-" + std::to_string(getpid()) + ".mp4");
  {
    std::FILE* out = std::fopen(concat.c_str(), "wb");
    if (out == nullptr) {
      std::cerr << "abrplay-decode-bench: cannot write " << concat << "\n";
      return 1;
    }
    if (!rep->segments.empty() && rep->segments.front().init) {
      std::fwrite(rep->segments.front().init->data(), 1, rep->segments.front().init->size(), out);
    }
    for (const auto& seg : rep->segments) std::fwrite(seg.data->data(), 1, seg.data->size(), out);
    std::fclose(out);
  }
  const std::vector<std::string> ff_file{ffmpeg, "-nostdin",      "-v",   "fatal", "-threads", std::to_string(threads),
                                         "-i",   concat.string(), "-map", "0:0",   "-f",       "null",
                                         "-"};
  std::vector<double> pw, pc, fw, fc, gw, gc;
  std::uint64_t frames = 0;
  for (int i = 0; i < runs; ++i) {  // interleaved, so both see the same machine load
    const Sample p = run_pipeline(*rep, threads);
    const Sample f = run_ffmpeg(ff);
    const Sample g = run_ffmpeg(ff_file);
    gw.push_back(g.wall_s);
    gc.push_back(g.cpu_s);
    pw.push_back(p.wall_s);
    pc.push_back(p.cpu_s);
    fw.push_back(f.wall_s);
    fc.push_back(f.cpu_s);
    frames = p.frames;
  }
  std::filesystem::remove(concat);
  std::printf("abrplay-decode-bench: %s, %s representation '%s' (stream %s:%d), %zu segments, %d runs, %d threads\n",
              manifest.string().c_str(), type.c_str(), rep->id.c_str(), type == "video" ? "v" : "a", rep->stream_index,
              rep->segments.size(), runs, threads);
  std::printf("%-26s %12s %12s %12s\n", "", "wall median", "cpu median", type == "video" ? "frames/s" : "samples/s");
  std::printf("%-26s %10.3f s %10.3f s %12.0f\n", "abrplay media pipeline", median(pw), median(pc),
              static_cast<double>(frames) / median(pw));
  std::printf("%-26s %10.3f s %10.3f s %12.0f\n", "ffmpeg -i manifest -f null", median(fw), median(fc),
              static_cast<double>(frames) / median(fw));
  std::printf("%-26s %10.3f s %10.3f s %12.0f\n", "ffmpeg -i rep.mp4 -f null", median(gw), median(gc),
              static_cast<double>(frames) / median(gw));
  std::printf("ratio pipeline/ffmpeg(manifest): wall %.2f, cpu %.2f\n", median(pw) / median(fw),
              median(pc) / median(fc));
  std::printf("ratio pipeline/ffmpeg(rep.mp4):  wall %.2f, cpu %.2f\n", median(pw) / median(gw),
              median(pc) / median(gc));
  std::printf("%llu %s per run\n", static_cast<unsigned long long>(frames),
              type == "video" ? "frames" : "sample frames");
  if (!json_path.empty()) {
    const nlohmann::json doc = {{"manifest", manifest.string()},
                                {"type", type},
                                {"rep", rep->id},
                                {"runs", runs},
                                {"threads", threads},
                                {"frames", frames},
                                {"pipeline", {{"wall_s", pw}, {"cpu_s", pc}}},
                                {"ffmpeg_manifest", {{"wall_s", fw}, {"cpu_s", fc}}},
                                {"ffmpeg_rep_mp4", {{"wall_s", gw}, {"cpu_s", gc}}}};
    std::ofstream out(json_path, std::ios::trunc);
    out << doc.dump(1) << "\n";
    if (!out.good()) {
      std::cerr << "abrplay-decode-bench: cannot write " << json_path << "\n";
      return 1;
    }
  }
  return 0;
}
