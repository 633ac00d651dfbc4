// decode_image: a JPEG or PNG still to I420 through FFmpeg (image_decoder.h).
#include "abrplay/player/media/image_decoder.h"

#include <cstring>
#include <optional>
#include <string>

#include "converters.h"
#include "ffmpeg_ptr.h"

namespace abrplay::media {
namespace {

AVCodecID sniff(std::span<const std::uint8_t> b) {
  if (b.size() >= 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF) return AV_CODEC_ID_MJPEG;
  static constexpr std::uint8_t kPng[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
  if (b.size() >= 8 && std::memcmp(b.data(), kPng, 8) == 0) return AV_CODEC_ID_PNG;
  return AV_CODEC_ID_NONE;
}

struct Size {
  std::uint32_t width = 0, height = 0;
};

std::uint32_t be(std::span<const std::uint8_t> b, std::size_t at, int n) {
  std::uint32_t v = 0;
  for (int i = 0; i < n; ++i) v = (v << 8) | b[at + static_cast<std::size_t>(i)];
  return v;
}

// The size the header declares, for a clear "too large" before the decoder runs: PNG's IHDR, or a
// JPEG's first SOFn marker (every marker segment carries its length). Empty when not found.
std::optional<Size> declared_size(std::span<const std::uint8_t> b, AVCodecID id) {
  if (id == AV_CODEC_ID_PNG) {
    if (b.size() < 24) return std::nullopt;
    return Size{be(b, 16, 4), be(b, 20, 4)};
  }
  std::size_t at = 2;
  while (at + 9 <= b.size() && b[at] == 0xFF) {
    const std::uint8_t marker = b[at + 1];
    const bool sof = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
    if (sof) return Size{be(b, at + 7, 2), be(b, at + 5, 2)};
    if (marker == 0xD8 || marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) {
      at += 2;
      continue;
    }
    at += 2 + be(b, at + 2, 2);
  }
  return std::nullopt;
}

}  // namespace

Expected<VideoFrame, Error> decode_image(std::span<const std::uint8_t> bytes, const ImageLimits& limits) {
  auto fail = [](std::string why) { return Unexpected{Error{ErrorCode::kMediaDecode, "image: " + std::move(why)}}; };
  if (bytes.empty()) return fail("empty body");
  if (bytes.size() > limits.max_bytes) {
    return fail(std::to_string(bytes.size()) + " bytes, more than the limit of " + std::to_string(limits.max_bytes));
  }
  const AVCodecID id = sniff(bytes);
  if (id == AV_CODEC_ID_NONE) return fail("neither JPEG nor PNG (unknown first bytes)");
  const char* name = id == AV_CODEC_ID_PNG ? "PNG" : "JPEG";
  if (auto size = declared_size(bytes, id)) {
    const std::uint64_t pixels = static_cast<std::uint64_t>(size->width) * size->height;
    if (pixels > limits.max_pixels) {
      return fail(std::string(name) + " of " + std::to_string(size->width) + "x" + std::to_string(size->height) +
                  " px, more than the limit of " + std::to_string(limits.max_pixels) + " pixels");
    }
  }
  const AVCodec* codec = avcodec_find_decoder(id);
  if (!codec) return fail(std::string("no ") + name + " decoder in this FFmpeg build");
  ff::CodecContextPtr ctx(avcodec_alloc_context3(codec));
  if (!ctx) return fail("out of memory");
  ctx->max_pixels = static_cast<int64_t>(limits.max_pixels);
  ctx->thread_count = 1;
  if (int rc = avcodec_open2(ctx.get(), codec, nullptr); rc < 0) {
    return Unexpected{ff::make_error(ErrorCode::kMediaDecode, std::string("image: open the ") + name + " decoder", rc)};
  }
  ff::PacketPtr pkt(av_packet_alloc());
  ff::FramePtr frame(av_frame_alloc());
  if (!pkt || !frame || av_new_packet(pkt.get(), static_cast<int>(bytes.size())) < 0) return fail("out of memory");
  std::memcpy(pkt->data, bytes.data(), bytes.size());  // av_new_packet pads the end, as decoders need
  pkt->flags |= AV_PKT_FLAG_KEY;
  int rc = avcodec_send_packet(ctx.get(), pkt.get());
  if (rc >= 0) rc = avcodec_send_packet(ctx.get(), nullptr);  // a still: drain at once
  if (rc >= 0 || rc == AVERROR_EOF) rc = avcodec_receive_frame(ctx.get(), frame.get());
  if (rc < 0) {
    std::string what = std::string("image: ") + name + " decode";
    if (ctx->width > 0 && ctx->height > 0) {
      const auto pixels = static_cast<std::uint64_t>(ctx->width) * static_cast<std::uint64_t>(ctx->height);
      what += " (" + std::to_string(ctx->width) + "x" + std::to_string(ctx->height) + ")";
      if (pixels > limits.max_pixels) {
        return fail(std::string(name) + " of " + std::to_string(ctx->width) + "x" + std::to_string(ctx->height) +
                    " px, more than the limit of " + std::to_string(limits.max_pixels) + " pixels");
      }
    }
    return Unexpected{ff::make_error(ErrorCode::kMediaDecode, what, rc)};
  }
  const auto pixels = static_cast<std::uint64_t>(frame->width) * static_cast<std::uint64_t>(frame->height);
  if (frame->width <= 0 || frame->height <= 0 || pixels > limits.max_pixels) {
    return fail(std::string(name) + " of " + std::to_string(frame->width) + "x" + std::to_string(frame->height) +
                " px is outside 1 .. " + std::to_string(limits.max_pixels) + " pixels");
  }
  VideoConverter convert;
  return convert.convert(*frame);
}

}  // namespace abrplay::media
