// The keys a and v of abrplay's window: which language each press selects (demo/player/track_cycle.h).
#include <catch2/catch.hpp>

#include "track_cycle.h"

namespace abrplay::demo::test {

using Langs = std::vector<std::string>;

TEST_CASE("key a: the next audio language, wrapping, and none when there is nothing to switch to", "[demo][keys]") {
  CHECK(next_audio_language({"en", "fr", "de"}, "en") == "fr");
  CHECK(next_audio_language({"en", "fr", "de"}, "fr") == "de");
  CHECK(next_audio_language({"en", "fr", "de"}, "de") == "en");  // wraps
  CHECK(next_audio_language({"en", "fr"}, "") == "en");          // before the first audio segment
  CHECK(next_audio_language({"en", "fr"}, "es") == "en");        // not offered: the first
  CHECK(next_audio_language({"en"}, "en") == std::nullopt);      // one language: no reload
  CHECK(next_audio_language({"en"}, "") == "en");
  CHECK(next_audio_language(Langs{}, "en") == std::nullopt);
}

TEST_CASE("key v: subtitles off, then each language in turn, then off again", "[demo][keys]") {
  const Langs offered{"en", "fr"};
  CHECK(next_text_language(offered, "") == "en");
  CHECK(next_text_language(offered, "en") == "fr");
  CHECK(next_text_language(offered, "fr") == "");    // the last one: off
  CHECK(next_text_language(offered, "de") == "en");  // not offered counts as off
  CHECK(next_text_language({"en"}, "") == "en");
  CHECK(next_text_language({"en"}, "en") == "");
  CHECK(next_text_language(Langs{}, "") == std::nullopt);  // no subtitles: nothing to do
  // A full cycle from off comes back to off after offered.size() + 1 presses.
  std::string cur;
  for (std::size_t i = 0; i < offered.size() + 1; ++i) cur = *next_text_language(offered, cur);
  CHECK(cur.empty());
}

}  // namespace abrplay::demo::test
