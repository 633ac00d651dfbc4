// Audio and subtitle switches in place through the public Player API, against abrplay-origin on
// 127.0.0.1 with real decoding of the test content (number/: 2 x 4 s segments, audio en = a 440 Hz
// tone, fr = 660 Hz, subtitles en only). The sinks are the test's own (SinkKind::kExternal),
// presented on the test thread as fast as decoding goes: the audio sink reads no further than the
// video shown, so the test can stop the presentation at a chosen frame, ask for a switch and wait
// for it, and afterwards tell from the decoded samples which language played from which time.
// Video: the frame code of every frame shown (docs/test-bench.md). Session: the origin's request log.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <atomic>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "abrplay/player.h"
#include "abrplay/player/media/sinks.h"
#include "api_test_support.h"
#include "media_test_support.h"

using namespace std::chrono_literals;

namespace abrplay::test {

namespace {

using std::chrono::microseconds;

// Records the frame code and pts of every frame shown (test thread, inside Player::pump()).
class CodeSink final : public media::VideoSink {
 public:
  std::optional<Error> present(const media::VideoFrame& f) override {
    if (f.width <= 0) return std::nullopt;
    codes.push_back(media::test::read_frame_code(f));
    shown_until = f.pts + f.duration;
    return std::nullopt;
  }
  std::vector<int> codes;
  microseconds shown_until{0};
};

// Reads the audio, at most up to `limit` of media time (the video shown, plus a little), and keeps
// channel 0 of every sample frame that carried media, from `base` on.
class ToneSink final : public media::AudioSink {
 public:
  Expected<media::AudioFormat, Error> open(const media::AudioFormat& preferred, media::AudioSource& source) override {
    format = preferred;
    source_ = &source;
    return format;
  }
  void set_paused(bool paused) override { paused_ = paused; }
  void pump() override {
    if (source_ == nullptr || paused_) return;
    const auto ch = static_cast<std::size_t>(format.channels);
    std::vector<float> block(static_cast<std::size_t>(format.sample_rate / 100) * ch);
    while (now() < limit) {
      const std::size_t got = source_->read(block);
      for (std::size_t i = 0; i < got; ++i) mono.push_back(block[i * ch]);
      if (got < block.size() / ch) return;
    }
  }
  microseconds latency() const override { return microseconds{0}; }
  void close() override { source_ = nullptr; }

  // The media time after the last sample kept.
  microseconds now() const {
    return base + microseconds{static_cast<std::int64_t>(mono.size()) * 1'000'000 / format.sample_rate};
  }
  // The tone of each 50 ms window from `base`: 440 (en), 660 (fr) or 0 (a beep, silence, other).
  std::vector<std::pair<microseconds, int>> tones() const {
    std::vector<std::pair<microseconds, int>> out;
    const std::size_t n = static_cast<std::size_t>(format.sample_rate / 20);
    for (std::size_t w = 0; w + n <= mono.size(); w += n) {
      int crossings = 0;
      for (std::size_t i = w + 1; i < w + n; ++i) crossings += (mono[i - 1] < 0) != (mono[i] < 0);
      const double hz = crossings * 10.0;  // crossings / 2 per period / 0.05 s
      const int tone = std::abs(hz - 440) < 40 ? 440 : std::abs(hz - 660) < 40 ? 660 : 0;
      out.emplace_back(base + microseconds{static_cast<std::int64_t>(w) * 1'000'000 / format.sample_rate}, tone);
    }
    return out;
  }

  media::AudioFormat format;
  std::vector<float> mono;
  microseconds base{0};
  microseconds limit{0};

