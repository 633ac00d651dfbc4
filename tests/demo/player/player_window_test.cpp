// abrplay in a real window, end to end: run under Xvfb by the CTest entry
// abrplay_player_tool_tests:window-xvfb (xvfb-run), against the 8 s test content served by an
// in-process abrplay-origin. The real executable starts, shows video (its own screenshot of the
// window carries the frame code of the frame it says is on screen) and quits on a real key press
// (xdotool, through the XTEST extension) long before the content's end.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <sys/wait.h>
#include <vector>

#include "origin.h"

namespace abrplay::demo::test {
namespace {

struct Ppm {
  int width = 0;
  int height = 0;
  std::vector<unsigned char> rgb;
  int luma(int x, int y) const {
    const std::size_t at = (static_cast<std::size_t>(y) * static_cast<std::size_t>(width) + static_cast<std::size_t>(x)) * 3;
    return (rgb[at] + rgb[at + 1] + rgb[at + 2]) / 3;
  }
};

Ppm read_ppm(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::string magic;
  int maxval = 0;
  Ppm p;
  in >> magic >> p.width >> p.height >> maxval;
  in.get();  // the one whitespace byte before the pixels
  REQUIRE(magic == "P6");
  REQUIRE(maxval == 255);
  REQUIRE(p.width > 0);
  REQUIRE(p.height > 0);
  p.rgb.resize(static_cast<std::size_t>(p.width) * static_cast<std::size_t>(p.height) * 3);
  in.read(reinterpret_cast<char*>(p.rgb.data()), static_cast<std::streamsize>(p.rgb.size()));
  REQUIRE(in.gcount() == static_cast<std::streamsize>(p.rgb.size()));
  return p;
}

// The frame code (docs/test-bench.md, "Frame code") of a picture that fills the image: 20 cells of
// 1/32 of the width along the bottom 1/18, sampled at their centres. `clear` counts the cells that
// are plainly black or white (a blurred or missing strip is not).
int read_code(const Ppm& img, int& clear) {
  int code = 0;
  clear = 0;
  const int y = img.height - img.height / 36;
  for (int k = 0; k < 20; ++k) {
    const int luma = img.luma((2 * k + 1) * img.width / 64, y);
    if (luma > 128) code |= 1 << k;
    if (luma < 48 || luma > 208) ++clear;
  }
  return code;
}

nlohmann::json read_json(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return nlohmann::json::parse(s.str());
}

}  // namespace

TEST_CASE("abrplay in an X window: starts, shows the frame it says is on screen, quits on the key q",
          "[.][demo][window]") {
  REQUIRE(std::getenv("DISPLAY") != nullptr);  // run by xvfb-run (CTest: abrplay_player_tool_tests:window-xvfb)
  INFO("xdotool is installed by demo/install-deps");
  REQUIRE(std::system("command -v xdotool >/dev/null 2>&1") == 0);
  origin::OriginConfig oc;
  oc.roots = {ABRPLAY_TEST_CONTENT_DIR};
  auto o = origin::Origin::start(std::move(oc));
  REQUIRE(o.has_value());
  const std::filesystem::path dir = std::filesystem::path(ABRPLAY_BINARY_DIR);
  const auto shot_path = dir / "abrplay-window-screenshot.ppm";
  const auto json = dir / "abrplay-window-summary.json";
  const auto err = dir / "abrplay-window-stderr.txt";
  std::filesystem::remove(shot_path);
  std::filesystem::remove(json);

  // (a) start: the real executable, in a window (DISPLAY is set, no --headless).
  const auto launched = std::chrono::steady_clock::now();
  const std::string command = std::string(ABRPLAY_PLAYER_EXE) + " " + (*o)->url(0) +
                              "number/manifest.mpd --max-height 480 --screenshot-at 2 --screenshot " +
                              shot_path.string() + " --json-summary " + json.string() + " 2>" + err.string();
  std::FILE* pipe = ::popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::string out;
  std::string shot_line;
  std::array<char, 1024> line{};
  // Blocks until abrplay prints the screenshot line (it flushes it) or exits.
  while (shot_line.empty() && std::fgets(line.data(), static_cast<int>(line.size()), pipe) != nullptr) {
    out += line.data();
    if (std::string(line.data()).rfind("screenshot ", 0) == 0) shot_line = line.data();
  }
  INFO("abrplay stdout so far: " << out);
  const bool got_screenshot = !shot_line.empty();
  int key_status = -1;
  std::chrono::steady_clock::time_point key_sent;
  if (got_screenshot) {
    // (c) a real key press: focus the window (no window manager under Xvfb), then q through XTEST.
    key_sent = std::chrono::steady_clock::now();
    key_status = std::system("xdotool search --sync --onlyvisible --name '^abrplay ' windowfocus --sync key q");
  }
  while (std::fgets(line.data(), static_cast<int>(line.size()), pipe) != nullptr) out += line.data();
  const int status = ::pclose(pipe);
  const auto exited = std::chrono::steady_clock::now();
  INFO("abrplay stdout: " << out);
  INFO("abrplay stderr: " << std::ifstream(err).rdbuf());
  REQUIRE(got_screenshot);
  CHECK(key_status == 0);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);

