// abrplay-origin: see `abrplay-origin --help` and docs/test-bench.md.
// Runs until SIGINT or SIGTERM (waited for with sigwait: no polling), then stops every CDN.
#include <csignal>
#include <iostream>

#include "origin.h"

int main(int argc, char** argv) {
  using namespace abrplay::origin;
  auto options = parse_options(argc, argv);
  if (!options) {
    (options.error().code == 0 ? std::cout : std::cerr) << options.error().text;
    return options.error().code;
  }
  auto config = config_from_options(*options);
  if (!config) {
    std::cerr << "abrplay-origin: " << config.error() << "\n";
    return 2;
  }
  // Block the signals before any server thread starts, so every thread inherits the mask and
  // only sigwait below receives them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  auto origin = Origin::start(std::move(*config));
  if (!origin) {
    std::cerr << "abrplay-origin: " << origin.error() << "\n";
    return 1;
  }
  std::cout << (*origin)->listening_line() << std::endl;
  int received = 0;
  sigwait(&signals, &received);
  (*origin)->stop();
  return 0;
}
