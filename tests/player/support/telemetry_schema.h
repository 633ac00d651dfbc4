// telemetry_schema.h: validates telemetry payloads against docs/telemetry.schema.json with
// python3-jsonschema (tests/player/telemetry/validate_schema.py). Returns the script's exit status:
// 0 when every payload validates. Needs ABRPLAY_BINARY_DIR and ABRPLAY_TEST_DATA_DIR (set for every
// test binary by abrplay_add_test_binary).
#pragma once

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace abrplay::test {

inline int validate_telemetry(const std::vector<std::string>& payloads, const std::string& tag = "telemetry-samples") {
  // A folder of this process's own: CTest runs test cases as parallel processes, and two writing
  // the same payload-0.json would check each other's payloads.
  const auto dir = std::filesystem::path(ABRPLAY_BINARY_DIR) / (tag + "-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::string cmd = "python3 \"" ABRPLAY_TEST_DATA_DIR
                    "/../player/telemetry/validate_schema.py\" \"" ABRPLAY_TEST_DATA_DIR
                    "/../../docs/telemetry.schema.json\"";
  for (std::size_t i = 0; i < payloads.size(); ++i) {
    const auto file = dir / ("payload-" + std::to_string(i) + ".json");
    std::ofstream(file) << payloads[i];
    cmd += " \"" + file.string() + "\"";
  }
  return std::system(cmd.c_str());
}

}  // namespace abrplay::test
