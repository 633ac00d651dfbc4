// abrplay/net/log.h: the library's log callback, which curl's verbose log also goes through.
#pragma once

#include <functional>
#include <string_view>

namespace abrplay::net {

enum class LogLevel { kDebug, kInfo, kWarning, kError };

// Called on the net thread (and on the submitting thread for a URL rejected by submit()). It must
// be thread-safe, quick, and must not call back into the client.
// The text is external (URLs, server headers): treat it as data, never as a format string.
using LogCallback = std::function<void(LogLevel, std::string_view)>;

}  // namespace abrplay::net
