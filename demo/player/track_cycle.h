// track_cycle.h: what the keys a (audio) and v (subtitles) of abrplay's window switch to. Pure
// functions of the languages the session offers (Player::languages()) and the one in use.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace abrplay::demo {

// The audio language after `current` in `offered`, wrapping to the first; the first when `current`
// is not offered (or unknown, ""). Nullopt when that would be no change (one language or none).
std::optional<std::string> next_audio_language(const std::vector<std::string>& offered, const std::string& current);

// Subtitles cycle off ("") -> offered[0] -> ... -> offered[n-1] -> off; a `current` that is not
// offered counts as off. Nullopt when no subtitles are offered.
std::optional<std::string> next_text_language(const std::vector<std::string>& offered, const std::string& current);

}  // namespace abrplay::demo
