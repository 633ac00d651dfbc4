// player/media/text_samples.h: the text samples of fragmented MP4 subtitle tracks, which FFmpeg 5.1
// demuxes (mov: samples and their timing) but does not decode, turned into TextCues here.
//
//  - wvtt (WebVTT in ISO-BMFF, ISO/IEC 14496-30 section 6): a sample is a sequence of boxes; each
//    'vttc' box is one cue active for the whole sample, its text in a 'payl' box ('iden', 'sttg'
//    cue settings and 'ctim' are ignored: the window draws plain text at the bottom); a sample of
//    one 'vtte' box is a gap with no cue. FFmpeg's webvtt decoder takes cue text, not these boxes.
//  - stpp (TTML in ISO-BMFF, 14496-30 section 5): a sample is one TTML document. Its times are on
//    the track's media timeline (5.3: relative to the start of the track, not of the sample); each
//    <p> is one cue, clipped to the sample's interval. FFmpeg 5.1 has a TTML encoder, no decoder.
//  - A whole TTML document fed as one text segment (application/ttml+xml, side-loaded) is read the
//    same way with no sample to clip to.
//
// Styling is limited to what the window draws: plain text and line breaks (<br/>, or the lines of a
// payl). Spans are flattened, every attribute of style, region, colour and position is dropped.
//
// Pure functions of their input, any thread. Bad input gives a message saying what failed and
// where (byte offset in the sample, element path in the document); nothing throws, time and memory
// are bounded by the limits below.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "abrplay/core/expected.h"
#include "abrplay/player/media/frame.h"

namespace abrplay::media {

// A text sample or document above 1 MiB is refused whole: real subtitle samples are a few KiB (a
// segment's worth of cues), and the limit bounds the XML parser's memory (about 3x the input).
inline constexpr std::size_t kMaxTextSampleBytes = 1 << 20;
// Cues beyond this many in one sample are dropped (with a problem noted): one every 10 ms for 10 s.
inline constexpr std::size_t kMaxCuesPerSample = 1000;
// Elements nested deeper than this in a TTML document are skipped (real documents nest 5-6 deep):
// the text walk recurses, so the depth bounds its stack.
inline constexpr int kMaxTtmlDepth = 32;

// The interval a sample covers on the media timeline (pts, pts + duration).
struct SampleWindow {
  std::chrono::microseconds start{0};
  std::chrono::microseconds end{0};
};

struct TextSampleResult {
  std::vector<TextCue> cues;          // on the same timeline as the window, in document order
  std::vector<std::string> problems;  // what was skipped and why (an element, a cue), for events
};

// wvtt: `sample` is one sample's bytes. A box overrunning the sample, a size below its header or a
// sample above kMaxTextSampleBytes refuses the sample ("byte offset 12: box 'payl' declares ...").
Expected<TextSampleResult, std::string> decode_wvtt_sample(std::span<const std::uint8_t> sample, SampleWindow window);

// stpp / side-loaded TTML: `document` is one TTML document. `window` clips the cues to the sample;
// nullopt for a whole side-loaded file. Ill-formed XML, a root that is not <tt>, or a document
// above kMaxTextSampleBytes refuses it; a <p> whose begin/end/dur cannot be read is skipped with a
// problem noted. Documents written with times relative to their sample (Smooth Streaming
// packagers do this), recognised by having no cue inside the window while every cue moved by the
// window's start falls inside it, are moved by it.
Expected<TextSampleResult, std::string> decode_ttml_document(std::string_view document,
                                                             std::optional<SampleWindow> window);

// A WebVTT cue payload as plain text: tags (<b>, <c.x>, <v Name>, timestamps) removed, the entities
// &amp; &lt; &gt; &nbsp; decoded, CR dropped, lines kept ('\n'), trailing blank lines trimmed.
std::string webvtt_cue_text(std::string_view payload);

// TTML time expressions (TTML1 10.3.1): clock-time "hh:mm:ss", "hh:mm:ss.fff", "hh:mm:ss:ff[.sf]"
// and offset-time "<count>[.<fraction>](h|m|s|ms|f|t)". Frames use `frame_rate` (ttp:frameRate x
// ttp:frameRateMultiplier), ticks `tick_rate` (ttp:tickRate). Nullopt for anything else, and for
// times beyond 100 years or with more than 18 digits (no overflow).
struct TtmlTimeParams {
  double frame_rate = 30;
  double sub_frame_rate = 1;
  double tick_rate = 1;
};
std::optional<std::chrono::microseconds> parse_ttml_time(std::string_view text, const TtmlTimeParams& params);

}  // namespace abrplay::media
