#include "playback_api.h"

#include <nlohmann/json.hpp>

#include "mpd_rewrite.h"
#include "play_request.h"

namespace abrplay::origin {

namespace {

using Json = nlohmann::json;

ApiResponse error(int status, const std::string& message) {
  return {status, Json{{"error", message}}.dump(-1, ' ', false, Json::error_handler_t::replace)};
}

bool exists(const ContentStore& store, const std::string& rel) {
  PathProblem problem{};
  return store.resolve("/" + rel, &problem).has_value();
}

}  // namespace

ApiResponse PlaybackApi::handle(const std::string& body, const std::string& authorization_header) {
  Expected<PlayRequest, PlayRequestError> req = parse_play_request(body, authorization_header, config_.token);
  if (!req) return error(req.error().status, req.error().message);
  const DeviceFilter& filter = req->device;

  std::string manifest;
  if (req->manifest) {
    manifest = *req->manifest;
  } else {
    const bool hevc = std::find_if(filter.codecs.begin(), filter.codecs.end(), [](const std::string& c) {
                        return c == "hev1" || c == "hvc1";
                      }) != filter.codecs.end();
    manifest = hevc && exists(*store_, "hevc/manifest.mpd") ? "hevc/manifest.mpd"
               : exists(*store_, "number/manifest.mpd")     ? "number/manifest.mpd"
                                                            : "manifest.mpd";
  }
  if (!exists(*store_, manifest)) return error(404, "content: no " + manifest + " under the origin's roots");

  const std::uint64_t n = ++sessions_;
  const auto now = std::chrono::system_clock::now().time_since_epoch().count();
  char id[64];
  std::snprintf(id, sizeof id, "s%llu-%llx", static_cast<unsigned long long>(n),
                static_cast<unsigned long long>(now) & 0xffffffffULL);
  const std::string& first = config_.cdn_base_urls.at(0);
  const std::string query = filter.to_query();
  Json cdns = Json::array();
  for (std::size_t i = 0; i < config_.cdn_base_urls.size(); ++i) {
    cdns.push_back({{"name", "cdn-" + std::to_string(i)}, {"base_url", config_.cdn_base_urls[i]}});
  }
  Json out = {{"session_id", id},
              {"manifest_url", first + manifest + (query.empty() ? "" : "?" + query)},
              {"cdns", cdns},
              {"telemetry_url", first + "telemetry"},
              {"heartbeat_interval_s", config_.heartbeat_interval.count()}};
  return {200, out.dump(-1, ' ', false, Json::error_handler_t::replace)};
}

}  // namespace abrplay::origin
