#include "abrplay/net/user_agent.h"

#include <curl/curl.h>

#include "abrplay/core/version.h"

namespace abrplay::net {

std::string default_user_agent() {
  std::string ua = "abrplay/";
  ua += version_string();
  const curl_version_info_data* info = curl_version_info(CURLVERSION_NOW);
  if (info != nullptr && info->version != nullptr) {
    ua += " libcurl/";
    ua += info->version;
  }
  return ua;
}

}  // namespace abrplay::net
