// playback_api.h: POST /play, in the spirit of a streaming service's playback API.
//
// Request (JSON; the token may instead come as "Authorization: Bearer <token>"):
//   {"token": "abrplay-demo", "content": "number",
//    "device": {"codecs": ["avc1", "mp4a"], "max_height": 720}}
// Response 200:
//   {"session_id": "s1-...", "manifest_url": "http://127.0.0.1:P0/number/manifest.mpd?codecs=avc1,mp4a&max_height=720",
//    "cdns": [{"name": "cdn-0", "base_url": "http://127.0.0.1:P0/"}, ...],
//    "telemetry_url": "http://127.0.0.1:P0/telemetry", "heartbeat_interval_s": 10}
// The manifest URL carries the device's capabilities; the origin filters that MPD accordingly
// (mpd_rewrite.h). "content" is a folder (its manifest.mpd) or an .mpd path under the roots; when
// omitted, "hevc" is chosen for devices that list hev1/hvc1 and it exists, else "number", else
// "manifest.mpd". Errors: 401 bad or missing token, 400 malformed body (the message says which
// field), 404 no such content. Every error body is {"error": "..."}.
// Threading: handle() may be called from any handler thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "content_store.h"

namespace abrplay::origin {

struct PlaybackApiConfig {
  std::string token = "abrplay-demo";
  std::vector<std::string> cdn_base_urls;  // "http://127.0.0.1:P/" per CDN, in order
  std::chrono::seconds heartbeat_interval{10};
};

struct ApiResponse {
  int status = 200;
  std::string body;  // JSON
};

class PlaybackApi {
 public:
  PlaybackApi(PlaybackApiConfig config, const ContentStore* store) : config_(std::move(config)), store_(store) {}

  ApiResponse handle(const std::string& body, const std::string& authorization_header);

 private:
  const PlaybackApiConfig config_;
  const ContentStore* store_;
  std::atomic<std::uint64_t> sessions_{0};
};

}  // namespace abrplay::origin