  // (b) video on screen: the window's picture is the stream's, at the frame abrplay names.
  char path[512] = {};
  int w = 0, h = 0;
  double pts_s = -1, position_s = -1;
  REQUIRE(std::sscanf(shot_line.c_str(), "screenshot %511s %dx%d frame-pts %lf position %lf", path, &w, &h, &pts_s,
                      &position_s) == 5);
  CHECK(std::string(path) == shot_path.string());
  CHECK(position_s >= 2.0);
  CHECK(pts_s >= 1.5);
  CHECK(pts_s <= position_s + 0.1);  // never a frame from the future
  const Ppm shot = read_ppm(shot_path.string());
  CHECK(shot.width == w);
  CHECK(shot.height == h);
  CHECK(shot.width == 960);  // the window's size; the 16:9 picture fills it
  CHECK(shot.height == 540);
  int clear_cells = 0;
  const int code = read_code(shot, clear_cells);
  INFO("frame code " << code << ", frame pts " << pts_s << " s");
  CHECK(clear_cells == 20);
  // Frame n starts at n * 40 ms plus the audio priming offset (21.3 ms): code = floor(pts * 25).
  CHECK(std::abs(static_cast<double>(code) - pts_s * 25.0) < 1.0);
  // testsrc2 above the strip: many colours, not a black or frozen-grey window.
  std::set<int> colours;
  for (int y = 0; y < shot.height * 3 / 4; y += 7) {
    for (int x = 0; x < shot.width; x += 7) {
      const std::size_t at = (static_cast<std::size_t>(y) * static_cast<std::size_t>(shot.width) + static_cast<std::size_t>(x)) * 3;
      colours.insert((shot.rgb[at] >> 4) << 8 | (shot.rgb[at + 1] >> 4) << 4 | (shot.rgb[at + 2] >> 4));
    }
  }
  CHECK(colours.size() >= 8);

  // (c) quit: promptly after the key, long before the 8 s of content were played.
  const double after_key_s = std::chrono::duration<double>(exited - key_sent).count();
  const double total_s = std::chrono::duration<double>(exited - launched).count();
  INFO("exited " << after_key_s << " s after the key, " << total_s << " s after launch");
  CHECK(after_key_s < 3.0);
  const auto j = read_json(json);
  CHECK(j["state"] != "ended");
  CHECK(j["played_s"].get<double>() >= 2.0);
  CHECK(j["played_s"].get<double>() < 6.0);
  CHECK(j["frames_presented"].get<std::uint64_t>() > 25);
  CHECK_FALSE(j.contains("error"));
}

}  // namespace abrplay::demo::test
