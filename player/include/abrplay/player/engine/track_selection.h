// abrplay/player/engine/track_selection.h: which adaptation sets and representations to play.
//
// Per period, select_tracks() picks at most one video, one audio and one text adaptation set:
//   1. Representations this device cannot decode are removed first, so ABR never sees them: every
//      entry of @codecs ("avc1.64001f,mp4a.40.2") must have a decoder (CodecSupport). A missing
//      @codecs is derived from the MIME type for text (text/vtt -> wvtt, application/ttml+xml ->
//      stpp); otherwise it is kept, since a missing attribute proves nothing.
//   2. Video representations above max_width/max_height are removed; when that would remove all of
//      a set, its smallest one stays (a too-large picture beats no picture).
//   3. Video: the set with role "main" (or no role), then the one with the most representations left.
//      Audio: the best-ranked language in audio_languages (a preference "en" matches "en-US"), then
//      role audio_role, then document order. Text: only when text_languages is not empty and one
//      of them matches (subtitles are off unless asked for), then role text_role.
//   4. Representations in each selection are sorted by ascending bandwidth (the ABR ladder order).
// A period left without video and audio is an error (kManifestNoPlayableContent) that lists why each
// representation was dropped.
//
// CodecSupport is the question "can this device decode X"; make_ffmpeg_codec_support() asks
// FFmpeg (avcodec_find_decoder) through the RFC 6381 -> FFmpeg mapping of ffmpeg_decoder_name();
// text formats are read by the media layer and always decodable.
// Pure apart from that interface; any thread (FFmpeg's decoder lookup is thread-safe).
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "abrplay/core/expected.h"
#include "abrplay/core/track_type.h"
#include "abrplay/player/error.h"
#include "abrplay/player/manifest/model.h"

namespace abrplay::engine {

class CodecSupport {
 public:
  virtual ~CodecSupport() = default;
  // One RFC 6381 entry, e.g. "hvc1.1.6.L93.B0".
  virtual bool can_decode(std::string_view codec) const = 0;
};

// FFmpeg's decoder name for an RFC 6381 entry: avc1/avc3 -> h264, hvc1/hev1 -> hevc, av01 -> av1,
// vp09 -> vp9, vp08 -> vp8, mp4a.40.* -> aac, mp4a.69/mp4a.6B -> mp3, opus, ac-3 -> ac3,
// ec-3 -> eac3, fLaC -> flac, wvtt -> webvtt, stpp -> ttml. Empty for unknown families.
std::optional<std::string_view> ffmpeg_decoder_name(std::string_view codec);
// Asks libavcodec, except for text: "wvtt" (WebVTT) and "stpp" (TTML) are always decodable, the
// media layer reads their samples and files itself (FFmpeg 5.1 has no TTML decoder).
std::unique_ptr<CodecSupport> make_ffmpeg_codec_support();

struct TrackPreferences {
  std::optional<std::uint32_t> max_width;
  std::optional<std::uint32_t> max_height;
  std::vector<std::string> audio_languages;  // best first; empty: the first audio set
  std::string audio_role = "main";
  std::vector<std::string> text_languages;  // empty: no subtitles
  std::string text_role;                    // empty: any
};

struct SelectedTrack {
  TrackType type = TrackType::kVideo;
  std::size_t adaptation_set = 0;
  std::vector<std::size_t> representations;  // indices into the set, ascending bandwidth
};

struct TrackSelection {
  std::vector<SelectedTrack> tracks;  // video, audio, text order; absent types are left out
  std::vector<std::string> dropped;   // "MPD/Period[0]/AdaptationSet[0]/Representation[2]: codec 'x' ..."
  const SelectedTrack* find(TrackType type) const;
};

Expected<TrackSelection, Error> select_tracks(const manifest::Period& period, const TrackPreferences& prefs,
                                              const CodecSupport& codecs);

// "video", "audio", "text", or "" for sets that are none of these (e.g. images).
std::string_view track_type_name(const manifest::AdaptationSet& set);

}  // namespace abrplay::engine
