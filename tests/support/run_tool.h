// tests/support/run_tool.h: runs a tool's executable as a user would (posix_spawn, no shell) and
// captures its exit code, stdout and stderr. POSIX only, like the demo tools' CLI tests.
#pragma once

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

extern char** environ;

namespace abrplay::test {

struct ToolRun {
  int exit_code = -1;  // 128 + signal when killed
  std::string out, err;
};

inline std::string slurp_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// An empty scratch directory for one test case: <build dir>/<suite>_scratch/<tag>.
inline std::filesystem::path scratch_dir(const std::string& suite, const std::string& tag) {
  const std::filesystem::path dir = std::filesystem::path(ABRPLAY_BINARY_DIR) / (suite + "_scratch") / tag;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

// A scratch directory of this test process's own (CTest runs test cases as parallel processes):
// <build dir>/<suite>_scratch/<tag>-<pid>.
inline std::filesystem::path process_scratch(const std::string& suite, const std::string& tag = "pid") {
  return scratch_dir(suite, tag + "-" + std::to_string(::getpid()));
}

// "a b  c" -> {"a", "b", "c"}: for argument lines the test writes itself (no quoting, no spaces
// inside an argument).
inline std::vector<std::string> split_args(const std::string& line) {
  std::vector<std::string> out;
  std::istringstream in(line);
  for (std::string word; in >> word;) out.push_back(word);
  return out;
}

// stdout and stderr go to files in `scratch` (which must exist) and are read back.
inline ToolRun run_tool(const std::string& exe, std::vector<std::string> args, const std::filesystem::path& scratch) {
  args.insert(args.begin(), exe);
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  const std::string out = (scratch / "stdout").string(), err = (scratch / "stderr").string();
  posix_spawn_file_actions_addopen(&actions, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&actions, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  ToolRun run;
  pid_t pid = 0;
  if (posix_spawn(&pid, exe.c_str(), &actions, nullptr, argv.data(), environ) == 0) {
    int status = 0;
    waitpid(pid, &status, 0);
    run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
  posix_spawn_file_actions_destroy(&actions);
  run.out = slurp_file(out);
  run.err = slurp_file(err);
  return run;
}

}  // namespace abrplay::test
