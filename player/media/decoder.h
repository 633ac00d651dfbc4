// player/media/decoder.h: one libavcodec decoder (video or audio), re-created only when the codec
// parameters change. Owned and used by one decode thread.
//
// "Codec parameters changed" means: another codec, another resolution or sample format/rate/
// channel layout, or other extradata (SPS/PPS, AudioSpecificConfig). A bitrate switch between
// representations that share all of these keeps the decoder and its reference frames.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "abrplay/player/error.h"
#include "ffmpeg_ptr.h"

namespace abrplay::media {

struct DecoderOptions {
  int threads = 2;        // video only: frame + slice threading; 0 = FFmpeg picks
  std::string hw_device;  // video only: hwdevice type name; empty = software
};

class Decoder {
 public:
  Decoder() = default;
  Decoder(const Decoder&) = delete;
  Decoder& operator=(const Decoder&) = delete;

  bool is_open() const { return ctx_ != nullptr; }
  // True when `par` would need a new decoder (or none is open).
  bool needs_reopen(const AVCodecParameters& par) const;
  // (Re)creates the decoder for `par`. `where` names the segment for messages (kMediaDecode,
  // kMediaCodecUnsupported). A hardware device that cannot be created is not an error: the
  // decoder runs in software and hw_fallback() says why.
  [[nodiscard]] std::optional<Error> open(const AVCodecParameters& par, AVRational pkt_timebase,
                                          const DecoderOptions& options, const std::string& where);
  void close();

  // Tags the packets sent next; every frame decoded from them carries the tag back (frame_tag).
  void tag_next(std::int64_t tag) { tag_ = tag; }
  static std::int64_t frame_tag(const AVFrame& frame);
  int send(AVPacket* pkt);
  // 0 with a frame (hardware frames already transferred to memory), AVERROR(EAGAIN), AVERROR_EOF.
  int receive(AVFrame* frame);
  void flush() {
    if (ctx_) avcodec_flush_buffers(ctx_.get());
  }

  bool hardware() const { return hw_device_ != nullptr; }
  const std::optional<Error>& hw_fallback() const { return hw_fallback_; }
  const AVCodecContext* context() const { return ctx_.get(); }

 private:
  void try_hardware(const AVCodec& codec, const DecoderOptions& options);
  static AVPixelFormat pick_format(AVCodecContext* ctx, const AVPixelFormat* formats);

  ff::CodecContextPtr ctx_;
  ff::ParametersPtr par_;  // the parameters ctx_ was opened with
  ff::BufferRefPtr hw_device_;
  AVPixelFormat hw_format_ = AV_PIX_FMT_NONE;
  ff::FramePtr hw_frame_;
  std::optional<Error> hw_fallback_;
  std::int64_t tag_ = 0;
};

}  // namespace abrplay::media
