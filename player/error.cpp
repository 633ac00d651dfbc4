#include "abrplay/player/error.h"

namespace abrplay {

std::string_view to_string(ErrorCode code) {
  switch (code) {
    case ErrorCode::kOk: return "ok";
    case ErrorCode::kInvalidArgument: return "general.invalid_argument";
    case ErrorCode::kInvalidState: return "general.invalid_state";
    case ErrorCode::kUnsupported: return "general.unsupported";
    case ErrorCode::kInternal: return "general.internal";
    case ErrorCode::kNetworkIo: return "network.io";
    case ErrorCode::kNetworkTimeout: return "network.timeout";
    case ErrorCode::kNetworkHttpStatus: return "network.http_status";
    case ErrorCode::kNetworkTooLarge: return "network.too_large";
    case ErrorCode::kNetworkCancelled: return "network.cancelled";
    case ErrorCode::kNetworkBadUrl: return "network.bad_url";
    case ErrorCode::kNetworkTls: return "network.tls";
    case ErrorCode::kNetworkRedirect: return "network.redirect";
    case ErrorCode::kNetworkFile: return "network.file";
    case ErrorCode::kNetworkCache: return "network.cache";
    case ErrorCode::kManifestMalformedXml: return "manifest.malformed_xml";
    case ErrorCode::kManifestMissingAttribute: return "manifest.missing_attribute";
    case ErrorCode::kManifestInvalidValue: return "manifest.invalid_value";
    case ErrorCode::kManifestUnsupported: return "manifest.unsupported";
    case ErrorCode::kManifestEncrypted: return "manifest.encrypted";
    case ErrorCode::kManifestLimitExceeded: return "manifest.limit_exceeded";
    case ErrorCode::kManifestNoPlayableContent: return "manifest.no_playable_content";
    case ErrorCode::kManifestBadTemplate: return "manifest.bad_template";
    case ErrorCode::kManifestBadIndex: return "manifest.bad_index";
    case ErrorCode::kMediaDemux: return "media.demux";
    case ErrorCode::kMediaDecode: return "media.decode";
    case ErrorCode::kMediaCodecUnsupported: return "media.codec_unsupported";
    case ErrorCode::kOutputAudio: return "output.audio";
    case ErrorCode::kOutputVideo: return "output.video";
  }
  return "unknown";
}

std::string Error::describe() const {
  std::string s(to_string(code));
  if (!message.empty()) {
    s += ": ";
    s += message;
  }
  return s;
}

}  // namespace abrplay
