# third_party.cmake: finds every external dependency on the system (Debian packages), never downloads.
#
# Every dependency is looked up first; if any is missing, configuration stops with ONE message that
# names the Debian packages to install. Targets made available:
#   abrplay_dep::ffmpeg   libavformat, libavcodec, libavutil, libswresample, libswscale, libavfilter
#                         (pkg-config; libavfilter for the atempo time-stretch, docs/media.md)
#   CURL::libcurl         libcurl
#   SDL2::SDL2            SDL2
#   pugixml::pugixml      pugixml (XML)
#   nlohmann_json::nlohmann_json
#   CLI11::CLI11          command lines (demo tools only)
#   abrplay_dep::httplib  cpp-httplib (demo origin and test servers only)
#   abrplay_dep::sqlite3  SQLite 3 (abrplay-collector's store only; looked for with the demo tools)
#   Catch2::Catch2        tests only (Catch2 2.13 as Debian ships it)

find_package(PkgConfig QUIET)

set(_abrplay_missing "")
macro(_abrplay_need found debian_pkg)
  if(NOT ${found})
    list(APPEND _abrplay_missing ${debian_pkg})
  endif()
endmacro()

if(PkgConfig_FOUND)
  pkg_check_modules(ABRPLAY_FFMPEG QUIET IMPORTED_TARGET
    libavformat libavcodec libavutil libswresample libswscale libavfilter)
  pkg_check_modules(ABRPLAY_HTTPLIB QUIET IMPORTED_TARGET cpp-httplib)
  if(ABRPLAY_BUILD_DEMO)
    pkg_check_modules(ABRPLAY_SQLITE QUIET IMPORTED_TARGET sqlite3)
    _abrplay_need(ABRPLAY_SQLITE_FOUND libsqlite3-dev)
  endif()
else()
  list(APPEND _abrplay_missing pkg-config)
endif()
_abrplay_need(ABRPLAY_FFMPEG_FOUND
  "libavformat-dev libavcodec-dev libavutil-dev libswresample-dev libswscale-dev libavfilter-dev")
_abrplay_need(ABRPLAY_HTTPLIB_FOUND libcpp-httplib-dev)

find_package(CURL QUIET)
_abrplay_need(CURL_FOUND libcurl4-openssl-dev)
find_package(SDL2 CONFIG QUIET)
_abrplay_need(SDL2_FOUND libsdl2-dev)
find_package(pugixml CONFIG QUIET)
_abrplay_need(pugixml_FOUND libpugixml-dev)
find_package(nlohmann_json 3.10 CONFIG QUIET)
_abrplay_need(nlohmann_json_FOUND nlohmann-json3-dev)
find_package(CLI11 CONFIG QUIET)
_abrplay_need(CLI11_FOUND libcli11-dev)
if(ABRPLAY_BUILD_TESTS)
  find_package(Catch2 2 CONFIG QUIET)
  _abrplay_need(Catch2_FOUND catch2)
endif()

if(_abrplay_missing)
  list(JOIN _abrplay_missing " " _abrplay_pkgs)
  message(FATAL_ERROR
    "abrplay: missing dependencies. On Debian 12 install them with:\n"
    "  sudo apt-get install ${_abrplay_pkgs}\n"
    "(or run demo/install-deps, which does this for you)")
endif()

if(NOT TARGET abrplay_dep::ffmpeg)
  add_library(abrplay_dep::ffmpeg ALIAS PkgConfig::ABRPLAY_FFMPEG)
  add_library(abrplay_dep::httplib ALIAS PkgConfig::ABRPLAY_HTTPLIB)
  if(ABRPLAY_BUILD_DEMO)
    add_library(abrplay_dep::sqlite3 ALIAS PkgConfig::ABRPLAY_SQLITE)
  endif()
endif()
