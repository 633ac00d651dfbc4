// RFC 6381 codecs strings -> FFmpeg decoders. FFmpeg stays in this file.
#include <algorithm>
#include <cctype>
#include <string>

extern "C" {
#include <libavcodec/avcodec.h>
}

#include "abrplay/player/engine/track_selection.h"

namespace abrplay::engine {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

class FfmpegCodecSupport final : public CodecSupport {
 public:
  bool can_decode(std::string_view codec) const override {
    // Text the media layer reads itself: FFmpeg demuxes wvtt and stpp samples, the player decodes
    // them (FFmpeg 5.1 has no TTML decoder, and its webvtt decoder takes cue text, not wvtt boxes).
    const std::string c = lower(codec);
    const std::string family = c.substr(0, c.find('.'));
    if (family == "wvtt" || family == "stpp") return true;
    const auto name = ffmpeg_decoder_name(codec);
    if (!name) return false;
    const std::string n(*name);
    const AVCodecDescriptor* desc = avcodec_descriptor_get_by_name(n.c_str());
    if (desc == nullptr) return false;
    return avcodec_find_decoder(desc->id) != nullptr;
  }
};

}  // namespace

std::optional<std::string_view> ffmpeg_decoder_name(std::string_view codec) {
  const std::string c = lower(codec);
  const std::string family = c.substr(0, c.find('.'));
  if (family == "avc1" || family == "avc3") return "h264";
  if (family == "hvc1" || family == "hev1") return "hevc";
  if (family == "av01") return "av1";
  if (family == "vp09") return "vp9";
  if (family == "vp08") return "vp8";
  if (family == "mp4a") {
    // mp4a.<objectTypeIndication>[.<audioObjectType>]: 40 is MPEG-4 audio (AAC family);
    // 69 and 6b are MPEG-1/2 layer 3.
    if (c == "mp4a" || c.rfind("mp4a.40", 0) == 0 || c.rfind("mp4a.66", 0) == 0 || c.rfind("mp4a.67", 0) == 0) {
      return "aac";
    }
    if (c.rfind("mp4a.69", 0) == 0 || c.rfind("mp4a.6b", 0) == 0) return "mp3";
    return std::nullopt;
  }
  if (family == "opus") return "opus";
  if (family == "ac-3") return "ac3";
  if (family == "ec-3") return "eac3";
  if (family == "flac") return "flac";
  if (family == "wvtt") return "webvtt";
  if (family == "stpp") return "ttml";
  return std::nullopt;
}

std::unique_ptr<CodecSupport> make_ffmpeg_codec_support() { return std::make_unique<FfmpegCodecSupport>(); }

}  // namespace abrplay::engine
