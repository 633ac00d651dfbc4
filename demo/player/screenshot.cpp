#include "screenshot.h"

#include <fstream>

namespace abrplay::demo {

std::optional<Error> write_ppm(const media::RgbImage& image, const std::string& path) {
  const auto expected = static_cast<std::size_t>(image.width) * static_cast<std::size_t>(image.height) * 3;
  if (image.width <= 0 || image.height <= 0 || image.rgb.size() != expected) {
    return Error{ErrorCode::kOutputVideo, "screenshot " + path + ": empty or inconsistent image"};
  }
  std::ofstream out(path, std::ios::binary);
  out << "P6\n" << image.width << ' ' << image.height << "\n255\n";
  out.write(reinterpret_cast<const char*>(image.rgb.data()), static_cast<std::streamsize>(image.rgb.size()));
  out.close();
  if (!out) return Error{ErrorCode::kOutputVideo, "screenshot " + path + ": cannot write the file"};
  return std::nullopt;
}

}  // namespace abrplay::demo