 private:
  media::AudioSource* source_ = nullptr;
  bool paused_ = true;
};

// "440 0.00-3.95, 0 3.95-4.00, 660 4.00-8.00": the tone runs, for failure messages.
std::string runs(const ToneSink& audio) {
  std::string out;
  int tone = -1;
  char buf[64];
  for (const auto& [at, t] : audio.tones()) {
    if (t == tone) continue;
    std::snprintf(buf, sizeof buf, "%s%d@%.2f", out.empty() ? "" : " ", t, static_cast<double>(at.count()) / 1e6);
    out += buf;
    tone = t;
  }
  return out;
}

// Every window wholly before `cut` is en (or a beep), every one from `cut` on fr (or a beep), and
// each language has windows on its side. The new track may start up to 60 ms early: where the old
// one's last AAC frame ended, when the sets split the frames differently from the MPD's boundary.
void check_tones(const ToneSink& audio, microseconds cut) {
  INFO(runs(audio));
  int en = 0, fr = 0;
  for (const auto& [at, tone] : audio.tones()) {
    CAPTURE(at.count(), tone);
    if (at + 50ms <= cut - 60ms) {
      CHECK(tone != 660);
      en += tone == 440;
    } else if (at >= cut) {
      CHECK(tone != 440);
      fr += tone == 660;
    }
  }
  if (cut > audio.base) CHECK(en > 0);
  CHECK(fr > 0);
}

// Requests by path in the origin's log.
std::map<std::string, int> requests(const std::filesystem::path& log) {
  std::map<std::string, int> out;
  std::ifstream in(log);
  for (std::string line; std::getline(in, line);) ++out[nlohmann::json::parse(line)["path"].get<std::string>()];
  return out;
}

// A session with the test's sinks, presented on this thread; the origin logs every request.
class SwitchRun {
 public:
  explicit SwitchRun(const std::string& name, bool play_when_ready = true)
      : log_(std::filesystem::temp_directory_path() /
             ("abrplay-api-switch-" + name + "-" + std::to_string(::getpid()) + ".jsonl")) {
    std::filesystem::remove(log_);
    origin::OriginConfig oc = origin_serving();
    oc.log_path = log_.string();
    origin_ = start_origin(std::move(oc));
    PlayerConfig c;
    c.sinks.kind = SinkKind::kExternal;
    c.sinks.max_speed = true;
    c.sinks.video = &video;
    c.sinks.audio = &audio;
    c.sinks.on_cue = [this](const media::TextCue& cue) { cues.push_back(cue); };
    c.play_when_ready = play_when_ready;
    session = std::make_unique<PlayerSession>(c);
    session->load(manifest_url(*origin_));
  }
  ~SwitchRun() {
    session.reset();
    origin_.reset();
    std::filesystem::remove(log_);
  }

  Player& player() { return session->player; }
  Recorder& rec() { return session->rec; }

  // Presents until `pred` holds or the player ended (true if `pred` held). Audio is read up to 100
  // ms past the video shown (all of it once the last frame is shown).
  bool pump_until(const std::function<bool()>& pred) {
    const auto deadline = std::chrono::steady_clock::now() + kWaitLimit;
    while (std::chrono::steady_clock::now() < deadline) {
      if (pred()) return true;
      if (player().state() == PlayerState::kEnded) return false;
      audio.limit = !video.codes.empty() && video.codes.back() == 199 ? microseconds::max() / 2
                                                                      : video.shown_until + 100ms;
      player().pump(20ms);
    }
    return false;
  }
  // Waits (not presenting) for the audio representation `id` to be chosen after `from` events.
  bool wait_audio(const std::string& id, std::size_t from) {
    return rec().wait([&](const std::vector<PlayerEvent>& ev) {
      for (std::size_t i = from; i < ev.size(); ++i) {
        if (ev[i].kind == PlayerEvent::Kind::kRepresentationChanged && ev[i].track == "audio" &&
            ev[i].representation_id == id)
          return true;
      }
      return false;
    });
  }
  // Ends the session, then stops the origin (its log is complete then; with the player gone first
  // no keep-alive connection holds the origin's shutdown), and returns the requests by path.
  std::map<std::string, int> finish() {
    session.reset();
    origin_.reset();
    return requests(log_);
  }

  CodeSink video;
  ToneSink audio;
  std::vector<media::TextCue> cues;  // test thread (pump)
  std::unique_ptr<PlayerSession> session;

