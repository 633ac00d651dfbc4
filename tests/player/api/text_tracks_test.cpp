// Subtitles in fragmented MP4 end to end: the Player picks the wvtt (de) or stpp (es) AdaptationSet
// of the test content by language, streams its init and media segments from abrplay-origin over
// loopback, and the cues reach SinkConfig::on_cue with their times and text.
#include <catch2/catch.hpp>

#include <mutex>
#include <string>
#include <vector>

#include "api_test_support.h"

namespace abrplay::test {
namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;

struct WantedCue {
  double start;
  double end;
  std::string text;
};

}  // namespace

TEST_CASE("subtitles in fMP4: the de (wvtt) and es (stpp) tracks reach the cue callback, exact to the cue",
          "[api][tracks][text]") {
  auto origin = serve();
  const std::string variant = GENERATE(as<std::string>{}, "number", "timeline");
  const std::string lang = GENERATE(as<std::string>{}, "de", "es");
  CAPTURE(variant, lang);
  std::mutex mu;
  std::vector<abrplay::media::TextCue> cues;
  PlayerConfig c = max_speed();
  c.preferred_text_languages = {lang};
  c.sinks.on_cue = [&](const abrplay::media::TextCue& cue) {
    std::lock_guard lock(mu);
    cues.push_back(cue);
  };
  PlayerSession p(c);
  p.load_until(manifest_url(*origin, variant), PlayerState::kEnded, std::chrono::seconds(20));
  p.player.set_listener(nullptr);
  for (const auto& e : p.rec.events()) {
    if (e.kind == PlayerEvent::Kind::kError || e.kind == PlayerEvent::Kind::kWarning) FAIL(e.error.describe());
  }
  // make-test-stream's cues: de every 2 s from 0 (wvtt samples), es every 2 s from 1 s (one TTML
  // document per 4 s segment: the 3-5 s cue is shown from each segment's document in turn).
  const std::vector<WantedCue> want = lang == "de" ? std::vector<WantedCue>{{0, 2, "Untertitel\nbei 0 s"},
                                                                            {2, 4, "Untertitel\nbei 2 s"},
                                                                            {4, 6, "Untertitel\nbei 4 s"},
                                                                            {6, 8, "Untertitel\nbei 6 s"}}
                                                   : std::vector<WantedCue>{{1, 3, "Subtitulo\na los 1 s"},
                                                                            {3, 4, "Subtitulo\na los 3 s"},
                                                                            {4, 5, "Subtitulo\na los 3 s"},
                                                                            {5, 7, "Subtitulo\na los 5 s"},
                                                                            {7, 8, "Subtitulo\na los 7 s"}};
  std::lock_guard lock(mu);
  REQUIRE(cues.size() == want.size());
  for (std::size_t i = 0; i < want.size(); ++i) {
    CAPTURE(i, cues[i].text);
    CHECK(cues[i].start == milliseconds(static_cast<int>(want[i].start * 1000)));
    CHECK(cues[i].end == milliseconds(static_cast<int>(want[i].end * 1000)));
    CHECK(cues[i].text == want[i].text);
  }
}

}  // namespace abrplay::test
