#include "abrplay/net/error.h"

#include "abrplay/net/request.h"
#include "abrplay/net/response.h"

#include <algorithm>
#include <cctype>

namespace abrplay::net {

std::string_view to_string(NetErrorCode code) {
  switch (code) {
    case NetErrorCode::kIo: return "network.io";
    case NetErrorCode::kTimeout: return "network.timeout";
    case NetErrorCode::kHttpStatus: return "network.http_status";
    case NetErrorCode::kTooLarge: return "network.too_large";
    case NetErrorCode::kCancelled: return "network.cancelled";
    case NetErrorCode::kBadUrl: return "network.bad_url";
    case NetErrorCode::kTls: return "network.tls";
    case NetErrorCode::kRedirect: return "network.redirect";
    case NetErrorCode::kFile: return "network.file";
  }
  return "network.unknown";
}

std::string NetError::describe() const {
  std::string out(to_string(code));
  out += ": ";
  out += message;
  return out;
}

std::string ByteRange::header_value() const {
  std::string out = std::to_string(first) + "-";
  if (last) out += std::to_string(*last);
  return out;
}

std::optional<std::string_view> Response::header(std::string_view name) const {
  auto same = [](std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
             return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
           });
  };
  for (const auto& [k, v] : headers)
    if (same(k, name)) return std::string_view(v);
  return std::nullopt;
}

}  // namespace abrplay::net
