// tests/player/media/media_test_support.h: reading the generated test content from disk, feeding it
// to a MediaPipeline, and reading the frame code (docs/test-bench.md, "Frame code") from pixels.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "abrplay/core/clock.h"
#include "abrplay/player/media/frame.h"
#include "abrplay/player/media/pipeline.h"
#include "abrplay/player/media/sinks.h"

namespace abrplay::media::test {

inline std::string content_dir() { return std::string(ABRPLAY_TEST_CONTENT_DIR) + "/number/"; }

inline Bytes read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  auto v = std::make_shared<std::vector<std::uint8_t>>((std::istreambuf_iterator<char>(in)),
                                                       std::istreambuf_iterator<char>());
  return v;
}

// The content: 4 s segments (100 frames at 25 fps), 2 per representation, $Number$ from 1.
constexpr std::chrono::microseconds kSegmentDuration{4'000'000};
constexpr int kFramesPerSegment = 100;
constexpr int kSegments = 2;

// Video representations 0..5 (240p..1080p), audio 6 (en, 440 Hz) and 7 (fr, 660 Hz).
inline MediaSegment load_segment(int rep, int number, bool init_changed = false) {
  char name[64];
  std::snprintf(name, sizeof name, "chunk-stream%d-%05d.m4s", rep, number);
  MediaSegment s;
  s.init = read_bytes(content_dir() + "init-stream" + std::to_string(rep) + ".m4s");
  s.data = read_bytes(content_dir() + name);
  s.start = kSegmentDuration * (number - 1);
  s.duration = kSegmentDuration;
  s.representation_id = std::to_string(rep);
  s.number = static_cast<std::uint64_t>(number);
  s.init_changed = init_changed;
  return s;
}

// The 20-bit frame number in the bottom-left strip: cell k is 1/32 of the width and 1/18 of the
// height; white (luma > 128) when bit k is set. Each cell is averaged over its central half.
inline int read_frame_code(const VideoFrame& f) {
  int code = 0;
  const int y0 = f.height * 17 / 18;
  const int ch = f.height - y0;
  for (int k = 0; k < 20; ++k) {
    const int x0 = k * f.width / 32;
    const int cw = (k + 1) * f.width / 32 - x0;
    long sum = 0;
    int n = 0;
    for (int y = y0 + ch / 4; y < y0 + 3 * ch / 4; ++y) {
      for (int x = x0 + cw / 4; x < x0 + 3 * cw / 4; ++x) {
        sum += f.luma(x, y);
        ++n;
      }
    }
    if (n > 0 && sum / n > 128) code |= 1 << k;
  }
  return code;
}

// The dominant frequency of mono[from, to): the median over 100 ms windows of the period between
// upward zero crossings (interpolated to a fraction of a sample), so the once-a-second beep and
// window edges do not move it.
inline double dominant_hz(const std::vector<float>& mono, std::size_t from, std::size_t to, int rate) {
  const auto win = static_cast<std::size_t>(rate / 10);
  std::vector<double> hz;
  for (std::size_t w = from; w + win <= to; w += win) {
    double first = -1, last = -1;
    int n = 0;
    for (std::size_t i = w + 1; i < w + win; ++i) {
      if (mono[i - 1] < 0 && mono[i] >= 0) {
        const double t = static_cast<double>(i - 1) + mono[i - 1] / (mono[i - 1] - mono[i]);
        if (first < 0) first = t;
        last = t;
        ++n;
      }
    }
    if (n >= 3) hz.push_back((n - 1) * rate / (last - first));
  }
  if (hz.empty()) return 0;
  std::nth_element(hz.begin(), hz.begin() + static_cast<std::ptrdiff_t>(hz.size() / 2), hz.end());
  return hz[hz.size() / 2];
}

// What a test sees of each presented frame.
struct SeenFrame {
  int code = -1;
  std::chrono::microseconds pts{0};
  std::chrono::microseconds duration{0};
  int width = 0;
  std::string rep;
};

// Pumps `p` (as-fast-as-possible mode) until it ends or 60 s of real time pass, waiting on the
// pipeline between steps (no sleeps: wait() returns as soon as a decode thread queues something).
inline bool run_to_end(MediaPipeline& p) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline) {
    const auto next = p.pump();
    if (p.state() == PipelineState::kEnded) return true;
    if (next.count() > 0) p.wait(std::chrono::milliseconds(50));
  }
  return false;
}

// A pipeline in as-fast-as-possible mode with null audio, recording every presented frame (its
// frame code read from the pixels). Tests derive their own fixture from it.
struct FastRun {
  SystemClock clock;
  NullAudioSink audio{clock, NullPace::kAsFastAsPossible};
  std::vector<SeenFrame> frames;
  FrameCallbackVideoSink video{[this](const VideoFrame& f) {
    frames.push_back(SeenFrame{read_frame_code(f), f.pts, f.duration, f.width, f.representation_id});
  }};
  MediaPipeline pipeline;
  explicit FastRun(PipelineConfig config = {})
      : pipeline(clock, with_fast(config), PipelineSinks{&video, &audio, nullptr}) {}
  static PipelineConfig with_fast(PipelineConfig c) {
    c.mode = PresentMode::kAsFastAsPossible;
    return c;
  }
};

}  // namespace abrplay::media::test
