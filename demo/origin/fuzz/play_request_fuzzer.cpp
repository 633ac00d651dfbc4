// libFuzzer target: the abrplay-origin POST /play body parser (src/play_request.h) on arbitrary
// bytes, without and with an "Authorization: Bearer" header. Whatever it accepts must be safe to put
// in a manifest URL: codec families of 1..16 characters of [A-Za-z0-9-], max_height 0 (none) or
// 1..8640, a manifest path ending in ".mpd" without a leading '/'; whatever it refuses is a 400 or
// 401 with a message that serialises as JSON. Built only with -DABRPLAY_FUZZ=ON and clang; seeded by
// tests/fuzz/run-fuzzers with request bodies like those of tests/demo/origin/test_api.cpp.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include <nlohmann/json.hpp>

#include "play_request.h"

using namespace abrplay::origin;

namespace {

void check(const abrplay::Expected<PlayRequest, PlayRequestError>& r) {
  if (!r) {
    if (r.error().status != 400 && r.error().status != 401) std::abort();
    if (r.error().message.empty()) std::abort();
    (void)nlohmann::json{{"error", r.error().message}}.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    return;
  }
  for (const std::string& c : r->device.codecs) {
    if (c.empty() || c.size() > 16) std::abort();
    if (c.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-") != std::string::npos)
      std::abort();
  }
  if (r->device.max_height < 0 || r->device.max_height > 8640) std::abort();
  if (r->manifest) {
    const std::string& m = *r->manifest;
    if (m.size() < 4 || m.compare(m.size() - 4, 4, ".mpd") != 0 || m[0] == '/') std::abort();
  }
  const std::string query = r->device.to_query();
  if (query.find_first_of(" \"#?\r\n") != std::string::npos) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  const std::string body(reinterpret_cast<const char*>(data), size);
  check(parse_play_request(body, "", "abrplay-demo"));
  check(parse_play_request(body, "Bearer abrplay-demo", "abrplay-demo"));
  return 0;
}
