// net/src/curl/curl_handles.h: RAII owners for libcurl's C handles; private to net/ (through the
// abrplay_curl_handles target), never installed. Every other module reaches curl through net's API.
#pragma once

#include <curl/curl.h>

#include "abrplay/core/unique_handle.h"

namespace abrplay::net::detail {

using EasyPtr = UniqueHandle<CURL, curl_easy_cleanup>;
using MultiPtr = UniqueHandle<CURLM, curl_multi_cleanup>;
using SlistPtr = UniqueHandle<curl_slist, curl_slist_free_all>;
using UrlPtr = UniqueHandle<CURLU, curl_url_cleanup>;
using CurlString = UniqueHandle<char, curl_free>;

}  // namespace abrplay::net::detail
