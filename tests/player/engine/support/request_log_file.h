// request_log_file.h: a temporary file for abrplay-origin's JSONL request log (OriginConfig::log_path),
// named after the test and this process, removed with the object; records() reads it back.
// Test thread only.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <system_error>
#include <vector>

#include <nlohmann/json.hpp>

namespace abrplay::engine::test {

struct RequestLogFile {
  explicit RequestLogFile(const std::string& name)
      : path(std::filesystem::temp_directory_path() /
             ("abrplay-engine-" + name + "-" + std::to_string(::getpid()) + ".jsonl")) {
    std::filesystem::remove(path);
  }
  ~RequestLogFile() {
    std::error_code ec;
    std::filesystem::remove(path, ec);
  }
  RequestLogFile(const RequestLogFile&) = delete;
  RequestLogFile& operator=(const RequestLogFile&) = delete;

  // One JSON object per request, in the order they were logged.
  std::vector<nlohmann::json> records() const {
    std::vector<nlohmann::json> out;
    std::ifstream in(path);
    for (std::string line; std::getline(in, line);) out.push_back(nlohmann::json::parse(line));
    return out;
  }
  std::filesystem::path path;
};

}  // namespace abrplay::engine::test
