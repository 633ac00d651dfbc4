#include <SDL2/SDL.h>

#include <algorithm>
#include <string_view>
#include <vector>

#include "abrplay/core/unique_handle.h"
#include "abrplay/player/media/sdl_sinks.h"
#include "bitmap_font.h"

namespace abrplay::media {
namespace {

using WindowPtr = UniqueHandle<SDL_Window, SDL_DestroyWindow>;
using RendererPtr = UniqueHandle<SDL_Renderer, SDL_DestroyRenderer>;
using TexturePtr = UniqueHandle<SDL_Texture, SDL_DestroyTexture>;

Error sdl_error(const std::string& what) {
  return Error{ErrorCode::kOutputVideo, "SDL video: " + what + ": " + SDL_GetError()};
}

// The largest rectangle of the frame's aspect ratio centred in the output (letterbox/pillarbox).
SDL_Rect letterbox(int out_w, int out_h, int w, int h) {
  if (w <= 0 || h <= 0) return SDL_Rect{0, 0, out_w, out_h};
  int dw = out_w;
  int dh = static_cast<int>(static_cast<long long>(out_w) * h / w);
  if (dh > out_h) {
    dh = out_h;
    dw = static_cast<int>(static_cast<long long>(out_h) * w / h);
  }
  return SDL_Rect{(out_w - dw) / 2, (out_h - dh) / 2, dw, dh};
}

// Fills one rectangle per lit font pixel of `line` at (x, y).
void draw_text(SDL_Renderer* r, std::string_view line, int x, int y, int unit) {
  std::vector<PixelRect> pixels;
  layout_text(line, x, y, unit, pixels);
  std::vector<SDL_Rect> rects;
  rects.reserve(pixels.size());
  for (const auto& p : pixels) rects.push_back(SDL_Rect{p.x, p.y, p.w, p.h});
  SDL_RenderFillRects(r, rects.data(), static_cast<int>(rects.size()));
}

// The overlay at the top right of `dst`: a dark box, white text, green bars on a grey frame.
void draw_overlay(SDL_Renderer* r, const SdlOverlay& o, const SDL_Rect& dst) {
  if (o.lines.empty() && o.graphs.empty()) return;
  const int unit = std::max(1, dst.h / 36 / kGlyphCellHeight);  // a line is 1/36 of the picture
  const int line_h = kGlyphCellHeight * unit;
  const int graph_h = 6 * line_h;
  int w = 0;
  for (const auto& l : o.lines) w = std::max(w, text_width(l, unit));
  for (const auto& g : o.graphs) w = std::max({w, text_width(g.label, unit), static_cast<int>(g.values.size()) * unit});
  const int pad = 2 * unit;
  const int h = static_cast<int>(o.lines.size()) * line_h +
                static_cast<int>(o.graphs.size()) * (line_h + graph_h + pad);
  const SDL_Rect box{dst.x + dst.w - w - 3 * pad, dst.y + pad, w + 2 * pad, h + 2 * pad};
  SDL_SetRenderDrawColor(r, 16, 16, 16, 200);
  SDL_RenderFillRect(r, &box);
  int y = box.y + pad;
  const int x = box.x + pad;
  SDL_SetRenderDrawColor(r, 255, 255, 255, 255);
  for (const auto& l : o.lines) {
    draw_text(r, l, x, y, unit);
    y += line_h;
  }
  for (const auto& g : o.graphs) {
    SDL_SetRenderDrawColor(r, 255, 255, 255, 255);
    draw_text(r, g.label, x, y, unit);
    y += line_h;
    double top = g.max;
    if (top <= 0) {
      for (double v : g.values) top = std::max(top, v);
    }
    const SDL_Rect frame{x, y, w, graph_h};
    SDL_SetRenderDrawColor(r, 128, 128, 128, 255);
    SDL_RenderDrawRect(r, &frame);
    std::vector<SDL_Rect> bars;
    for (std::size_t i = 0; i < g.values.size() && top > 0; ++i) {
      const double f = std::clamp(g.values[i] / top, 0.0, 1.0);
      const int bh = static_cast<int>(f * (graph_h - 2));
      bars.push_back(SDL_Rect{x + static_cast<int>(i) * unit, y + graph_h - 1 - bh, unit, bh});
    }
    SDL_SetRenderDrawColor(r, 64, 208, 96, 255);
    SDL_RenderFillRects(r, bars.data(), static_cast<int>(bars.size()));
    y += graph_h + pad;
  }
}

}  // namespace

struct SdlVideoSink::Handles {
  bool subsystem = false;  // SDL_InitSubSystem succeeded: quit it last
  WindowPtr window;
  RendererPtr renderer;
  TexturePtr texture;
  int tex_w = 0;
  int tex_h = 0;
  TexturePtr thumb_texture;  // the SdlThumbnail's whole grid image
  ~Handles() {
    thumb_texture.reset();
    texture.reset();
    renderer.reset();
    window.reset();
    if (subsystem) SDL_QuitSubSystem(SDL_INIT_VIDEO);
  }
};

SdlVideoSink::SdlVideoSink(std::unique_ptr<Handles> h) : h_(std::move(h)) {}
SdlVideoSink::~SdlVideoSink() = default;

Expected<std::unique_ptr<SdlVideoSink>, Error> SdlVideoSink::create(const SdlVideoOptions& options) {
  auto h = std::make_unique<Handles>();
  if (SDL_InitSubSystem(SDL_INIT_VIDEO) != 0) return Unexpected{sdl_error("initialising video")};
  h->subsystem = true;
  Uint32 flags = SDL_WINDOW_RESIZABLE | SDL_WINDOW_ALLOW_HIGHDPI;
  if (options.fullscreen) flags |= SDL_WINDOW_FULLSCREEN_DESKTOP;
  h->window.reset(SDL_CreateWindow(options.title.c_str(), SDL_WINDOWPOS_CENTERED, SDL_WINDOWPOS_CENTERED, options.width,
                                   options.height, flags));
  if (!h->window) return Unexpected{sdl_error("creating the window")};
  h->renderer.reset(SDL_CreateRenderer(h->window.get(), -1, SDL_RENDERER_ACCELERATED));
  if (!h->renderer) h->renderer.reset(SDL_CreateRenderer(h->window.get(), -1, SDL_RENDERER_SOFTWARE));
  if (!h->renderer) return Unexpected{sdl_error("creating a renderer")};
  SDL_SetRenderDrawBlendMode(h->renderer.get(), SDL_BLENDMODE_BLEND);
  return std::unique_ptr<SdlVideoSink>(new SdlVideoSink(std::move(h)));
}

std::optional<Error> SdlVideoSink::present(const VideoFrame& frame) {
  if (!h_->texture || h_->tex_w != frame.width || h_->tex_h != frame.height) {
    h_->texture.reset(SDL_CreateTexture(h_->renderer.get(), SDL_PIXELFORMAT_IYUV, SDL_TEXTUREACCESS_STREAMING,
                                        frame.width, frame.height));
    if (!h_->texture)
      return sdl_error("creating a " + std::to_string(frame.width) + "x" + std::to_string(frame.height) + " texture");
    h_->tex_w = frame.width;
    h_->tex_h = frame.height;
  }
  if (SDL_UpdateYUVTexture(h_->texture.get(), nullptr, frame.planes[0], frame.strides[0], frame.planes[1],
                           frame.strides[1], frame.planes[2], frame.strides[2]) != 0) {
    return sdl_error("uploading frame at " + std::to_string(frame.pts.count()) + " us");
  }
  last_ = frame;
  return redraw(true);
}

std::optional<Error> SdlVideoSink::redraw(bool present_now) {
  SDL_Renderer* r = h_->renderer.get();
  int out_w = 0;
  int out_h = 0;
  SDL_GetRendererOutputSize(r, &out_w, &out_h);
  SDL_SetRenderDrawColor(r, 0, 0, 0, 255);
  SDL_RenderClear(r);
  if (h_->texture && last_) {
    const SDL_Rect dst = letterbox(out_w, out_h, last_.width, last_.height);
    if (SDL_RenderCopy(r, h_->texture.get(), nullptr, &dst) != 0) return sdl_error("drawing the frame");
    // Cues active at the frame's time, stacked from the bottom of the picture: each line in the
    // built-in 3x5 font (bitmap_font.h), white on a translucent box.
    const int unit = std::max(1, dst.h / 18 / kGlyphCellHeight);  // a text line is 1/18 of the picture
    const int line_h = kGlyphCellHeight * unit;
    int bottom = dst.y + dst.h - dst.h / 12;
    std::vector<PixelRect> pixels;
    for (const TextCue& c : cues_) {
      if (c.start > last_.pts || last_.pts >= c.end) continue;
      std::vector<std::string_view> lines;
      std::string_view rest = c.text;
      for (std::size_t nl; (nl = rest.find('\n')) != std::string_view::npos; rest.remove_prefix(nl + 1)) {
        lines.push_back(rest.substr(0, nl));
      }
      lines.push_back(rest);
      int w = 0;
      for (auto l : lines) w = std::max(w, text_width(l, unit));
      w = std::min(dst.w, w + 4 * unit);
      const int h = static_cast<int>(lines.size()) * line_h + 2 * unit;
      const SDL_Rect box{dst.x + (dst.w - w) / 2, bottom - h, w, h};
      SDL_SetRenderDrawColor(r, 16, 16, 16, 192);
      SDL_RenderFillRect(r, &box);
      pixels.clear();
      for (std::size_t i = 0; i < lines.size(); ++i) {
        const int lw = text_width(lines[i], unit);
        layout_text(lines[i], box.x + (box.w - lw) / 2, box.y + 2 * unit + static_cast<int>(i) * line_h, unit, pixels);
      }
      std::vector<SDL_Rect> rects;
      rects.reserve(pixels.size());
      for (const auto& p : pixels) rects.push_back(SDL_Rect{p.x, p.y, p.w, p.h});
      SDL_SetRenderDrawColor(r, 255, 255, 255, 255);
      SDL_RenderFillRects(r, rects.data(), static_cast<int>(rects.size()));
      bottom = box.y - unit;
    }
    if (thumbnail_ && h_->thumb_texture && thumbnail_->width > 0 && thumbnail_->height > 0) {
      const int w = std::max(8, dst.w / 4);
      const int h = w * thumbnail_->height / thumbnail_->width;
      const SDL_Rect frame{dst.x + (dst.w - w) / 2 - 2, dst.y + dst.h - dst.h / 6 - h - 2, w + 4, h + 4};
      const SDL_Rect inner{frame.x + 2, frame.y + 2, w, h};
      const SDL_Rect src{thumbnail_->x, thumbnail_->y, thumbnail_->width, thumbnail_->height};
      SDL_SetRenderDrawColor(r, 255, 255, 255, 255);
      SDL_RenderFillRect(r, &frame);
      if (SDL_RenderCopy(r, h_->thumb_texture.get(), &src, &inner) != 0) return sdl_error("drawing the thumbnail");
    }
    draw_overlay(r, overlay_, dst);
  }
  if (present_now) SDL_RenderPresent(r);
  return std::nullopt;
}

void SdlVideoSink::cue(const TextCue& c) {
  // Forget cues that ended before the picture on screen; keep the list short.
  std::erase_if(cues_, [&](const TextCue& old) { return old.end <= last_.pts; });
  cues_.push_back(c);
}

void SdlVideoSink::clear() { cues_.clear(); }

void SdlVideoSink::set_overlay(SdlOverlay overlay) { overlay_ = std::move(overlay); }

std::optional<Error> SdlVideoSink::set_thumbnail(std::optional<SdlThumbnail> thumbnail) {
  thumbnail_.reset();
  h_->thumb_texture.reset();
  if (thumbnail && thumbnail->image) {
    const VideoFrame& f = thumbnail->image;
    h_->thumb_texture.reset(
        SDL_CreateTexture(h_->renderer.get(), SDL_PIXELFORMAT_IYUV, SDL_TEXTUREACCESS_STATIC, f.width, f.height));
    if (!h_->thumb_texture) {
      return sdl_error("creating a " + std::to_string(f.width) + "x" + std::to_string(f.height) + " thumbnail texture");
    }
    if (SDL_UpdateYUVTexture(h_->thumb_texture.get(), nullptr, f.planes[0], f.strides[0], f.planes[1], f.strides[1],
                             f.planes[2], f.strides[2]) != 0) {
      h_->thumb_texture.reset();
      return sdl_error("uploading the thumbnail");
    }
    thumbnail_ = std::move(thumbnail);
  }
  return last_ ? redraw(true) : std::nullopt;
}

SdlInput SdlVideoSink::pump_events() {
  SdlInput in;
  SDL_Event e;
  while (SDL_PollEvent(&e) != 0) {
    if (e.type == SDL_QUIT) in.quit = true;
    if (e.type == SDL_WINDOWEVENT &&
        (e.window.event == SDL_WINDOWEVENT_SIZE_CHANGED || e.window.event == SDL_WINDOWEVENT_EXPOSED)) {
      redraw(true);
    }
    if (e.type == SDL_KEYDOWN) {
      switch (e.key.keysym.sym) {
        case SDLK_ESCAPE:
        case SDLK_q: in.quit = true; break;
        case SDLK_SPACE: in.toggle_pause = true; break;
        case SDLK_f: set_fullscreen(!fullscreen()); break;
        case SDLK_LEFT: in.seek_s -= 10; break;
        case SDLK_RIGHT: in.seek_s += 10; break;
        case SDLK_a: in.cycle_audio = true; break;
        case SDLK_v: in.cycle_text = true; break;
        case SDLK_s: in.toggle_stats = true; break;
        default:
          if (e.key.keysym.sym >= SDLK_0 && e.key.keysym.sym <= SDLK_9) {
            in.pin = static_cast<std::size_t>(e.key.keysym.sym - SDLK_0);
          }
          break;
      }
    }
  }
  return in;
}

void SdlVideoSink::set_fullscreen(bool on) {
  SDL_SetWindowFullscreen(h_->window.get(), on ? SDL_WINDOW_FULLSCREEN_DESKTOP : 0);
  redraw(true);
}

bool SdlVideoSink::fullscreen() const {
  return (SDL_GetWindowFlags(h_->window.get()) & SDL_WINDOW_FULLSCREEN_DESKTOP) != 0;
}

Expected<RgbImage, Error> SdlVideoSink::read_pixels() {
  if (auto e = redraw(false)) return Unexpected{*e};
  RgbImage img;
  SDL_GetRendererOutputSize(h_->renderer.get(), &img.width, &img.height);
  img.rgb.resize(static_cast<std::size_t>(img.width) * static_cast<std::size_t>(img.height) * 3);
  if (SDL_RenderReadPixels(h_->renderer.get(), nullptr, SDL_PIXELFORMAT_RGB24, img.rgb.data(), img.width * 3) != 0) {
    return Unexpected{sdl_error("reading the window back")};
  }
  if (last_) img.frame_pts = last_.pts;
  SDL_RenderPresent(h_->renderer.get());
  return img;
}

}  // namespace abrplay::media
