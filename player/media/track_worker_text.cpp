// The text side of TrackWorker (decode thread): WebVTT files through libavformat's webvtt demuxer,
// TTML files, and wvtt / stpp samples of fragmented MP4 demuxed by libavformat's mov demuxer and
// decoded by text_samples.h (FFmpeg 5.1 decodes neither). See docs/media.md, "Subtitles".
#include <algorithm>
#include <array>
#include <cstring>
#include <optional>
#include <string_view>
#include <vector>

#include "text_samples.h"
#include "track_worker.h"

namespace abrplay::media {
namespace {

enum class TextFormat { kWebVtt, kTtml, kMp4 };

// Top-level box types that can open a text segment or its init segment.
constexpr std::array<std::string_view, 9> kLeadingBoxes = {"ftyp", "styp", "moof", "moov", "sidx",
                                                           "emsg", "prft", "free", "skip"};

// A segment with an init, or whose bytes open with an ISO-BMFF box, is MP4; one that opens (after a
// UTF-8 byte order mark and blanks) with '<' is a TTML document; anything else goes to the WebVTT
// demuxer, which names what is wrong with it.
TextFormat sniff(const MediaSegment& s) {
  if (s.init && !s.init->empty()) return TextFormat::kMp4;
  if (!s.data) return TextFormat::kWebVtt;
  std::string_view b(reinterpret_cast<const char*>(s.data->data()), s.data->size());
  if (b.size() >= 8) {
    const std::string_view type = b.substr(4, 4);
    if (std::find(kLeadingBoxes.begin(), kLeadingBoxes.end(), type) != kLeadingBoxes.end()) return TextFormat::kMp4;
  }
  if (b.substr(0, 3) == "\xEF\xBB\xBF") b.remove_prefix(3);
  const auto first = b.find_first_not_of(" \t\r\n");
  if (first != std::string_view::npos && b[first] == '<') return TextFormat::kTtml;
  return TextFormat::kWebVtt;
}

// What a segment reports at most, of skipped elements and of refused samples (a bad packager
// repeats the same problem in every sample).
constexpr std::size_t kMaxProblemsPerSegment = 10;

std::string join(const std::vector<std::string>& problems) {
  std::string out;
  for (const auto& p : problems) out += (out.empty() ? "" : "; ") + p;
  return out;
}

}  // namespace

void TrackWorker::process_text(const MediaSegment& segment) {
  switch (sniff(segment)) {
    case TextFormat::kWebVtt: process_webvtt(segment); break;
    case TextFormat::kTtml: process_ttml_file(segment); break;
    case TextFormat::kMp4: process_mp4_text(segment); break;
  }
  if (shared_.notify) shared_.notify();
}

bool TrackWorker::push_cues(std::vector<TextCue> cues, std::chrono::microseconds shift) {
  for (auto& cue : cues) {
    cue.start += shift;
    cue.end += shift;
    if (target_ && cue.end <= *target_) continue;
    if (!shared_.text->push(std::move(cue), epoch_, splice_)) return false;
  }
  return true;
}

void TrackWorker::process_webvtt(const MediaSegment& segment) {
  if (auto e = demuxer_.open(segment, Container::kWebVtt)) {
    shared_.counters->segments_skipped.fetch_add(1, std::memory_order_relaxed);
    error(std::move(*e));
    return;
  }
  shared_.counters->segments_demuxed.fetch_add(1, std::memory_order_relaxed);
  const AVRational tb = demuxer_.stream()->time_base;
  for (;;) {
    const int rc = demuxer_.read(packet_.get());
    if (rc == AVERROR_EOF) break;
    if (rc < 0) {
      error(ff::make_error(ErrorCode::kMediaDemux,
                           demuxer_.where() + " at byte offset " + std::to_string(demuxer_.media_offset()), rc));
      break;
    }
    TextCue cue;
    cue.start = ff::to_us(packet_->pts, tb);
    cue.end = cue.start + ff::to_us(packet_->duration, tb);
    cue.text = webvtt_cue_text(
        std::string_view(reinterpret_cast<const char*>(packet_->data), static_cast<std::size_t>(packet_->size)));
    av_packet_unref(packet_.get());
    std::vector<TextCue> one;
    one.push_back(std::move(cue));
    if (!push_cues(std::move(one), std::chrono::microseconds{0})) return;
  }
}

// A side-loaded TTML file: one document, times as written (like a WebVTT file's).
void TrackWorker::process_ttml_file(const MediaSegment& segment) {
  const std::string where = "segment " + std::to_string(segment.number) + " of representation '" +
                            segment.representation_id + "'";
  auto result = decode_ttml_document(std::string_view(reinterpret_cast<const char*>(segment.data->data()),
                                                      segment.data->size()),
                                     std::nullopt);
  if (!result) {
    shared_.counters->segments_skipped.fetch_add(1, std::memory_order_relaxed);
    error(Error{ErrorCode::kMediaDecode, where + ": " + result.error()});
    return;
  }
  shared_.counters->segments_demuxed.fetch_add(1, std::memory_order_relaxed);
  if (!result->problems.empty()) error(Error{ErrorCode::kMediaDecode, where + ": " + join(result->problems)});
  push_cues(std::move(result->cues), std::chrono::microseconds{0});
}

void TrackWorker::process_mp4_text(const MediaSegment& segment) {
  if (auto e = demuxer_.open(segment, Container::kMp4Text)) {
    shared_.counters->segments_skipped.fetch_add(1, std::memory_order_relaxed);
    error(std::move(*e));
    return;
  }
  const AVCodecParameters& par = *demuxer_.stream()->codecpar;
  const std::string where = demuxer_.where();
  const bool wvtt = par.codec_tag == MKTAG('w', 'v', 't', 't') || par.codec_id == AV_CODEC_ID_WEBVTT;
  const bool stpp = par.codec_tag == MKTAG('s', 't', 'p', 'p') || par.codec_id == AV_CODEC_ID_TTML;
  if (!wvtt && !stpp) {
    shared_.counters->segments_skipped.fetch_add(1, std::memory_order_relaxed);
    char tag[5] = {};
    for (int i = 0; i < 4; ++i) {
      const char c = static_cast<char>((par.codec_tag >> (8 * i)) & 0xff);
      tag[i] = c >= 0x20 && c < 0x7f ? c : '?';
    }
    error(Error{ErrorCode::kMediaCodecUnsupported,
                where + ": text samples of type '" + tag + "' are not read (wvtt and stpp are)"});
    return;
  }
  shared_.counters->segments_demuxed.fetch_add(1, std::memory_order_relaxed);
  const AVRational tb = demuxer_.stream()->time_base;
  // FFmpeg 5.1's mov demuxer gives text samples no duration (trun's is not passed on): a sample lasts
  // until the next one starts, the last one until the segment's end. So each sample is decoded when
  // the next one has been read (one sample held: memory stays bounded by the largest sample).
  struct Sample {
    std::int64_t pts = AV_NOPTS_VALUE;
    std::int64_t duration = 0;
    std::int64_t pos = -1;
    std::size_t size = 0;
    std::vector<std::uint8_t> bytes;  // empty when above kMaxTextSampleBytes (refused below)
  };
  std::optional<Sample> pending;
  std::vector<std::string> problems;
  std::size_t skipped = 0;  // samples refused in this segment; the first few are reported
  const auto refuse = [&](Error e) {
    if (++skipped <= kMaxProblemsPerSegment) error(std::move(e));
  };
  // Decodes `sample`, ending at `next_pts` (media time) when it has no duration. False: stop (seek).
  const auto decode_sample = [&](const Sample& sample, std::optional<std::chrono::microseconds> next_start) {
    const std::string at = where + ": sample at byte offset " + std::to_string(sample.pos) + " (of init+media)";
    SampleWindow window;
    window.start = sample.pts != AV_NOPTS_VALUE ? ff::to_us(sample.pts, tb) : segment.start - offset_;
    const auto duration = ff::to_us(sample.duration, tb);
    bool sane = sane_time(window.start) && sane_time(duration);
    if (sane) {
      window.end = sample.duration > 0 ? window.start + duration
                   : next_start        ? *next_start
                                       : segment.start + segment.duration - offset_;
      sane = sane_time(window.end) && window.end >= window.start;
    }
    if (!sane) {
      refuse(Error{ErrorCode::kMediaDemux, at + ": absurd time or duration (skipped)"});
      return true;
    }
    if (sample.size > kMaxTextSampleBytes) {
      refuse(Error{ErrorCode::kMediaDecode, at + ": " + std::to_string(sample.size) + " bytes, above the limit of " +
                                                std::to_string(kMaxTextSampleBytes) + " for a text sample (skipped)"});
      return true;
    }
    auto result = wvtt ? decode_wvtt_sample(sample.bytes, window)
                       : decode_ttml_document(std::string_view(reinterpret_cast<const char*>(sample.bytes.data()),
                                                               sample.bytes.size()),
                                              window);
    if (!result) {
      refuse(Error{ErrorCode::kMediaDecode, at + ": " + result.error()});
      return true;  // the other samples of the segment may be fine
    }
    for (auto& p : result->problems) {
      if (problems.size() < kMaxProblemsPerSegment) problems.push_back(std::move(p));
    }
    return push_cues(std::move(result->cues), offset_);
  };
  for (;;) {
    const int rc = demuxer_.read(packet_.get());
    if (rc < 0) {
      if (rc != AVERROR_EOF) {
        error(ff::make_error(ErrorCode::kMediaDemux,
                             where + " at byte offset " + std::to_string(demuxer_.media_offset()), rc));
      }
      break;
    }
    Sample sample{packet_->pts, packet_->duration, packet_->pos, static_cast<std::size_t>(packet_->size), {}};
    if (sample.size <= kMaxTextSampleBytes) sample.bytes.assign(packet_->data, packet_->data + packet_->size);
    if (!pending) offset_ = timeline_offset(*packet_, tb, segment.start);
    av_packet_unref(packet_.get());
    if (pending) {
      std::optional<std::chrono::microseconds> next;
      if (sample.pts != AV_NOPTS_VALUE) next = ff::to_us(sample.pts, tb);
      if (!decode_sample(*pending, next)) return;
    }
    pending = std::move(sample);
  }
  if (pending && !decode_sample(*pending, std::nullopt)) return;
  if (skipped > kMaxProblemsPerSegment) {
    error(Error{ErrorCode::kMediaDecode,
                where + ": " + std::to_string(skipped - kMaxProblemsPerSegment) + " more samples skipped"});
  }
  if (!problems.empty()) error(Error{ErrorCode::kMediaDecode, where + ": " + join(problems)});
}

}  // namespace abrplay::media
