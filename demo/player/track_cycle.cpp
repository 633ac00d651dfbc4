#include "track_cycle.h"

#include <algorithm>

namespace abrplay::demo {

std::optional<std::string> next_audio_language(const std::vector<std::string>& offered, const std::string& current) {
  if (offered.empty()) return std::nullopt;
  const auto it = std::find(offered.begin(), offered.end(), current);
  const std::string& next = it == offered.end() || it + 1 == offered.end() ? offered.front() : *(it + 1);
  if (next == current) return std::nullopt;
  return next;
}

std::optional<std::string> next_text_language(const std::vector<std::string>& offered, const std::string& current) {
  if (offered.empty()) return std::nullopt;
  const auto it = std::find(offered.begin(), offered.end(), current);
  if (it == offered.end()) return offered.front();    // off (or gone) -> the first
  if (it + 1 == offered.end()) return std::string();  // the last -> off
  return *(it + 1);
}

}  // namespace abrplay::demo