 private:
  std::filesystem::path log_;
  std::unique_ptr<origin::Origin> origin_;
};

// One manifest request, each video init and media segment at most once: nothing was reloaded.
void check_not_reloaded(const std::map<std::string, int>& req) {
  int manifests = 0;
  for (const auto& [path, n] : req) {
    CAPTURE(path);
    if (path.find("manifest.mpd") != std::string::npos) manifests += n;
    const bool video = path.find("stream6") == std::string::npos && path.find("stream7") == std::string::npos &&
                       path.find("stream") != std::string::npos;
    if (video) CHECK(n == 1);
  }
  CHECK(manifests == 1);
}

// Frames 0..199 once each, in order: no gap, no repeat, no restart.
void check_frames(const std::vector<int>& codes, int first = 0) {
  REQUIRE_FALSE(codes.empty());
  CHECK(codes.front() >= first - 1);  // the frame at the target (or the one ending there, rounding)
  CHECK(codes.front() <= first);
  CHECK(codes.back() == 199);
  for (std::size_t i = 1; i < codes.size(); ++i) {
    if (codes[i] != codes[i - 1] + 1) FAIL_CHECK("frame " << codes[i] << " follows " << codes[i - 1]);
  }
}

}  // namespace

TEST_CASE("switch audio en -> fr while playing: video goes on, fr from the next segment, nothing reloaded",
          "[api][tracks][switch]") {
  SwitchRun run("audio");
  REQUIRE(run.pump_until([&] { return run.video.shown_until >= 1s; }));
  REQUIRE(run.player().stats().audio_representation == "6");  // en
  const std::size_t before = run.rec().events().size();
  REQUIRE(run.player().select_audio_language("fr").code == ErrorCode::kOk);
  REQUIRE(run.wait_audio("7", before));
  CHECK_FALSE(run.pump_until([] { return false; }));  // to the end
  REQUIRE(run.rec().wait_state(PlayerState::kEnded));
  const auto stats = run.player().stats();
  CHECK(stats.stalls == 0);
  CHECK(stats.audio_representation == "7");
  CHECK(run.player().languages().audio_playing == "fr");
  CHECK(Recorder::first_error(run.rec().events()) == nullptr);
  check_frames(run.video.codes);
  // Audio: the old language to the end of the segment playing (4 s, at least 1 s ahead of the
  // switch at ~1 s), then the new one; 8 s of samples in all: no gap, nothing played twice.
  CHECK(run.audio.now().count() == Approx(8'000'000).margin(30'000));
  check_tones(run.audio, 4s);
  const auto req = run.finish();
  check_not_reloaded(req);
  CHECK(req.count("/number/chunk-stream7-00001.m4s") == 0);  // fr only from the cut
  CHECK(req.count("/number/chunk-stream7-00002.m4s") == 1);
}

TEST_CASE("switch audio while paused, while seeking, twice quickly, at the end: unknown languages refused",
          "[api][tracks][switch]") {
  SECTION("paused at the start: fr from the first sample") {
    SwitchRun run("paused", false);
    REQUIRE(run.rec().wait_state(PlayerState::kPaused));
    const std::size_t before = run.rec().events().size();
    REQUIRE(run.player().select_audio_language("fr").code == ErrorCode::kOk);
    REQUIRE(run.wait_audio("7", before));
    run.player().play();
    CHECK_FALSE(run.pump_until([] { return false; }));
    REQUIRE(run.rec().wait_state(PlayerState::kEnded));
    check_frames(run.video.codes);
    CHECK(run.audio.now().count() == Approx(8'000'000).margin(30'000));
    check_tones(run.audio, 0s);
    CHECK(run.player().stats().stalls == 0);
    check_not_reloaded(run.finish());
  }
  SECTION("seeking: fr from the seek target") {
    SwitchRun run("seek");
    REQUIRE(run.pump_until([&] { return run.video.shown_until >= 1s; }));
    const std::size_t before = run.rec().events().size();
    REQUIRE(run.player().seek(5s).code == ErrorCode::kOk);
    REQUIRE(run.player().select_audio_language("fr").code == ErrorCode::kOk);  // while seeking
    REQUIRE(run.wait_audio("7", before));
    run.audio.mono.clear();  // from here on the samples start at the target
    run.audio.base = 5s;
    const std::size_t shown = run.video.codes.size();
    CHECK_FALSE(run.pump_until([] { return false; }));
    REQUIRE(run.rec().wait_state(PlayerState::kEnded));
    CHECK(Recorder::first_error(run.rec().events()) == nullptr);
    check_frames(std::vector<int>(run.video.codes.begin() + static_cast<std::ptrdiff_t>(shown), run.video.codes.end()),
                 125);
    CHECK(run.audio.now().count() == Approx(8'000'000).margin(30'000));
    check_tones(run.audio, 5s);
  }
  SECTION("twice quickly (fr, then en): the last wins, nothing reloaded, no stall") {
    SwitchRun run("twice");
    REQUIRE(run.pump_until([&] { return run.video.shown_until >= 1s; }));
    REQUIRE(run.player().select_audio_language("fr").code == ErrorCode::kOk);
    REQUIRE(run.player().select_audio_language("en").code == ErrorCode::kOk);
    CHECK_FALSE(run.pump_until([] { return false; }));
    REQUIRE(run.rec().wait_state(PlayerState::kEnded));
    check_frames(run.video.codes);
    CHECK(run.audio.now().count() == Approx(8'000'000).margin(30'000));
    INFO(runs(run.audio));
    for (const auto& [at, tone] : run.audio.tones()) CHECK(tone != 660);
    CHECK(run.player().stats().audio_representation == "6");
    CHECK(run.player().stats().stalls == 0);
    check_not_reloaded(run.finish());
  }
  SECTION("unknown or empty language: refused at once, playback unaffected; at the end: no effect") {
    SwitchRun run("unknown");
    REQUIRE(run.pump_until([&] { return run.video.shown_until >= 1s; }));
    const Error e = run.player().select_audio_language("de");
    CHECK(e.code == ErrorCode::kInvalidArgument);
    CHECK(e.message.find("'de'") != std::string::npos);
    CHECK(e.message.find("en, fr") != std::string::npos);
    CHECK(run.player().select_audio_language("").code == ErrorCode::kInvalidArgument);
    CHECK(run.player().select_text_language("fr").code == ErrorCode::kInvalidArgument);  // subtitles: en only
    CHECK_FALSE(run.pump_until([] { return false; }));
    REQUIRE(run.rec().wait_state(PlayerState::kEnded));
    check_frames(run.video.codes);
    for (const auto& [at, tone] : run.audio.tones()) CHECK(tone != 660);
    // At the end: accepted, nothing plays, no error, still ended.
    CHECK(run.player().select_audio_language("fr").code == ErrorCode::kOk);
    run.player().pump(50ms);
    CHECK(run.player().state() == PlayerState::kEnded);
    CHECK(Recorder::first_error(run.rec().events()) == nullptr);
    check_not_reloaded(run.finish());
  }
}

TEST_CASE("subtitles turned on, off and on again in place while playing, nothing reloaded", "[api][tracks][switch]") {
  SwitchRun run("text");
  REQUIRE(run.pump_until([&] { return run.video.shown_until >= 1s; }));
  CHECK(run.cues.empty());
  REQUIRE(run.player().select_text_language("en").code == ErrorCode::kOk);
  // Presenting as fast as decoding goes, each cue is handed over as soon as it is decoded.
  REQUIRE(run.pump_until([&] { return run.cues.size() >= 4; }));
  REQUIRE(run.pump_until([&] { return run.video.shown_until >= 5s; }));
  REQUIRE(run.player().select_text_language("").code == ErrorCode::kOk);
  // The player's position, not only the frames shown: the switch happens at the position the
  // player thread has, which can trail the frames presented at maximum speed (a cue still running
  // there, the one of 4 s, would then be handed over again).
  REQUIRE(run.pump_until([&] { return run.video.shown_until >= 6500ms && run.player().position() >= 6500ms; }));
  const std::size_t on = run.cues.size();
  REQUIRE(run.player().select_text_language("en").code == ErrorCode::kOk);
  CHECK_FALSE(run.pump_until([] { return false; }));
  REQUIRE(run.rec().wait_state(PlayerState::kEnded));
  CHECK(Recorder::first_error(run.rec().events()) == nullptr);
  check_frames(run.video.codes);
  CHECK(run.player().stats().stalls == 0);
  // subs_en.vtt: a cue every 2 s, each 2 s long. On at 1 s: 0, 2, 4 and 6 s; off; on again at 6.5 s:
  // only the cue of 6 s is still to come (the text track starts at the position).
  std::vector<std::int64_t> starts;
  for (const auto& c : run.cues) starts.push_back(c.start.count() / 1'000'000);
  CHECK(on == 4);
  CHECK(starts == std::vector<std::int64_t>{0, 2, 4, 6, 6});
  const auto req = run.finish();
  check_not_reloaded(req);
  // Turned on twice, fetched once: the second time it came from the player's HTTP cache.
  CHECK(req.at("/number/subs_en.vtt") == 1);
}

}  // namespace abrplay::test
