#include "playback_api.h"

#include <nlohmann/json.hpp>

#include "mpd_rewrite.h"

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
  const Json req = Json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (req.is_discarded() || !req.is_object()) return error(400, "body: expected a JSON object");

  std::string token;
  const std::string bearer = "Bearer ";
  if (authorization_header.rfind(bearer, 0) == 0) token = authorization_header.substr(bearer.size());
  if (req.contains("token")) {
    if (!req["token"].is_string()) return error(400, "token: expected a string");
    token = req["token"].get<std::string>();
  }
  if (token.empty()) return error(401, "missing token");
  if (token != config_.token) return error(401, "invalid token");

  DeviceFilter filter;
  if (req.contains("device")) {
    const Json& dev = req["device"];
    if (!dev.is_object()) return error(400, "device: expected an object");
    if (dev.contains("codecs")) {
      if (!dev["codecs"].is_array()) return error(400, "device.codecs: expected an array of strings");
      for (std::size_t i = 0; i < dev["codecs"].size(); ++i) {
        const Json& c = dev["codecs"][i];
        const std::string where = "device.codecs[" + std::to_string(i) + "]";
        if (!c.is_string()) return error(400, where + ": expected a string");
        std::string family = c.get<std::string>();
        family = family.substr(0, family.find('.'));
        if (family.empty() || family.size() > 16 ||
            family.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-") !=
                std::string::npos) {
          return error(400, where + ": not a codec name");
        }
        filter.codecs.push_back(family);
      }
    }
    if (dev.contains("max_height")) {
      // 8640 = 16K UHD: anything above is a bad request, not a device.
      if (!dev["max_height"].is_number_integer() || dev["max_height"].get<long long>() < 1 ||
          dev["max_height"].get<long long>() > 8640) {
        return error(400, "device.max_height: expected an integer in 1..8640");
      }
      filter.max_height = dev["max_height"].get<int>();
    }
  }

  std::string manifest;
  if (req.contains("content")) {
    if (!req["content"].is_string()) return error(400, "content: expected a string");
    manifest = req["content"].get<std::string>();
    if (manifest.size() < 4 || manifest.compare(manifest.size() - 4, 4, ".mpd") != 0) manifest += "/manifest.mpd";
  } else {
    const bool hevc = std::find_if(filter.codecs.begin(), filter.codecs.end(), [](const std::string& c) {
                        return c == "hev1" || c == "hvc1";
                      }) != filter.codecs.end();
    manifest = hevc && exists(*store_, "hevc/manifest.mpd") ? "hevc/manifest.mpd"
               : exists(*store_, "number/manifest.mpd")     ? "number/manifest.mpd"
                                                            : "manifest.mpd";
  }
  while (!manifest.empty() && manifest[0] == '/') manifest.erase(0, 1);
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
