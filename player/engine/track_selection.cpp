#include "abrplay/player/engine/track_selection.h"

#include <algorithm>
#include <cctype>
#include <limits>

namespace abrplay::engine {

namespace {

std::vector<std::string> split_codecs(const std::string& codecs) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= codecs.size()) {
    std::size_t end = codecs.find(',', start);
    if (end == std::string::npos) end = codecs.size();
    std::string entry = codecs.substr(start, end - start);
    entry.erase(0, entry.find_first_not_of(" \t"));
    entry.erase(entry.find_last_not_of(" \t") + 1);
    if (!entry.empty()) out.push_back(entry);
    start = end + 1;
  }
  return out;
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// "en" matches "en", "en-US", "EN-gb"; "en-US" matches only "en-us".
bool language_matches(const std::string& preference, const std::string& lang) {
  const std::string p = lower(preference), l = lower(lang);
  if (p.empty() || l.empty()) return false;
  return l == p || (l.size() > p.size() && l.compare(0, p.size(), p) == 0 && l[p.size()] == '-');
}

// Lower is better; languages.size() when none matches.
std::size_t language_rank(const std::vector<std::string>& prefs, const std::string& lang) {
  for (std::size_t i = 0; i < prefs.size(); ++i) {
    if (language_matches(prefs[i], lang)) return i;
  }
  return prefs.size();
}

bool has_role(const manifest::AdaptationSet& set, const std::string& role) {
  return std::any_of(set.roles.begin(), set.roles.end(),
                     [&](const manifest::Descriptor& d) { return d.value == role; });
}

bool is_main(const manifest::AdaptationSet& set) { return set.roles.empty() || has_role(set, "main"); }

std::vector<std::string> codecs_of(const manifest::AdaptationSet& set, const manifest::Representation& rep) {
  auto entries = split_codecs(rep.codecs.empty() ? set.codecs : rep.codecs);
  if (!entries.empty()) return entries;
  const std::string mime = rep.mime_type.empty() ? set.mime_type : rep.mime_type;
  if (mime == "text/vtt") return {"wvtt"};
  if (mime == "application/ttml+xml") return {"stpp"};
  return {};
}

// The playable representations of `set`, ascending bandwidth; reasons for the others in `dropped`.
std::vector<std::size_t> filter_set(const manifest::AdaptationSet& set, TrackType type, const TrackPreferences& prefs,
                                    const CodecSupport& support, std::vector<std::string>& dropped) {
  std::vector<std::size_t> decodable;
  for (std::size_t i = 0; i < set.representations.size(); ++i) {
    const auto& rep = set.representations[i];
    std::string bad;
    for (const auto& c : codecs_of(set, rep)) {
      if (!support.can_decode(c)) {
        bad = c;
        break;
      }
    }
    if (!bad.empty()) {
      dropped.push_back(rep.path + ": codec '" + bad + "' has no decoder on this device");
      continue;
    }
    decodable.push_back(i);
  }
  std::vector<std::size_t> kept = decodable;
  if (type == TrackType::kVideo && (prefs.max_width || prefs.max_height)) {
    auto too_big = [&](std::size_t i) {
      const auto& r = set.representations[i];
      return (prefs.max_width && r.width && *r.width > *prefs.max_width) ||
             (prefs.max_height && r.height && *r.height > *prefs.max_height);
    };
    std::vector<std::size_t> fits;
    for (std::size_t i : decodable) {
      if (!too_big(i)) fits.push_back(i);
    }
    if (fits.empty() && !decodable.empty()) {
      // Keep the smallest picture rather than nothing.
      auto smallest = *std::min_element(decodable.begin(), decodable.end(), [&](std::size_t a, std::size_t b) {
        const auto& ra = set.representations[a];
        const auto& rb = set.representations[b];
        return std::uint64_t{ra.width.value_or(0)} * ra.height.value_or(0) <
               std::uint64_t{rb.width.value_or(0)} * rb.height.value_or(0);
      });
      fits.push_back(smallest);
    }
    for (std::size_t i : decodable) {
      if (std::find(fits.begin(), fits.end(), i) == fits.end()) {
        dropped.push_back(set.representations[i].path + ": larger than the maximum resolution");
      }
    }
    kept = fits;
  }
  std::stable_sort(kept.begin(), kept.end(), [&](std::size_t a, std::size_t b) {
    return set.representations[a].bandwidth < set.representations[b].bandwidth;
  });
  return kept;
}

struct Candidate {
  std::size_t set = 0;
  std::vector<std::size_t> reps;
};

}  // namespace

