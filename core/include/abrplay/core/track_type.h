// abrplay/core/track_type.h: the kinds of media track, shared by the engine, the media pipeline and
// the API.
#pragma once

#include <string_view>

namespace abrplay {

enum class TrackType { kVideo, kAudio, kText };

constexpr std::string_view to_string(TrackType type) {
  switch (type) {
    case TrackType::kVideo: return "video";
    case TrackType::kAudio: return "audio";
    case TrackType::kText: return "text";
  }
  return "unknown";
}

}  // namespace abrplay
