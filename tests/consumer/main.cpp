// Proves the installed package is usable: headers resolve, libraries link, code runs.
#include <cstdio>
#include <string>

#include "abrplay/abr/version.h"
#include "abrplay/net/user_agent.h"
#include "abrplay/player/error.h"

int main() {
  const std::string ua = abrplay::net::default_user_agent();
  const abrplay::Error err{abrplay::ErrorCode::kManifestInvalidValue, "MPD@type: 'x'"};
  std::printf("abrplay %s\nuser agent: %s\n%s\n", std::string(abrplay::version_string()).c_str(),
              ua.c_str(), err.describe().c_str());
  return ua.rfind("abrplay/", 0) == 0 && err.describe() == "manifest.invalid_value: MPD@type: 'x'" ? 0 : 1;
}
