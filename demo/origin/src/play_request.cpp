#include "play_request.h"

#include <nlohmann/json.hpp>

namespace abrplay::origin {

namespace {

using Json = nlohmann::json;

Unexpected<PlayRequestError> request_error(int status, std::string message) {
  return Unexpected{PlayRequestError{status, std::move(message)}};
}

}  // namespace

Expected<PlayRequest, PlayRequestError> parse_play_request(const std::string& body,
                                                           const std::string& authorization_header,
                                                           const std::string& expected_token) {
  const Json req = Json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (req.is_discarded() || !req.is_object()) return request_error(400, "body: expected a JSON object");

  std::string token;
  const std::string bearer = "Bearer ";
  if (authorization_header.rfind(bearer, 0) == 0) token = authorization_header.substr(bearer.size());
  if (req.contains("token")) {
    if (!req["token"].is_string()) return request_error(400, "token: expected a string");
    token = req["token"].get<std::string>();
  }
  if (token.empty()) return request_error(401, "missing token");
  if (token != expected_token) return request_error(401, "invalid token");

  PlayRequest out;
  DeviceFilter& filter = out.device;
  if (req.contains("device")) {
    const Json& dev = req["device"];
    if (!dev.is_object()) return request_error(400, "device: expected an object");
    if (dev.contains("codecs")) {
      if (!dev["codecs"].is_array()) return request_error(400, "device.codecs: expected an array of strings");
      for (std::size_t i = 0; i < dev["codecs"].size(); ++i) {
        const Json& c = dev["codecs"][i];
        const std::string where = "device.codecs[" + std::to_string(i) + "]";
        if (!c.is_string()) return request_error(400, where + ": expected a string");
        std::string family = c.get<std::string>();
        family = family.substr(0, family.find('.'));
        if (family.empty() || family.size() > 16 ||
            family.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-") !=
                std::string::npos) {
          return request_error(400, where + ": not a codec name");
        }
        filter.codecs.push_back(family);
      }
    }
    if (dev.contains("max_height")) {
      // 8640 = 16K UHD: anything above is a bad request, not a device.
      if (!dev["max_height"].is_number_integer() || dev["max_height"].get<long long>() < 1 ||
          dev["max_height"].get<long long>() > 8640) {
        return request_error(400, "device.max_height: expected an integer in 1..8640");
      }
      filter.max_height = dev["max_height"].get<int>();
    }
  }

  if (req.contains("content")) {
    if (!req["content"].is_string()) return request_error(400, "content: expected a string");
    std::string manifest = req["content"].get<std::string>();
    if (manifest.size() < 4 || manifest.compare(manifest.size() - 4, 4, ".mpd") != 0) manifest += "/manifest.mpd";
    while (!manifest.empty() && manifest[0] == '/') manifest.erase(0, 1);
    out.manifest = std::move(manifest);
  }
  return out;
}

}  // namespace abrplay::origin
