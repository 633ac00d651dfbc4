#include "converters.h"

#include <memory>

extern "C" {
#include <libavutil/channel_layout.h>
#include <libavutil/pixdesc.h>
}

namespace abrplay::media {

Expected<VideoFrame, Error> VideoConverter::convert(AVFrame& frame) {
  std::shared_ptr<AVFrame> owned(av_frame_alloc(), [](AVFrame* f) { av_frame_free(&f); });
  if (!owned) return Unexpected{Error{ErrorCode::kMediaDecode, "video convert: out of memory"}};
  const auto fmt = static_cast<AVPixelFormat>(frame.format);
  if (fmt == AV_PIX_FMT_YUV420P || fmt == AV_PIX_FMT_YUVJ420P) {
    av_frame_move_ref(owned.get(), &frame);
  } else {
    sws_.reset(sws_getCachedContext(sws_.release(), frame.width, frame.height, fmt, frame.width, frame.height,
                                    AV_PIX_FMT_YUV420P, SWS_BILINEAR, nullptr, nullptr, nullptr));
    if (!sws_) {
      return Unexpected{
          Error{ErrorCode::kMediaDecode, std::string("video convert: no conversion from ") + av_get_pix_fmt_name(fmt)}};
    }
    owned->format = AV_PIX_FMT_YUV420P;
    owned->width = frame.width;
    owned->height = frame.height;
    int rc = av_frame_get_buffer(owned.get(), 0);
    if (rc >= 0) rc = av_frame_copy_props(owned.get(), &frame);
    if (rc < 0) return Unexpected{ff::make_error(ErrorCode::kMediaDecode, "video convert", rc)};
    sws_scale(sws_.get(), frame.data, frame.linesize, 0, frame.height, owned->data, owned->linesize);
    av_frame_unref(&frame);
  }
  VideoFrame out;
  out.width = owned->width;
  out.height = owned->height;
  for (int i = 0; i < 3; ++i) {
    out.planes[static_cast<std::size_t>(i)] = owned->data[i];
    out.strides[static_cast<std::size_t>(i)] = owned->linesize[i];
  }
  out.owner = std::shared_ptr<const void>(owned, owned.get());
  return out;
}

Expected<int, Error> AudioConverter::convert(const AVFrame& frame, std::vector<float>& out) {
  const bool changed = !swr_ || frame.sample_rate != in_rate_ || frame.format != in_format_ ||
                       av_channel_layout_compare(&frame.ch_layout, &in_layout_) != 0;
  if (changed) {
    AVChannelLayout out_layout{};
    av_channel_layout_default(&out_layout, out_.channels);
    SwrContext* raw = nullptr;
    AVChannelLayout in_layout{};
    av_channel_layout_copy(&in_layout, &frame.ch_layout);
    int rc = swr_alloc_set_opts2(&raw, &out_layout, AV_SAMPLE_FMT_FLT, out_.sample_rate, &in_layout,
                                 static_cast<AVSampleFormat>(frame.format), frame.sample_rate, 0, nullptr);
    swr_.reset(raw);
    if (rc >= 0) rc = swr_init(swr_.get());
    av_channel_layout_uninit(&out_layout);
    av_channel_layout_uninit(&in_layout);
    if (rc < 0) return Unexpected{ff::make_error(ErrorCode::kMediaDecode, "audio resampler setup", rc)};
    in_rate_ = frame.sample_rate;
    in_format_ = frame.format;
    av_channel_layout_uninit(&in_layout_);
    av_channel_layout_copy(&in_layout_, &frame.ch_layout);
  }
  const int max_out = swr_get_out_samples(swr_.get(), frame.nb_samples);
  const std::size_t old = out.size();
  out.resize(old + static_cast<std::size_t>(max_out) * static_cast<std::size_t>(out_.channels));
  auto* dst = reinterpret_cast<std::uint8_t*>(out.data() + old);
  const int n = swr_convert(swr_.get(), &dst, max_out, const_cast<const std::uint8_t**>(frame.extended_data),
                            frame.nb_samples);
  if (n < 0) {
    out.resize(old);
    return Unexpected{ff::make_error(ErrorCode::kMediaDecode, "audio resample", n)};
  }
  out.resize(old + static_cast<std::size_t>(n) * static_cast<std::size_t>(out_.channels));
  return n;
}

}  // namespace abrplay::media
