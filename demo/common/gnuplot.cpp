#include "gnuplot.h"

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <vector>

extern char** environ;  // POSIX: the environment passed on to gnuplot

namespace abrplay::demo {

std::string gnuplot_quoted(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

TempDir::TempDir(const std::string& tag) {
  std::error_code ec;
  path_ = std::filesystem::temp_directory_path(ec) / ("abrplay-" + tag + "-" + std::to_string(::getpid()));
  if (!ec) std::filesystem::create_directories(path_, ec);
  ok_ = !ec;
}

TempDir::~TempDir() {
  std::error_code ec;
  if (ok_) std::filesystem::remove_all(path_, ec);
}

std::optional<std::string> run_gnuplot(const std::string& script, const TempDir& dir) {
  if (!dir.ok()) return "cannot create a temporary directory for gnuplot";
  const std::string script_path = (dir.path() / "plot.gp").string();
  {
    std::ofstream out(script_path);
    out << script;
    if (!out) return "cannot write " + script_path;
  }
  char arg0[] = "gnuplot";
  std::vector<char> arg1(script_path.begin(), script_path.end());
  arg1.push_back('\0');
  char* argv[] = {arg0, arg1.data(), nullptr};
  pid_t pid = 0;
  if (posix_spawnp(&pid, "gnuplot", nullptr, nullptr, argv, environ) != 0) {
    return "gnuplot not found on PATH; no plot drawn";
  }
  int status = 0;
  waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return "gnuplot failed; no plot drawn";
  return std::nullopt;
}

}  // namespace abrplay::demo