std::string_view track_type_name(const manifest::AdaptationSet& set) {
  std::string_view ct = set.content_type;
  if (ct == "video" || ct == "audio" || ct == "text") return ct;
  std::string_view mime = set.mime_type;
  if (mime.empty() && !set.representations.empty()) mime = set.representations.front().mime_type;
  if (mime.rfind("video/", 0) == 0) return "video";
  if (mime.rfind("audio/", 0) == 0) return "audio";
  if (mime.rfind("text/", 0) == 0 || mime == "application/ttml+xml") return "text";
  if (mime == "application/mp4") {
    const std::string codecs = set.codecs.empty() && !set.representations.empty() ? set.representations.front().codecs
                                                                                  : set.codecs;
    if (codecs.rfind("wvtt", 0) == 0 || codecs.rfind("stpp", 0) == 0) return "text";
  }
  return "";
}

const SelectedTrack* TrackSelection::find(TrackType type) const {
  for (const auto& t : tracks) {
    if (t.type == type) return &t;
  }
  return nullptr;
}

Expected<TrackSelection, Error> select_tracks(const manifest::Period& period, const TrackPreferences& prefs,
                                              const CodecSupport& support) {
  TrackSelection out;
  std::vector<Candidate> video, audio, text;
  for (std::size_t s = 0; s < period.adaptation_sets.size(); ++s) {
    const auto& set = period.adaptation_sets[s];
    const std::string_view kind = track_type_name(set);
    const TrackType type = kind == "video" ? TrackType::kVideo : kind == "audio" ? TrackType::kAudio : TrackType::kText;
    if (kind.empty()) {
      out.dropped.push_back(set.path + ": neither video, audio nor text");
      continue;
    }
    auto reps = filter_set(set, type, prefs, support, out.dropped);
    if (reps.empty()) continue;
    (type == TrackType::kVideo ? video : type == TrackType::kAudio ? audio : text).push_back({s, std::move(reps)});
  }
  const auto& sets = period.adaptation_sets;
  if (!video.empty()) {
    auto best = std::min_element(video.begin(), video.end(), [&](const Candidate& a, const Candidate& b) {
      const bool ma = is_main(sets[a.set]), mb = is_main(sets[b.set]);
      if (ma != mb) return ma;
      return a.reps.size() > b.reps.size();
    });
    out.tracks.push_back({TrackType::kVideo, best->set, best->reps});
  }
  if (!audio.empty()) {
    auto best = std::min_element(audio.begin(), audio.end(), [&](const Candidate& a, const Candidate& b) {
      const auto la = language_rank(prefs.audio_languages, sets[a.set].lang);
      const auto lb = language_rank(prefs.audio_languages, sets[b.set].lang);
      if (la != lb) return la < lb;
      const bool ra = prefs.audio_role.empty() || has_role(sets[a.set], prefs.audio_role) ||
                      (prefs.audio_role == "main" && sets[a.set].roles.empty());
      const bool rb = prefs.audio_role.empty() || has_role(sets[b.set], prefs.audio_role) ||
                      (prefs.audio_role == "main" && sets[b.set].roles.empty());
      return ra && !rb;
    });
    out.tracks.push_back({TrackType::kAudio, best->set, best->reps});
  }
  if (!text.empty() && !prefs.text_languages.empty()) {
    const Candidate* best = nullptr;
    std::size_t best_rank = prefs.text_languages.size();
    bool best_role = false;
    for (const auto& c : text) {
      const auto rank = language_rank(prefs.text_languages, sets[c.set].lang);
      if (rank == prefs.text_languages.size()) continue;
      const bool role = prefs.text_role.empty() || has_role(sets[c.set], prefs.text_role);
      if (best == nullptr || rank < best_rank || (rank == best_rank && role && !best_role)) {
        best = &c;
        best_rank = rank;
        best_role = role;
      }
    }
    if (best != nullptr) out.tracks.push_back({TrackType::kText, best->set, best->reps});
  }
  if (out.find(TrackType::kVideo) == nullptr && out.find(TrackType::kAudio) == nullptr) {
    std::string why = period.path + ": no playable video or audio";
    for (const auto& d : out.dropped) why += "; " + d;
    return Unexpected{Error{ErrorCode::kManifestNoPlayableContent, why}};
  }
  return out;
}

}  // namespace abrplay::engine
