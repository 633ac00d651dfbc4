// abrplay/core/version.h: the library version, available to every module.
#pragma once

#include <string_view>

namespace abrplay {

// "MAJOR.MINOR.PATCH", from the CMake project version.
std::string_view version_string();

}  // namespace abrplay
