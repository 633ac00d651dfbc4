// abrplay/player/media/frame.h: decoded media as the pipeline hands it to sinks and embedders.
//
// Plain values with no FFmpeg types: pixel and sample memory is kept alive by `owner`, so a frame
// may be copied cheaply and kept by a sink for as long as it likes (e.g. to redraw on expose).
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace abrplay::media {

// One decoded picture, always planar YUV 4:2:0 8-bit (I420); other decoder outputs (10-bit, 4:2:2,
// hardware surfaces) are converted by the pipeline before they reach a sink.
struct VideoFrame {
  std::chrono::microseconds pts{0};       // presentation time on the MPD timeline
  std::chrono::microseconds duration{0};  // until the next frame; 0 when unknown
  int width = 0;
  int height = 0;
  std::array<const std::uint8_t*, 3> planes{};  // Y, U, V
  std::array<int, 3> strides{};                 // bytes per row of each plane
  std::string representation_id;
  std::shared_ptr<const void> owner;  // keeps `planes` valid; empty only for a default frame

  explicit operator bool() const { return planes[0] != nullptr; }
  std::uint8_t luma(int x, int y) const { return planes[0][static_cast<std::ptrdiff_t>(y) * strides[0] + x]; }
};

// The format an audio sink consumes: 32-bit float, interleaved, `channels` per sample frame.
struct AudioFormat {
  int sample_rate = 48'000;
  int channels = 2;
  friend bool operator==(const AudioFormat&, const AudioFormat&) = default;
};

// One subtitle cue (WebVTT or TTML, as a file or in fMP4: wvtt, stpp): text with its presentation
// interval on the MPD timeline.
struct TextCue {
  std::chrono::microseconds start{0};
  std::chrono::microseconds end{0};
  std::string text;  // plain text: WebVTT tags (<b>, <c.x>, ...) or TTML spans and styling removed;
                     // lines joined by '\n'
};

}  // namespace abrplay::media
