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
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <sys/wait.h>
#include <vector>

#include "origin.h"
#include "test_origin.h"

namespace abrplay::demo::test {
namespace {

struct Ppm {
  int width = 0;
  int height = 0;
  std::vector<unsigned char> rgb;
  int luma(int x, int y) const {
    const std::size_t at =
        (static_cast<std::size_t>(y) * static_cast<std::size_t>(width) + static_cast<std::size_t>(x)) * 3;
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

// One abrplay process in a window, stdout read through a pipe (stderr kept in a file).
class WindowRun {
 public:
  WindowRun(const std::string& url, const std::string& name, const std::string& args)
      : dir_(ABRPLAY_BINARY_DIR),
        shot_(dir_ / (name + ".ppm")),
        json_(dir_ / (name + ".json")),
        err_(dir_ / (name + "-stderr.txt")) {
    std::filesystem::remove(shot_);
    std::filesystem::remove(json_);
    launched_ = std::chrono::steady_clock::now();
    const std::string command = std::string(ABRPLAY_PLAYER_EXE) + " " + url + " " + args + " --screenshot " +
                                shot_.string() + " --json-summary " + json_.string() + " 2>" + err_.string();
    pipe_ = ::popen(command.c_str(), "r");
  }
  ~WindowRun() {
    if (pipe_) ::pclose(pipe_);
  }
  WindowRun(const WindowRun&) = delete;
  WindowRun& operator=(const WindowRun&) = delete;

  bool started() const { return pipe_ != nullptr; }
  // Blocks until abrplay prints the screenshot line (it flushes it) or exits; that line or "".
  std::string wait_screenshot() {
    std::array<char, 1024> line{};
    while (std::fgets(line.data(), static_cast<int>(line.size()), pipe_) != nullptr) {
      out_ += line.data();
      if (std::string(line.data()).rfind("screenshot ", 0) == 0) return line.data();
    }
    return "";
  }
  // Real key presses: waits for the window, focuses it (no window manager under Xvfb), then the
  // keys through XTEST. xdotool's exit status.
  int press(const std::string& keys) {
    key_sent_ = std::chrono::steady_clock::now();
    return std::system(
        ("xdotool search --sync --onlyvisible --name '^abrplay ' windowfocus --sync key " + keys).c_str());
  }
  // Reads stdout to the end; the wait status.
  int finish() {
    std::array<char, 1024> line{};
    while (std::fgets(line.data(), static_cast<int>(line.size()), pipe_) != nullptr) out_ += line.data();
    const int status = ::pclose(pipe_);
    pipe_ = nullptr;
    exited_ = std::chrono::steady_clock::now();
    return status;
  }
  std::string log() const {
    std::stringstream e;
    e << std::ifstream(err_).rdbuf();
    return "stdout: " + out_ + "\nstderr: " + e.str();
  }
  double seconds_after_key() const { return std::chrono::duration<double>(exited_ - key_sent_).count(); }
  const std::filesystem::path& screenshot() const { return shot_; }
  const std::filesystem::path& summary() const { return json_; }

 private:
  std::filesystem::path dir_, shot_, json_, err_;
  std::FILE* pipe_ = nullptr;
  std::string out_;
  std::chrono::steady_clock::time_point launched_, key_sent_, exited_;
};

struct ShotLine {
  std::string path;
  int width = 0, height = 0;
  double pts_s = -1, position_s = -1;
};

ShotLine parse_shot_line(const std::string& line) {
  char path[512] = {};
  ShotLine l;
  REQUIRE(std::sscanf(line.c_str(), "screenshot %511s %dx%d frame-pts %lf position %lf", path, &l.width, &l.height,
                      &l.pts_s, &l.position_s) == 5);
  l.path = path;
  return l;
}

std::unique_ptr<origin::Origin> serve_content() {
  REQUIRE(std::getenv("DISPLAY") != nullptr);  // run by xvfb-run (CTest: abrplay_player_tool_tests:window-xvfb)
  INFO("xdotool is installed by demo/install-deps");
  REQUIRE(std::system("command -v xdotool >/dev/null 2>&1") == 0);
  return abrplay::test::start_origin(abrplay::test::origin_serving());
}

// Pixels of `img` in [x0, x1) x [y0, y1) that are dark (luma < 64) and plain white (all > 224).
void count_dark_white(const Ppm& img, int x0, int x1, int y0, int y1, int& dark, int& white, int& total) {
  dark = white = total = 0;
  for (int y = y0; y < y1; ++y) {
    for (int x = x0; x < x1; ++x) {
      const std::size_t at =
          (static_cast<std::size_t>(y) * static_cast<std::size_t>(img.width) + static_cast<std::size_t>(x)) * 3;
      ++total;
      if (img.luma(x, y) < 64) ++dark;
      if (img.rgb[at] > 224 && img.rgb[at + 1] > 224 && img.rgb[at + 2] > 224) ++white;
    }
  }
}

}  // namespace

TEST_CASE("abrplay in an X window: starts, shows the frame it says is on screen, quits on the key q",
          "[.][demo][window]") {
  auto origin = serve_content();
  // (a) start: the real executable, in a window (DISPLAY is set, no --headless).
  WindowRun run(origin->url(0) + "number/manifest.mpd", "abrplay-window", "--max-height 480 --screenshot-at 2");
  REQUIRE(run.started());
  const std::string shot_line = run.wait_screenshot();
  // (c) q as a real key press, once the screenshot is taken.
  const int key_status = shot_line.empty() ? -1 : run.press("q");
  const int status = run.finish();
  INFO(run.log());
  REQUIRE_FALSE(shot_line.empty());
  CHECK(key_status == 0);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);

