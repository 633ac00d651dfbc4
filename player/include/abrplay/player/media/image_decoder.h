// abrplay/player/media/image_decoder.h: one still image (a thumbnail grid) to an I420 VideoFrame.
//
// JPEG and PNG, told apart by their first bytes, decoded by FFmpeg's mjpeg and png decoders. The
// limits bound memory before any pixel buffer is allocated: the body size is checked first, and the
// decoder refuses an image whose header declares more than `max_pixels` (AVCodecContext::max_pixels),
// so a 60000 x 60000 header costs nothing. Any thread; no shared state.
#pragma once

#include <cstdint>
#include <span>

#include "abrplay/core/expected.h"
#include "abrplay/player/error.h"
#include "abrplay/player/media/frame.h"

namespace abrplay::media {

struct ImageLimits {
  // Thumbnail grids are tens to hundreds of KiB; 4 MiB is generous and bounds a hostile server.
  std::uint64_t max_bytes = 4u << 20;
  // 4096 x 4096: a 10x10 grid of 409x409 tiles; 16 Mpx of I420 is 24 MiB, decoded in well under a
  // second.
  std::uint64_t max_pixels = 4096ull * 4096ull;
};

// The decoded image as I420 (frame.h), pts 0. kMediaDecode naming why: empty or unknown format
// (neither JPEG nor PNG), larger than the limits (bytes or width x height), or the decoder's error.
Expected<VideoFrame, Error> decode_image(std::span<const std::uint8_t> bytes, const ImageLimits& limits = {});

}  // namespace abrplay::media
