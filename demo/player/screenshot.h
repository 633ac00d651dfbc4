// screenshot.h: abrplay --screenshot FILE: the window's picture as a binary PPM (P6), the format
// with no dependency that every image tool reads (and tests parse in a few lines).
#pragma once

#include <optional>
#include <string>

#include "abrplay/player/error.h"
#include "abrplay/player/media/sdl_sinks.h"

namespace abrplay::demo {

// Writes `image` (RGB, rows top to bottom) to `path` as "P6 W H 255" + pixels. An error names the
// path (kOutputVideo: the screenshot is the video output's).
std::optional<Error> write_ppm(const media::RgbImage& image, const std::string& path);

}  // namespace abrplay::demo
