// player/media/time_stretch.h: pitch-preserving time-stretch of interleaved float audio with
// FFmpeg's atempo filter (WSOLA) through a libavfilter graph: abuffer -> atempo -> abuffersink.
// Owned by one thread at a time (the AudioQueue's lock serialises it). No FFmpeg type in this header.
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "abrplay/core/expected.h"
#include "abrplay/player/error.h"

namespace abrplay::media {

class TimeStretch {
 public:
  // `tempo` is media time per output time, 0.5..2.0 (atempo's range, one filter instance). Errors are
  // kMediaDecode naming the libavfilter call that failed.
  static Expected<std::unique_ptr<TimeStretch>, Error> create(int sample_rate, int channels, double tempo);
  ~TimeStretch();
  TimeStretch(const TimeStretch&) = delete;
  TimeStretch& operator=(const TimeStretch&) = delete;

  // Feeds `in` (whole sample frames) and appends to `out` every output frame the filter has ready.
  // atempo holds back about one window (2048 frames at 48 kHz) until more input or finish().
  std::optional<Error> push(std::span<const float> in, std::vector<float>& out);
  // Changes the tempo of the running instance (atempo's `tempo` command): the frames it holds and
  // all that follow are played at the new tempo.
  std::optional<Error> set_tempo(double tempo);
  // End of input: appends what the filter still holds. The instance takes no input afterwards.
  std::optional<Error> finish(std::vector<float>& out);

 private:
  struct Graph;
  explicit TimeStretch(std::unique_ptr<Graph> g);
  std::optional<Error> drain(std::vector<float>& out);
  std::unique_ptr<Graph> g_;
};

}  // namespace abrplay::media
