// abrplay/player/manifest/url_resolver.h: RFC 3986 reference resolution through curl's CURLU API.
//
// Works for http, https and file URLs (inspect reads local MPDs as file:// URLs). Pure; any thread.
#pragma once

#include <string>
#include <string_view>

#include "abrplay/core/expected.h"

namespace abrplay::manifest {

// Resolves `reference` against `base`. An empty base returns the reference unchanged (a manifest
// parsed without a document URL keeps its relative references). An absolute reference replaces the
// base. Error: a message naming both strings.
Expected<std::string, std::string> resolve_url(std::string_view base, std::string_view reference);

// "file:///abs/path" for a local path (made absolute against the current directory).
Expected<std::string, std::string> file_path_to_url(std::string_view path);

}  // namespace abrplay::manifest
