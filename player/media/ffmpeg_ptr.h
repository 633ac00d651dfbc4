// player/media/ffmpeg_ptr.h: RAII owners for every FFmpeg handle the media pipeline uses, and the
// helpers that turn FFmpeg error numbers into abrplay::Error. Private to player/media.
#pragma once

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/buffer.h>
#include <libavutil/error.h>
#include <libavutil/frame.h>
#include <libswresample/swresample.h>
#include <libswscale/swscale.h>
}

#include <chrono>
#include <memory>
#include <string>

#include "abrplay/core/unique_handle.h"
#include "abrplay/player/error.h"

namespace abrplay::media::ff {

struct IoContextDeleter {
  // Frees the AVIOContext and its buffer (which FFmpeg may have reallocated).
  void operator()(AVIOContext* p) const {
    if (p != nullptr) av_freep(&p->buffer);
    avio_context_free(&p);
  }
};

using FormatContextPtr = UniqueHandleByAddress<AVFormatContext, avformat_close_input>;
using IoContextPtr = std::unique_ptr<AVIOContext, IoContextDeleter>;
using CodecContextPtr = UniqueHandleByAddress<AVCodecContext, avcodec_free_context>;
using FramePtr = UniqueHandleByAddress<AVFrame, av_frame_free>;
using PacketPtr = UniqueHandleByAddress<AVPacket, av_packet_free>;
using BufferRefPtr = UniqueHandleByAddress<AVBufferRef, av_buffer_unref>;
using SwrPtr = UniqueHandleByAddress<SwrContext, swr_free>;
using SwsPtr = UniqueHandle<SwsContext, sws_freeContext>;
using ParametersPtr = UniqueHandleByAddress<AVCodecParameters, avcodec_parameters_free>;

inline std::string error_string(int averror) {
  char buf[AV_ERROR_MAX_STRING_SIZE] = {};
  av_strerror(averror, buf, sizeof buf);
  return buf;
}

inline Error make_error(ErrorCode code, std::string what, int averror) {
  return Error{code, std::move(what) + ": " + error_string(averror)};
}

inline std::chrono::microseconds to_us(std::int64_t ts, AVRational tb) {
  return std::chrono::microseconds{av_rescale_q(ts, tb, AVRational{1, 1'000'000})};
}

}  // namespace abrplay::media::ff
