#include "segment_demuxer.h"

#include <algorithm>
#include <cstring>

#include "box_scan.h"

extern "C" {
#include <libavutil/dict.h>
#include <libavutil/mem.h>
}

namespace abrplay::media {
namespace {

// 32 KiB: FFmpeg's default IO buffer; segments are in memory, so the size only sets copy granularity.
constexpr int kIoBufferSize = 32 * 1024;

std::span<const std::uint8_t> view(const Bytes& b) {
  return b ? std::span<const std::uint8_t>(b->data(), b->size()) : std::span<const std::uint8_t>{};
}

}  // namespace

std::string SegmentDemuxer::where() const {
  return "segment " + std::to_string(number_) + " of representation '" + rep_ + "'";
}

int SegmentDemuxer::read_cb(void* opaque, std::uint8_t* buf, int size) {
  auto& s = *static_cast<Source*>(opaque);
  int done = 0;
  while (done < size && s.pos < s.size()) {
    const auto init_size = static_cast<std::int64_t>(s.init.size());
    const bool in_init = s.pos < init_size;
    const auto part = in_init ? s.init : s.data;
    const std::int64_t off = in_init ? s.pos : s.pos - init_size;
    const auto n = std::min<std::int64_t>(size - done, static_cast<std::int64_t>(part.size()) - off);
    std::memcpy(buf + done, part.data() + off, static_cast<std::size_t>(n));
    done += static_cast<int>(n);
    s.pos += n;
  }
  return done == 0 ? AVERROR_EOF : done;
}

std::int64_t SegmentDemuxer::seek_cb(void* opaque, std::int64_t offset, int whence) {
  auto& s = *static_cast<Source*>(opaque);
  whence &= ~AVSEEK_FORCE;
  std::int64_t target = 0;
  switch (whence) {
    case AVSEEK_SIZE: return s.size();
    case SEEK_SET: target = offset; break;
    case SEEK_CUR: target = s.pos + offset; break;
    case SEEK_END: target = s.size() + offset; break;
    default: return AVERROR(EINVAL);
  }
  if (target < 0 || target > s.size()) return AVERROR(EINVAL);
  s.pos = target;
  return target;
}

void SegmentDemuxer::close() {
  stream_ = nullptr;
  fmt_.reset();
  io_.reset();
  init_keep_.reset();
  data_keep_.reset();
}

std::optional<Error> SegmentDemuxer::open(const MediaSegment& segment, Container container) {
  close();
  rep_ = segment.representation_id;
  number_ = segment.number;
  init_keep_ = segment.init;
  data_keep_ = segment.data;
  source_ = Source{view(init_keep_), view(data_keep_), 0};
  if (source_.data.empty()) return Error{ErrorCode::kMediaDemux, where() + ": empty segment"};

  const bool mp4 = container != Container::kWebVtt;
  if (mp4) {
    BoxScanResult init_found;
    if (auto bad = scan_boxes(source_.init, init_found)) {
      return Error{ErrorCode::kMediaDemux, where() + ": init segment: " + *bad};
    }
    BoxScanResult found;
    if (auto bad = scan_boxes(source_.data, found)) {
      return Error{ErrorCode::kMediaDemux, where() + ": media segment: " + *bad};
    }
    if (!init_found.has_moov && !found.has_moov) {
      return Error{ErrorCode::kMediaDemux, where() + ": no moov box in the init segment"};
    }
    if (!found.has_mdat) return Error{ErrorCode::kMediaDemux, where() + ": media segment has no mdat box"};
  }

  auto* buffer = static_cast<unsigned char*>(av_malloc(kIoBufferSize));
  if (buffer == nullptr) return Error{ErrorCode::kMediaDemux, where() + ": out of memory"};
  io_.reset(avio_alloc_context(buffer, kIoBufferSize, 0, &source_, &read_cb, nullptr, &seek_cb));
  if (!io_) {
    av_free(buffer);
    return Error{ErrorCode::kMediaDemux, where() + ": out of memory"};
  }
  AVFormatContext* raw = avformat_alloc_context();
  if (raw == nullptr) return Error{ErrorCode::kMediaDemux, where() + ": out of memory"};
  raw->pb = io_.get();
  raw->flags |= AVFMT_FLAG_CUSTOM_IO;
  const AVInputFormat* fmt = av_find_input_format(mp4 ? "mp4" : "webvtt");
  AVDictionary* opts = nullptr;
  av_dict_set(&opts, "protocol_whitelist", "", 0);  // no protocol: custom IO only
  av_dict_set(&opts, "format_whitelist", mp4 ? "mov,mp4,m4a,3gp,3g2,mj2" : "webvtt", 0);
  const int rc = avformat_open_input(&raw, nullptr, fmt, &opts);  // frees raw on failure
  av_dict_free(&opts);
  if (rc < 0) return ff::make_error(ErrorCode::kMediaDemux, where() + ": opening the demuxer", rc);
  fmt_.reset(raw);

  // Text in MP4: FFmpeg 5.1's mov demuxer types a 'stpp' track as data (no TTML decoder) and a
  // 'wvtt' track as subtitle or data depending on its handler; either is the text stream.
  const auto wanted = [container](AVMediaType t) {
    switch (container) {
      case Container::kMp4: return t == AVMEDIA_TYPE_VIDEO || t == AVMEDIA_TYPE_AUDIO;
      case Container::kMp4Text: return t == AVMEDIA_TYPE_SUBTITLE || t == AVMEDIA_TYPE_DATA;
      case Container::kWebVtt: return t == AVMEDIA_TYPE_SUBTITLE;
    }
    return false;
  };
  for (unsigned i = 0; i < fmt_->nb_streams; ++i) {
    if (wanted(fmt_->streams[i]->codecpar->codec_type)) {
      stream_ = fmt_->streams[i];
      break;
    }
  }
  if (stream_ == nullptr) {
    return Error{ErrorCode::kMediaDemux,
                 where() + (container == Container::kMp4 ? ": no audio or video stream" : ": no text stream")};
  }
  return std::nullopt;
}

int SegmentDemuxer::read(AVPacket* pkt) {
  if (!fmt_) return AVERROR_EOF;
  for (;;) {
    const int rc = av_read_frame(fmt_.get(), pkt);
    if (rc < 0) return rc;
    if (pkt->stream_index == stream_->index) return 0;
    av_packet_unref(pkt);
  }
}

std::int64_t SegmentDemuxer::media_offset() const {
  if (!fmt_ || fmt_->pb == nullptr) return 0;
  return std::max<std::int64_t>(0, avio_tell(fmt_->pb) - static_cast<std::int64_t>(source_.init.size()));
}

}  // namespace abrplay::media
