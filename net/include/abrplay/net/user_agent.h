// abrplay/net/user_agent.h: the User-Agent every request carries unless the caller sets its own.
#pragma once

#include <string>

namespace abrplay::net {

// "abrplay/<version> libcurl/<version>", so that server logs name the library.
std::string default_user_agent();

}  // namespace abrplay::net
