// abrplay/core/unique_handle.h: a C library's handle owned by std::unique_ptr and released by the
// library's own function, without a deleter struct per type:
//
//   using EasyPtr  = UniqueHandle<CURL, curl_easy_cleanup>;          // curl_easy_cleanup(p)
//   using FramePtr = UniqueHandleByAddress<AVFrame, av_frame_free>;   // av_frame_free(&p)
//
// (FFmpeg's *_free functions take the pointer's address so they can null it.)
#pragma once

#include <memory>

namespace abrplay {

template <auto Free>
struct FreeWith {
  template <typename T>
  void operator()(T* p) const {
    Free(p);
  }
};

template <auto Free>
struct FreeWithAddress {
  template <typename T>
  void operator()(T* p) const {
    Free(&p);
  }
};

template <typename T, auto Free>
using UniqueHandle = std::unique_ptr<T, FreeWith<Free>>;

template <typename T, auto Free>
using UniqueHandleByAddress = std::unique_ptr<T, FreeWithAddress<Free>>;

}  // namespace abrplay
