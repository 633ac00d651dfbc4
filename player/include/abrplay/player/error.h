// abrplay/player/error.h: the player's error codes, stable and grouped by layer.
//
// Codes are stable: numbers never change meaning once released, so embedders, telemetry and the C API
// (which returns them negated) can rely on them. Ranges by layer, as ExoPlayer's PlaybackException does:
//   1xxx  general / API misuse
//   2xxx  network (fetching manifests and segments)
//   3xxx  manifest (parsing and addressing)
//   4xxx  media (demux, decode)
//   5xxx  output (audio/video sinks)
// Messages say what failed and where: a URL, an element path ("MPD/Period[1]/AdaptationSet[0]"),
// a line number or a byte offset.
#pragma once

#include <string>
#include <string_view>

namespace abrplay {

enum class ErrorCode : int {
  // 1xxx general
  kOk = 0,
  kInvalidArgument = 1001,  // a caller passed a value outside its documented range
  kInvalidState = 1002,     // the call is not allowed in the current state
  kUnsupported = 1003,      // a feature this build or device does not support
  kInternal = 1004,         // a broken invariant; always a bug worth reporting

  // 2xxx network
  kNetworkIo = 2001,          // connect failure, reset, DNS failure
  kNetworkTimeout = 2002,     // connect, stall or total timeout
  kNetworkHttpStatus = 2003,  // the server answered with a non-success status
  kNetworkTooLarge = 2004,    // the body exceeded the request's size limit
  kNetworkCancelled = 2005,   // cancelled by the caller or by shutdown
  kNetworkBadUrl = 2006,      // malformed URL, a scheme other than http/https, or file: from a remote manifest
  kNetworkTls = 2007,         // TLS handshake or certificate verification failed
  kNetworkRedirect = 2008,    // too many redirects, or a redirect to another scheme
  kNetworkFile = 2009,        // a file: URL names no readable file (missing, a directory, no permission)
  kNetworkCache = 2010,       // the HTTP cache: its directory is unusable, a write failed, an entry was
                              // corrupted (warnings only: the player goes on from memory or the network)

  // 3xxx manifest
  kManifestMalformedXml = 3001,       // not well-formed XML (message carries the byte offset)
  kManifestMissingAttribute = 3002,   // a required attribute is absent
  kManifestInvalidValue = 3003,       // an attribute is present but unparsable or out of range
  kManifestUnsupported = 3004,        // valid DASH the player does not support (e.g. xlink to resolve)
  kManifestEncrypted = 3005,          // ContentProtection present: DRM is out of scope
  kManifestLimitExceeded = 3006,      // a documented limit (size, depth, segment count) was hit
  kManifestNoPlayableContent = 3007,  // nothing left after filtering
  kManifestBadTemplate = 3008,        // SegmentTemplate with an unknown identifier or bad format tag
  kManifestBadIndex = 3009,           // a sidx box that is truncated or inconsistent

  // 4xxx media
  kMediaDemux = 4001,   // libavformat could not read a segment
  kMediaDecode = 4002,  // libavcodec rejected the data
  kMediaCodecUnsupported = 4003,

  // 5xxx output
  kOutputAudio = 5001,
  kOutputVideo = 5002,
};

// The stable short name of a code, for logs and telemetry, e.g. "manifest.invalid_value".
std::string_view to_string(ErrorCode code);

struct Error {
  ErrorCode code = ErrorCode::kOk;
  std::string message;  // human-readable: what failed and where

  // "manifest.invalid_value: MPD/Period[0]@duration: 'PT-5S' is negative"
  std::string describe() const;
};

}  // namespace abrplay
