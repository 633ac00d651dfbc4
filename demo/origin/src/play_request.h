// play_request.h: the body of POST /play (playback_api.h), parsed and validated. Pure: no file
// system, no clock, no shared state, so it can be unit-tested and fuzzed (demo/origin/fuzz/) alone.
//
// Checks, in this order (the first failure is the answer): the body is a JSON object (400); the
// token, from the body or else "Authorization: Bearer <token>", is a string (400), present (401) and
// equal to `expected_token` (401); device.codecs is an array of codec names, each cut at its first
// '.', 1..16 characters of [A-Za-z0-9-] (400); device.max_height is an integer in 1..8640 (400);
// content is a string (400). Error messages name the field, as playback_api.h promises.
// Threading: a free function; any thread.
#pragma once

#include <optional>
#include <string>

#include "abrplay/core/expected.h"
#include "mpd_rewrite.h"

namespace abrplay::origin {

struct PlayRequest {
  // The manifest path asked for, relative to the origin's roots: "content" as given, with
  // "/manifest.mpd" appended unless it names an .mpd and leading '/' removed. nullopt: not given.
  std::optional<std::string> manifest;
  DeviceFilter device;
};

struct PlayRequestError {
  int status = 400;     // HTTP status: 400 malformed, 401 bad or missing token
  std::string message;  // names the field, e.g. "device.codecs[1]: expected a string"
};

Expected<PlayRequest, PlayRequestError> parse_play_request(const std::string& body,
                                                           const std::string& authorization_header,
                                                           const std::string& expected_token);

}  // namespace abrplay::origin
