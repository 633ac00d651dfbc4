#include "decoder.h"

#include <cstring>

extern "C" {
#include <libavutil/hwcontext.h>
#include <libavutil/pixdesc.h>
}

namespace abrplay::media {
namespace {

bool same_extradata(const AVCodecParameters& a, const AVCodecParameters& b) {
  if (a.extradata_size != b.extradata_size) return false;
  return a.extradata_size == 0 ||
         std::memcmp(a.extradata, b.extradata, static_cast<std::size_t>(a.extradata_size)) == 0;
}

}  // namespace

bool Decoder::needs_reopen(const AVCodecParameters& par) const {
  if (!ctx_ || !par_) return true;
  const AVCodecParameters& old = *par_;
  if (old.codec_id != par.codec_id || !same_extradata(old, par)) return true;
  if (par.codec_type == AVMEDIA_TYPE_VIDEO) return old.width != par.width || old.height != par.height;
  if (par.codec_type == AVMEDIA_TYPE_AUDIO) {
    return old.sample_rate != par.sample_rate || old.format != par.format ||
           av_channel_layout_compare(&old.ch_layout, &par.ch_layout) != 0;
  }
  return false;
}

AVPixelFormat Decoder::pick_format(AVCodecContext* ctx, const AVPixelFormat* formats) {
  const auto* self = static_cast<const Decoder*>(ctx->opaque);
  for (const AVPixelFormat* f = formats; *f != AV_PIX_FMT_NONE; ++f) {
    if (*f == self->hw_format_) return *f;
  }
  // The hardware format is not offered for this stream: let FFmpeg pick a software one.
  return avcodec_default_get_format(ctx, formats);
}

void Decoder::try_hardware(const AVCodec& codec, const DecoderOptions& options) {
  const AVHWDeviceType type = av_hwdevice_find_type_by_name(options.hw_device.c_str());
  if (type == AV_HWDEVICE_TYPE_NONE) {
    hw_fallback_ = Error{ErrorCode::kUnsupported, "hardware device type '" + options.hw_device +
                                                      "' is unknown to this FFmpeg; decoding in software"};
    return;
  }
  for (int i = 0;; ++i) {
    const AVCodecHWConfig* cfg = avcodec_get_hw_config(&codec, i);
    if (cfg == nullptr) {
      hw_fallback_ = Error{ErrorCode::kUnsupported, std::string(codec.name) + " has no " + options.hw_device +
                                                        " hardware configuration; decoding in software"};
      return;
    }
    if ((cfg->methods & AV_CODEC_HW_CONFIG_METHOD_HW_DEVICE_CTX) != 0 && cfg->device_type == type) {
      hw_format_ = cfg->pix_fmt;
      break;
    }
  }
  AVBufferRef* dev = nullptr;
  const int rc = av_hwdevice_ctx_create(&dev, type, nullptr, nullptr, 0);
  if (rc < 0) {
    hw_format_ = AV_PIX_FMT_NONE;
    hw_fallback_ = ff::make_error(ErrorCode::kUnsupported,
                                  "creating the " + options.hw_device + " device failed; decoding in software", rc);
    return;
  }
  hw_device_.reset(dev);
  ctx_->hw_device_ctx = av_buffer_ref(dev);
  ctx_->opaque = this;
  ctx_->get_format = &Decoder::pick_format;
}

std::optional<Error> Decoder::open(const AVCodecParameters& par, AVRational pkt_timebase, const DecoderOptions& options,
                                   const std::string& where) {
  close();
  hw_fallback_.reset();
  const AVCodec* codec = avcodec_find_decoder(par.codec_id);
  if (codec == nullptr) {
    return Error{ErrorCode::kMediaCodecUnsupported,
                 where + ": no decoder for codec '" + avcodec_get_name(par.codec_id) + "'"};
  }
  ctx_.reset(avcodec_alloc_context3(codec));
  par_.reset(avcodec_parameters_alloc());
  if (!ctx_ || !par_) return Error{ErrorCode::kMediaDecode, where + ": out of memory"};
  int rc = avcodec_parameters_to_context(ctx_.get(), &par);
  if (rc >= 0) rc = avcodec_parameters_copy(par_.get(), &par);
  if (rc < 0) return ff::make_error(ErrorCode::kMediaDecode, where + ": codec parameters", rc);
  ctx_->pkt_timebase = pkt_timebase;
#if LIBAVCODEC_VERSION_MAJOR >= 60
  ctx_->flags |= AV_CODEC_FLAG_COPY_OPAQUE;
#endif
  if (par.codec_type == AVMEDIA_TYPE_VIDEO) {
    ctx_->thread_count = options.threads;
    ctx_->thread_type = FF_THREAD_FRAME | FF_THREAD_SLICE;
    if (!options.hw_device.empty()) try_hardware(*codec, options);
  }
  rc = avcodec_open2(ctx_.get(), codec, nullptr);
  if (rc < 0) {
    close();
    return ff::make_error(ErrorCode::kMediaDecode, where + ": opening the " + codec->name + " decoder", rc);
  }
  return std::nullopt;
}

void Decoder::close() {
  ctx_.reset();
  par_.reset();
  hw_device_.reset();
  hw_format_ = AV_PIX_FMT_NONE;
}

// FFmpeg 6 carries AVPacket::opaque to AVFrame::opaque (AV_CODEC_FLAG_COPY_OPAQUE) and deprecates
// reordered_opaque; FFmpeg 5.1 (Debian 12) has only reordered_opaque. Both survive frame threading
// and B-frame reordering.
#if LIBAVCODEC_VERSION_MAJOR >= 60
int Decoder::send(AVPacket* pkt) {
  if (pkt != nullptr) pkt->opaque = reinterpret_cast<void*>(static_cast<std::intptr_t>(tag_));
  return avcodec_send_packet(ctx_.get(), pkt);
}
std::int64_t Decoder::frame_tag(const AVFrame& frame) {
  return static_cast<std::int64_t>(reinterpret_cast<std::intptr_t>(frame.opaque));
}
#else
int Decoder::send(AVPacket* pkt) {
  ctx_->reordered_opaque = tag_;
  return avcodec_send_packet(ctx_.get(), pkt);
}
std::int64_t Decoder::frame_tag(const AVFrame& frame) { return frame.reordered_opaque; }
#endif

int Decoder::receive(AVFrame* frame) {
  const int rc = avcodec_receive_frame(ctx_.get(), frame);
  if (rc < 0 || hw_format_ == AV_PIX_FMT_NONE || frame->format != hw_format_) return rc;
  // A hardware surface: copy it to memory (the sinks take planar YUV).
  if (!hw_frame_) hw_frame_.reset(av_frame_alloc());
  av_frame_unref(hw_frame_.get());
  const int t = av_hwframe_transfer_data(hw_frame_.get(), frame, 0);
  if (t < 0) return t;
  av_frame_copy_props(hw_frame_.get(), frame);
  av_frame_unref(frame);
  av_frame_move_ref(frame, hw_frame_.get());
  return 0;
}

}  // namespace abrplay::media
