// player/media/converters.h: decoded AVFrames to what sinks take. Each owned by one decode thread.
//  - VideoConverter: any decoder output to I420 VideoFrame (zero copy when already yuv420p).
//  - AudioConverter: any sample format/layout/rate to interleaved float in the sink's format,
//    through libswresample (re-created when the input format changes).
#pragma once

#include <optional>
#include <vector>

#include "abrplay/core/expected.h"
#include "abrplay/player/error.h"
#include "abrplay/player/media/frame.h"
#include "ffmpeg_ptr.h"

namespace abrplay::media {

class VideoConverter {
 public:
  // Takes ownership of the frame's references (`frame` is left empty).
  Expected<VideoFrame, Error> convert(AVFrame& frame);

 private:
  ff::SwsPtr sws_;
};

class AudioConverter {
 public:
  AudioConverter() = default;
  ~AudioConverter() { av_channel_layout_uninit(&in_layout_); }
  AudioConverter(const AudioConverter&) = delete;
  AudioConverter& operator=(const AudioConverter&) = delete;
  void set_output(AudioFormat out) {
    out_ = out;
    swr_.reset();
  }
  const AudioFormat& output() const { return out_; }
  // Appends the converted samples to `out`; returns sample frames appended or an error.
  Expected<int, Error> convert(const AVFrame& frame, std::vector<float>& out);

 private:
  AudioFormat out_;
  ff::SwrPtr swr_;
  int in_rate_ = 0;
  int in_format_ = -1;
  AVChannelLayout in_layout_{};
};

}  // namespace abrplay::media
