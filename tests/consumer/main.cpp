// Proves the installed package is usable the way an embedder uses it, with the public headers only
// (abrplay/player.h and abrplay/abrplay.h; nothing else is installed): the headers resolve from the
// install prefix, the static libraries and their dependencies link, and both APIs run. No network
// is needed: each player loads a manifest from a closed port and must end in the error state with a
// network code, naming the URL.
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>

#include "abrplay/abrplay.h"
#include "abrplay/player.h"

namespace {

// Port 9 (discard) on loopback: nothing listens, so the connection is refused at once.
constexpr const char* kUrl = "http://127.0.0.1:9/consumer/manifest.mpd";

int fail(const std::string& what) {
  std::fprintf(stderr, "consumer: %s\n", what.c_str());
  return 1;
}

int cpp_api() {
  abrplay::PlayerConfig config;
  config.sinks.kind = abrplay::SinkKind::kNullMaxSpeed;
  abrplay::Player player(config);
  if (player.state() != abrplay::PlayerState::kIdle) return fail("C++: a new player is not idle");
  if (player.load("").code != abrplay::ErrorCode::kInvalidArgument) return fail("C++: load(\"\") was accepted");
  if (player.load(kUrl).code != abrplay::ErrorCode::kOk) return fail("C++: load() was refused");
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (player.state() != abrplay::PlayerState::kError) {
    if (std::chrono::steady_clock::now() > until) return fail("C++: no error state for a closed port");
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  std::printf("C++ API: %s -> %s\n", kUrl, std::string(abrplay::to_string(player.state())).c_str());
  return 0;
}

int c_api() {
  abrplay_config* config = abrplay_config_create();
  if (!config || abrplay_config_set_string(config, "sinks", "null-max-speed") != ABRPLAY_OK) return fail("C: config");
  abrplay_handle* player = abrplay_create(config);
  abrplay_config_destroy(config);
  if (!player) return fail("C: abrplay_create");
  int result = 1;
  if (abrplay_load(player, kUrl) == ABRPLAY_OK) {
    for (int i = 0; i < 300; ++i) {  // at most 30 s
      abrplay_event ev;
      if (abrplay_wait_event(player, 0.1, &ev) != ABRPLAY_OK || ev.type != ABRPLAY_EVENT_ERROR) continue;
      std::printf("C API: %s: %s\n", abrplay_error_string(ev.error), ev.message);
      result = ev.error <= ABRPLAY_ERROR_NETWORK_IO && ev.error >= -2999 &&
                       std::string(ev.message).find(kUrl) != std::string::npos
                   ? 0
                   : fail("C: the error is not a network error naming the URL");
      break;
    }
    if (result != 0) fail("C: no error event for a closed port");
  } else {
    fail("C: abrplay_load was refused");
  }
  abrplay_destroy(player);
  return result;
}

}  // namespace

int main() {
  if (cpp_api() != 0) return 1;
  return c_api();
}
