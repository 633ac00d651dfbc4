// player/media/segment_demuxer.h: libavformat over one fed segment (init bytes followed by media
// bytes) through a custom AVIOContext. FFmpeg never opens a URL or a file: the input format is
// given (mp4 or webvtt, no probing) and the protocol whitelist is empty.
//
// One demuxer context is opened per segment: parsing the init (moov) costs microseconds, and it
// isolates segments, so a corrupt one is skipped whole and a representation switch is simply the
// next segment opened on its own init. Owned and used by one decode thread.
#pragma once

#include <cstdint>
#include <optional>
#include <span>

#include "abrplay/player/error.h"
#include "abrplay/player/media/segment_feed.h"
#include "ffmpeg_ptr.h"

namespace abrplay::media {

enum class Container {
  kMp4,      // fragmented MP4, its first audio or video stream
  kMp4Text,  // fragmented MP4, its first subtitle or data stream (wvtt, stpp samples)
  kWebVtt,   // a WebVTT file
};

class SegmentDemuxer {
 public:
  SegmentDemuxer() = default;
  SegmentDemuxer(const SegmentDemuxer&) = delete;
  SegmentDemuxer& operator=(const SegmentDemuxer&) = delete;

  // Opens `segment` (kept alive by this object until the next open/close). Errors (kMediaDemux)
  // name the segment and the byte offset in it.
  [[nodiscard]] std::optional<Error> open(const MediaSegment& segment, Container container);
  void close();

  const AVStream* stream() const { return stream_; }
  // 0 with `pkt` filled, AVERROR_EOF at the end, another AVERROR on failure.
  int read(AVPacket* pkt);
  // Where the demuxer is, as a byte offset into the media segment (init bytes not counted).
  std::int64_t media_offset() const;
  // "segment 12 of representation '3'", for messages.
  std::string where() const;

 private:
  struct Source {
    std::span<const std::uint8_t> init;
    std::span<const std::uint8_t> data;
    std::int64_t pos = 0;
    std::int64_t size() const { return static_cast<std::int64_t>(init.size() + data.size()); }
  };
  static int read_cb(void* opaque, std::uint8_t* buf, int size);
  static std::int64_t seek_cb(void* opaque, std::int64_t offset, int whence);

  Bytes init_keep_;
  Bytes data_keep_;
  std::string rep_;
  std::uint64_t number_ = 0;
  Source source_;
  ff::IoContextPtr io_;
  ff::FormatContextPtr fmt_;
  const AVStream* stream_ = nullptr;
};

}  // namespace abrplay::media
