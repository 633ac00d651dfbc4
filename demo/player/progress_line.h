// progress_line.h: abrplay's progress line on stderr. On a terminal it is redrawn in place (a
// carriage return, twice a second); in a log file or under CI, where carriage returns pile up into
// one endless line, a whole line is written every 10 s instead, and the final one at the end.
#pragma once

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <optional>
#include <string>

namespace abrplay::demo {

class ProgressLine {
 public:
  ProgressLine() : terminal_(::isatty(STDERR_FILENO) == 1) {}

  // `text` is the current state; `final` marks the session's last line.
  void show(const std::string& text, bool final = false) {
    const auto now = std::chrono::steady_clock::now();
    if (terminal_) {
      std::fprintf(stderr, "\r%s%s", text.c_str(), final ? "\n" : "");
    } else if (final || !last_ || now - *last_ >= std::chrono::seconds(10)) {
      std::fprintf(stderr, "%s\n", text.c_str());
      last_ = now;
    }
    std::fflush(stderr);
  }

 private:
  bool terminal_;
  std::optional<std::chrono::steady_clock::time_point> last_;
};

}  // namespace abrplay::demo