  // (b) video on screen: the window's picture is the stream's, at the frame abrplay names.
  const ShotLine l = parse_shot_line(shot_line);
  CHECK(l.path == run.screenshot().string());
  CHECK(l.position_s >= 2.0);
  CHECK(l.pts_s >= 1.5);
  CHECK(l.pts_s <= l.position_s + 0.1);  // never a frame from the future
  const Ppm shot = read_ppm(l.path);
  CHECK(shot.width == l.width);
  CHECK(shot.height == l.height);
  CHECK(shot.width == 960);  // the window's size; the 16:9 picture fills it
  CHECK(shot.height == 540);
  int clear_cells = 0;
  const int code = read_code(shot, clear_cells);
  INFO("frame code " << code << ", frame pts " << l.pts_s << " s");
  CHECK(clear_cells == 20);
  // Frame n starts at n * 40 ms plus the audio priming offset (21.3 ms): code = floor(pts * 25).
  CHECK(std::abs(static_cast<double>(code) - l.pts_s * 25.0) < 1.0);
  // testsrc2 above the strip: many colours, not a black or frozen-grey window.
  std::set<int> colours;
  for (int y = 0; y < shot.height * 3 / 4; y += 7) {
    for (int x = 0; x < shot.width; x += 7) {
      const std::size_t at =
          (static_cast<std::size_t>(y) * static_cast<std::size_t>(shot.width) + static_cast<std::size_t>(x)) * 3;
      colours.insert((shot.rgb[at] >> 4) << 8 | (shot.rgb[at + 1] >> 4) << 4 | (shot.rgb[at + 2] >> 4));
    }
  }
  CHECK(colours.size() >= 8);

  // (c) quit: promptly after the key, long before the 8 s of content were played.
  INFO("exited " << run.seconds_after_key() << " s after the key");
  CHECK(run.seconds_after_key() < 3.0);
  const auto j = read_json(run.summary());
  CHECK(j["state"] != "ended");
  CHECK(j["played_s"].get<double>() >= 2.0);
  CHECK(j["played_s"].get<double>() < 6.0);
  CHECK(j["frames_presented"].get<std::uint64_t>() > 25);
  CHECK_FALSE(j.contains("error"));
}

TEST_CASE("abrplay in an X window: the keys s, v and a show the statistics overlay and subtitles, switch audio",
          "[.][demo][window]") {
  auto origin = serve_content();
  WindowRun run(origin->url(0) + "number/manifest.mpd", "abrplay-window-keys", "--max-height 480 --screenshot-at 3");
  REQUIRE(run.started());
  // As soon as the window is there: s (overlay on), v (subtitles: en), a (audio: en -> fr). The
  // last two reload the session at the position; the screenshot at 3 s leaves them time.
  const int keys_status = run.press("s v a");
  const std::string shot_line = run.wait_screenshot();
  const int key_status = shot_line.empty() ? -1 : run.press("q");
  const int status = run.finish();
  INFO(run.log());
  CHECK(keys_status == 0);
  REQUIRE_FALSE(shot_line.empty());
  CHECK(key_status == 0);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  const ShotLine l = parse_shot_line(shot_line);
  const Ppm shot = read_ppm(l.path);
  REQUIRE(shot.width == 960);
  REQUIRE(shot.height == 540);
  int clear_cells = 0;
  CHECK(std::abs(static_cast<double>(read_code(shot, clear_cells)) - l.pts_s * 25.0) < 1.0);  // still the video
  int dark = 0, white = 0, total = 0;
  // The overlay: a dark box with white text at the top right, where the picture is bright colour
  // bars (and the rendition label) without it.
  count_dark_white(shot, 740, 930, 20, 270, dark, white, total);
  INFO("overlay area: " << dark << " dark, " << white << " white of " << total);
  CHECK(dark > total / 2);
  CHECK(white > 200);
  // The cue "Subtitle at 2 s" (2-4 s): a dark box with white text, bottom centre,
  // above the frame code strip.
  count_dark_white(shot, 400, 560, 440, 490, dark, white, total);
  INFO("cue area: " << dark << " dark, " << white << " white of " << total);
  CHECK(dark > total / 3);
  CHECK(white > 100);
  const auto j = read_json(run.summary());
  CHECK(j["audio_language"] == "fr");
  CHECK(j["text_language"] == "en");
  CHECK(j["state"] != "ended");
  CHECK_FALSE(j.contains("error"));
}

}  // namespace abrplay::demo::test
