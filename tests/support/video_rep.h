// video_rep.h: a 16:9 video rendition as telemetry describes it, for tests that write sessions
// through the real SessionRecorder.
#pragma once

#include <string>

#include "abrplay/player/telemetry/session_recorder.h"

namespace abrplay::test {

inline telemetry::RepresentationInfo video_rep(std::string id, DataRate bandwidth, int height,
                                               std::string codecs = "avc1") {
  return {std::move(id), bandwidth, height * 16 / 9, height, std::move(codecs)};
}

}  // namespace abrplay::test
