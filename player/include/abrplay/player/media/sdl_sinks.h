// abrplay/player/media/sdl_sinks.h: SDL2 audio and video output. SDL stays out of this header.
//
// Threads: SDL wants its video calls on the thread that initialised video (the main thread on most
// platforms). Everything on SdlVideoSink, and MediaPipeline::pump() that calls present(), must run
// on that one thread: the embedder's main loop calls pump_events() and MediaPipeline::pump().
// SdlAudioSink's methods run on the presentation thread too; SDL's own audio thread calls the
// pipeline's AudioSource from the audio callback (that read is the master clock).
//
// Subtitles: active cues are drawn at the bottom of the picture in a tiny built-in 3x5 bitmap font
// (upper case, digits, common punctuation; SDL2_ttf is not a dependency), white on a dark box.
// Embedders wanting real typography get the text through TextSink/TextCue.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "abrplay/core/expected.h"
#include "abrplay/player/error.h"
#include "abrplay/player/media/sinks.h"

namespace abrplay::media {

struct SdlVideoOptions {
  std::string title = "abrplay";
  int width = 960;  // initial window size; the window is resizable and the picture letterboxed
  int height = 540;
  bool fullscreen = false;
};

// What the user asked for in the window since the last pump_events().
struct SdlInput {
  bool quit = false;               // window closed, Escape or q
  bool toggle_pause = false;       // space
  double seek_s = 0;               // left / right arrow: -10 / +10 s (summed over the events read)
  std::optional<std::size_t> pin;  // 0-9: pin that representation (0 = lowest)
  bool cycle_audio = false;        // a: the next audio language
  bool cycle_text = false;         // v: subtitles off -> each language -> off
  bool toggle_stats = false;       // s: the statistics overlay
};

// The statistics overlay (abrplay's key s): lines of text and small bar graphs, drawn at the top
// right of the picture on a translucent dark box every time the picture is drawn, in the built-in
// font (upper case). An overlay with no lines and no graphs draws nothing.
struct SdlOverlay {
  struct Graph {
    std::string label;           // one text line above the bars
    std::vector<double> values;  // oldest first, one bar each, left to right
    double max = 0;              // the value that fills the graph's height; <= 0: the largest value
  };
  std::vector<std::string> lines;
  std::vector<Graph> graphs;
};

// A seek-bar thumbnail (Player::thumbnail_at): the tile (x, y, width, height) of a grid image, drawn
// over the picture at its bottom centre, a quarter of the picture wide, in a white frame.
struct SdlThumbnail {
  VideoFrame image;  // I420
  int x = 0, y = 0, width = 0, height = 0;
};

// An RGB snapshot of the window, 3 bytes per pixel, rows top to bottom.
struct RgbImage {
  int width = 0;
  int height = 0;
  std::vector<std::uint8_t> rgb;
  // The pts of the video frame in the picture; none before the first frame (a black window).
  std::optional<std::chrono::microseconds> frame_pts;
};

class SdlVideoSink final : public VideoSink, public TextSink {
 public:
  // Main thread. Initialises SDL's video subsystem (reference-counted by SDL), opens the window and
  // an accelerated renderer (software if none). Errors are kOutputVideo with SDL's message.
  static Expected<std::unique_ptr<SdlVideoSink>, Error> create(const SdlVideoOptions& options);
  ~SdlVideoSink() override;
  SdlVideoSink(const SdlVideoSink&) = delete;
  SdlVideoSink& operator=(const SdlVideoSink&) = delete;

  // VideoSink: uploads the frame to a YUV (IYUV) texture, recreated when the size changes, and
  // draws it letterboxed into the window with the cues active at its time.
  std::optional<Error> present(const VideoFrame& frame) override;
  // TextSink.
  void cue(const TextCue& cue) override;
  void clear() override;

  // Handles window events: resize/expose redraws the last frame; f toggles fullscreen.
  SdlInput pump_events();
  void set_fullscreen(bool on);
  bool fullscreen() const;
  // Replaces the overlay; it shows from the next drawing (the next frame, or an expose).
  void set_overlay(SdlOverlay overlay);
  // Shows `thumbnail` (uploading its image) or, with nullopt, hides it; redraws the last frame at
  // once. kOutputVideo when the texture cannot be made (then no thumbnail shows).
  std::optional<Error> set_thumbnail(std::optional<SdlThumbnail> thumbnail);
  // Redraws the last frame and reads the window back (tests, screenshots).
  Expected<RgbImage, Error> read_pixels();

 private:
  struct Handles;
  explicit SdlVideoSink(std::unique_ptr<Handles> h);
  std::optional<Error> redraw(bool present_now);

  std::unique_ptr<Handles> h_;
  VideoFrame last_;
  std::vector<TextCue> cues_;
  SdlOverlay overlay_;
  std::optional<SdlThumbnail> thumbnail_;
};

class SdlAudioSink final : public AudioSink {
 public:
  SdlAudioSink();
  ~SdlAudioSink() override;
  SdlAudioSink(const SdlAudioSink&) = delete;
  SdlAudioSink& operator=(const SdlAudioSink&) = delete;

  // Opens the default device for float samples; SDL may change the rate and channel count, the
  // pipeline resamples to what it returns. kOutputAudio when SDL has no device.
  Expected<AudioFormat, Error> open(const AudioFormat& preferred, AudioSource& source) override;
  void set_paused(bool paused) override;
  // One device buffer: 1024 sample frames (21 ms at 48 kHz), SDL's usual period.
  std::chrono::microseconds latency() const override { return latency_; }
  void close() override;

 private:
  static void callback(void* self, std::uint8_t* stream, int len);

  std::uint32_t device_ = 0;  // SDL_AudioDeviceID; 0 = closed
  bool subsystem_ = false;
  AudioSource* source_ = nullptr;  // not owned; valid between open() and close()
  int channels_ = 2;
  std::chrono::microseconds latency_{0};
};

}  // namespace abrplay::media
