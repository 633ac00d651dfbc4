// demo/common/gnuplot.h: draw a PNG with the gnuplot command-line tool (abrplay-sim, abrplay-report).
#pragma once

#include <filesystem>
#include <optional>
#include <string>

namespace abrplay::demo {

// A gnuplot string literal: the text in double quotes, backslashes and quotes escaped.
std::string gnuplot_quoted(const std::string& text);

// A fresh temporary directory for data files, named after `tag` and this process; removed by the
// destructor.
class TempDir {
 public:
  explicit TempDir(const std::string& tag);
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  bool ok() const { return ok_; }

 private:
  std::filesystem::path path_;
  bool ok_ = false;
};

// Runs gnuplot on `script` (written to dir/plot.gp). nullopt on success, else why no plot was drawn.
std::optional<std::string> run_gnuplot(const std::string& script, const TempDir& dir);

}  // namespace abrplay::demo
