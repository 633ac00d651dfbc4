// player/api/c_api.cpp: the C API (abrplay/abrplay.h) over abrplay::Player.
//
// Events from the Player's listener (player thread) are copied into a bounded queue; the strings of
// the event handed out last are kept in the handle (`current`) until the next abrplay_wait_event().
// Frames and cues: the handle installs its own SinkConfig::on_frame / on_cue, which run on the
// presentation thread and call the C callbacks under `cb_mu` (so that setting a callback waits for
// a call in progress, and the old one is never called after the setter returned).
#include "abrplay/abrplay.h"

#include <chrono>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>
#include <string>

#include "abrplay/player.h"

struct abrplay_config {
  abrplay::PlayerConfig config;
};

namespace {

constexpr std::size_t kMaxQueuedEvents = 1000;

int to_c(const abrplay::Error& e) { return -static_cast<int>(e.code); }

abrplay_state to_c(abrplay::PlayerState s) { return static_cast<abrplay_state>(static_cast<int>(s)); }

abrplay_event_type to_c(abrplay::PlayerEvent::Kind k) {
  using K = abrplay::PlayerEvent::Kind;
  switch (k) {
    case K::kStateChanged: return ABRPLAY_EVENT_STATE_CHANGED;
    case K::kRepresentationChanged: return ABRPLAY_EVENT_REPRESENTATION_CHANGED;
    case K::kError: return ABRPLAY_EVENT_ERROR;
    case K::kWarning: return ABRPLAY_EVENT_WARNING;
    case K::kEnded: return ABRPLAY_EVENT_ENDED;
    case K::kTelemetrySent: return ABRPLAY_EVENT_TELEMETRY_SENT;
    case K::kCdnChanged: return ABRPLAY_EVENT_CDN_CHANGED;
    case K::kPreloadReady: return ABRPLAY_EVENT_PRELOAD_READY;
    case K::kPreloadFailed: return ABRPLAY_EVENT_PRELOAD_FAILED;
    case K::kPreloadDiscarded: return ABRPLAY_EVENT_PRELOAD_DISCARDED;
  }
  return ABRPLAY_EVENT_NONE;
}

}  // namespace

struct abrplay_handle final : abrplay::PlayerListener {
  explicit abrplay_handle(const abrplay::PlayerConfig& config) : player(with_callbacks(config)) {
    player.set_listener(this);
  }
  ~abrplay_handle() override { player.set_listener(nullptr); }
  abrplay_handle(const abrplay_handle&) = delete;
  abrplay_handle& operator=(const abrplay_handle&) = delete;

  void on_event(const abrplay::PlayerEvent& e) override {
    void (*cb)(void*) = nullptr;
    void* data = nullptr;
    {
      std::lock_guard lock(mu);
      if (queue.size() >= kMaxQueuedEvents) {
        queue.pop_front();
        ++dropped;
      }
      const bool was_empty = queue.empty();
      queue.push_back(e);
      if (was_empty) {
        cb = wakeup_cb;
        data = wakeup_data;
      }
    }
    cv.notify_all();
    if (cb) cb(data);
  }

  // The config with the handle's frame and cue hooks (presentation thread).
  abrplay::PlayerConfig with_callbacks(abrplay::PlayerConfig config) {
    if (config.sinks.kind == abrplay::SinkKind::kFrameCallback) {
      config.sinks.on_frame = [this](const abrplay::media::VideoFrame& f) { on_frame(f); };
    }
    config.sinks.on_cue = [this](const abrplay::media::TextCue& c) { on_cue(c); };
    return config;
  }

  void on_frame(const abrplay::media::VideoFrame& f) {
    std::lock_guard lock(cb_mu);
    if (!frame_cb) return;
    abrplay_frame frame{};
    frame.width = f.width;
    frame.height = f.height;
    frame.pts_us = f.pts.count();
    frame.duration_us = f.duration.count();
    for (std::size_t i = 0; i < 3; ++i) {
      frame.planes[i] = f.planes[i];
      frame.strides[i] = f.strides[i];
    }
    frame.representation_id = f.representation_id.c_str();
    frame_cb(frame_data, &frame);
  }

  void on_cue(const abrplay::media::TextCue& c) {
    std::lock_guard lock(cb_mu);
    if (!cue_cb) return;
    const abrplay_cue cue{c.start.count(), c.end.count(), c.text.c_str()};
    cue_cb(cue_data, &cue);
  }

  std::mutex cb_mu;                           // held while a frame or cue callback runs
  abrplay_frame_callback frame_cb = nullptr;  // guarded by cb_mu
  void* frame_data = nullptr;                 // guarded by cb_mu
  abrplay_cue_callback cue_cb = nullptr;      // guarded by cb_mu
  void* cue_data = nullptr;                   // guarded by cb_mu
  std::mutex mu;
  std::condition_variable cv;
  std::deque<abrplay::PlayerEvent> queue;  // guarded by mu
  std::uint64_t dropped = 0;               // guarded by mu
  std::uint64_t wakeups = 0;               // guarded by mu
  void (*wakeup_cb)(void*) = nullptr;      // guarded by mu
  void* wakeup_data = nullptr;             // guarded by mu
  abrplay::PlayerEvent current;            // the event handed out last (its strings)
  std::string current_message;
  abrplay::Player player;  // last: destroyed first (no callback after it)
};

// Every entry point runs its body through guard(): an exception (std::bad_alloc, or anything the
// C++ API throws) never crosses into C; it becomes the entry point's error return.
template <typename R, typename F>
R guard(R fallback, F&& body) noexcept {
  try {
    return body();
  } catch (...) {
    return fallback;
  }
}

template <typename F>
void guard_void(F&& body) noexcept {
  try {
    body();
  } catch (...) {
  }
}

extern "C" {

const char* abrplay_error_string(int error) {
  return guard<const char*>("unknown", [&]() -> const char* {
    if (error == ABRPLAY_OK) return "ok";
    if (error == ABRPLAY_ERROR_TIMEOUT) return "timeout";
    const auto name = abrplay::to_string(static_cast<abrplay::ErrorCode>(-error));
    // to_string returns static text (a string_view of a literal, NUL-terminated).
    return name.empty() ? "unknown" : name.data();
  });
}

const char* abrplay_state_string(abrplay_state state) {
  return guard<const char*>("unknown", [&]() -> const char* {
    return abrplay::to_string(static_cast<abrplay::PlayerState>(static_cast<int>(state))).data();
  });
}

abrplay_config* abrplay_config_create(void) {
  return guard<abrplay_config*>(nullptr, [&]() -> abrplay_config* {
    return new abrplay_config();  // bad_alloc: guard() returns NULL
  });
}

void abrplay_config_destroy(abrplay_config* config) {
  guard_void([&] { delete config; });
}

int abrplay_config_set_string(abrplay_config* config, const char* key, const char* value) {
  return guard<int>(ABRPLAY_ERROR_INTERNAL, [&]() -> int {
    if (!config || !key || !value) return ABRPLAY_ERROR_INVALID_ARGUMENT;
    auto& c = config->config;
    const std::string k = key;
    const std::string v = value;
    if (k == "abr") {
      c.abr = v;
    } else if (k == "sinks") {
      if (v == "null-realtime") c.sinks.kind = abrplay::SinkKind::kNullRealTime;
      else if (v == "null-max-speed") c.sinks.kind = abrplay::SinkKind::kNullMaxSpeed;
      else if (v == "frame-callback" || v == "frame-callback-max-speed")
        c.sinks.kind = abrplay::SinkKind::kFrameCallback;
      else return ABRPLAY_ERROR_INVALID_ARGUMENT;
      c.sinks.max_speed = v == "frame-callback-max-speed";
    } else if (k == "telemetry-url") {
      c.telemetry_url = v;
    } else if (k == "audio-language") {
      c.preferred_audio_languages.push_back(v);
    } else if (k == "text-language") {
      c.preferred_text_languages.push_back(v);
    } else if (k == "content-id") {
      c.content_id = v;
    } else if (k == "cache-dir") {
      c.cache.disk_dir = v;
    } else {
      return ABRPLAY_ERROR_INVALID_ARGUMENT;
    }
    return ABRPLAY_OK;
  });
}

int abrplay_config_set_int(abrplay_config* config, const char* key, int64_t value) {
  return guard<int>(ABRPLAY_ERROR_INTERNAL, [&]() -> int {
    if (!config || !key || value < 0) return ABRPLAY_ERROR_INVALID_ARGUMENT;
    auto& c = config->config;
    const std::string k = key;
    const std::chrono::milliseconds ms{value};
    if (k == "max-width") c.max_width = static_cast<std::uint32_t>(value);
    else if (k == "max-height") c.max_height = static_cast<std::uint32_t>(value);
    else if (k == "min-buffer-ms") c.min_buffer = ms;
    else if (k == "max-buffer-ms") c.max_buffer = ms;
    else if (k == "startup-buffer-ms") c.startup_buffer = ms;
    else if (k == "rebuffer-buffer-ms") c.rebuffer_buffer = ms;
    else if (k == "telemetry-interval-ms" && value > 0) c.telemetry_interval = ms;
    else if (k == "play-when-ready" && value <= 1) c.play_when_ready = value == 1;
    else if (k == "cache" && value <= 1) c.cache.enabled = value == 1;
    else if (k == "cache-live" && value <= 1) c.cache.live = value == 1;
    else if (k == "cache-memory-bytes") c.cache.memory_bytes = static_cast<std::uint64_t>(value);
    else if (k == "cache-disk-bytes") c.cache.disk_bytes = static_cast<std::uint64_t>(value);
    else if (k == "target-latency-ms" && value > 0) c.target_latency = ms;
    else if (k == "live-catchup" && value <= 1) c.live_catchup = value == 1;
    else return ABRPLAY_ERROR_INVALID_ARGUMENT;
    return ABRPLAY_OK;
  });
}

abrplay_handle* abrplay_create(const abrplay_config* config) {
  return guard<abrplay_handle*>(nullptr, [&]() -> abrplay_handle* {
    return new abrplay_handle(config ? config->config : abrplay::PlayerConfig{});
  });
}

void abrplay_destroy(abrplay_handle* handle) {
  guard_void([&] { delete handle; });
}

int abrplay_load(abrplay_handle* handle, const char* url) {
  return guard<int>(ABRPLAY_ERROR_INTERNAL, [&]() -> int {
    if (!handle || !url) return ABRPLAY_ERROR_INVALID_ARGUMENT;
    return to_c(handle->player.load(url));
  });
}

int abrplay_preload(abrplay_handle* handle, const char* url, uint64_t byte_budget, int64_t expiry_ms) {
  return guard<int>(ABRPLAY_ERROR_INTERNAL, [&]() -> int {
    if (!handle || !url || expiry_ms < 0) return ABRPLAY_ERROR_INVALID_ARGUMENT;
    abrplay::PreloadOptions options;
    if (byte_budget > 0) options.byte_budget = byte_budget;
    if (expiry_ms > 0) options.expiry = std::chrono::milliseconds(expiry_ms);
    return to_c(handle->player.preload(url, options));
  });
}

int abrplay_cancel_preload(abrplay_handle* handle, const char* url) {
  return guard<int>(ABRPLAY_ERROR_INTERNAL, [&]() -> int {
    if (!handle || !url) return ABRPLAY_ERROR_INVALID_ARGUMENT;
    handle->player.cancel_preload(url);
    return ABRPLAY_OK;
  });
}

int abrplay_load_playback(abrplay_handle* handle, const char* api_url, const char* token, const char* content) {
  return guard<int>(ABRPLAY_ERROR_INTERNAL, [&]() -> int {
    if (!handle || !api_url) return ABRPLAY_ERROR_INVALID_ARGUMENT;
    abrplay::PlaybackRequest request;
    request.api_url = api_url;
    if (token) request.token = token;
    if (content) request.content = content;
    return to_c(handle->player.load(std::move(request)));
  });
}

int abrplay_play(abrplay_handle* handle) {
  return guard<int>(ABRPLAY_ERROR_INTERNAL, [&]() -> int {
    if (!handle) return ABRPLAY_ERROR_INVALID_ARGUMENT;
    handle->player.play();
    return ABRPLAY_OK;
  });
}

int abrplay_pause(abrplay_handle* handle) {
  return guard<int>(ABRPLAY_ERROR_INTERNAL, [&]() -> int {
    if (!handle) return ABRPLAY_ERROR_INVALID_ARGUMENT;
    handle->player.pause();
    return ABRPLAY_OK;
  });
}

int abrplay_seek(abrplay_handle* handle, int64_t position_us) {
  return guard<int>(ABRPLAY_ERROR_INTERNAL, [&]() -> int {
    if (!handle) return ABRPLAY_ERROR_INVALID_ARGUMENT;
    return to_c(handle->player.seek(std::chrono::microseconds{position_us}));
  });
}

int abrplay_stop(abrplay_handle* handle) {
  return guard<int>(ABRPLAY_ERROR_INTERNAL, [&]() -> int {
    if (!handle) return ABRPLAY_ERROR_INVALID_ARGUMENT;
    handle->player.stop();
    return ABRPLAY_OK;
  });
}

int abrplay_set_abr(abrplay_handle* handle, const char* name) {
  return guard<int>(ABRPLAY_ERROR_INTERNAL, [&]() -> int {
    if (!handle || !name) return ABRPLAY_ERROR_INVALID_ARGUMENT;
    return to_c(handle->player.set_abr(name));
  });
}

int abrplay_pin_representation(abrplay_handle* handle, int index) {
  return guard<int>(ABRPLAY_ERROR_INTERNAL, [&]() -> int {
    if (!handle || index < 0) return ABRPLAY_ERROR_INVALID_ARGUMENT;
    handle->player.pin_representation(static_cast<std::size_t>(index));
    return ABRPLAY_OK;
  });
}

int abrplay_set_volume(abrplay_handle* handle, double volume) {
  return guard<int>(ABRPLAY_ERROR_INTERNAL, [&]() -> int {
    if (!handle || !(volume >= 0.0 && volume <= 1.0)) return ABRPLAY_ERROR_INVALID_ARGUMENT;
    handle->player.set_volume(static_cast<float>(volume));
    return ABRPLAY_OK;
  });
}

int abrplay_set_playback_rate(abrplay_handle* handle, double rate) {
  return guard<int>(ABRPLAY_ERROR_INTERNAL, [&]() -> int {
    if (!handle) return ABRPLAY_ERROR_INVALID_ARGUMENT;
    return to_c(handle->player.set_playback_rate(rate));
  });
}

int abrplay_select_audio_language(abrplay_handle* handle, const char* language) {
  return guard<int>(ABRPLAY_ERROR_INTERNAL, [&]() -> int {
    if (!handle || !language || !*language) return ABRPLAY_ERROR_INVALID_ARGUMENT;
    return to_c(handle->player.select_audio_language(language));
  });
}

int abrplay_select_text_language(abrplay_handle* handle, const char* language) {
  return guard<int>(ABRPLAY_ERROR_INTERNAL, [&]() -> int {
    if (!handle || !language) return ABRPLAY_ERROR_INVALID_ARGUMENT;
    return to_c(handle->player.select_text_language(language));
  });
}

int abrplay_thumbnail_at(abrplay_handle* handle, int64_t time_us, abrplay_thumbnail_callback callback, void* data) {
  return guard<int>(ABRPLAY_ERROR_INTERNAL, [&]() -> int {
    if (!handle || !callback) return ABRPLAY_ERROR_INVALID_ARGUMENT;
    handle->player.thumbnail_at(std::chrono::microseconds{time_us}, [callback, data](abrplay::ThumbnailResult r) {
      guard_void([&] {
        abrplay_thumbnail t{};
        t.message = "";
        std::string message;
        if (!r) {
          t.error = -static_cast<int>(r.error().code);
          message = r.error().describe();
          t.message = message.c_str();
        } else {
          const abrplay::Thumbnail& th = *r;
          t.image.width = th.image.width;
          t.image.height = th.image.height;
          t.image.pts_us = th.start.count();
          t.image.duration_us = th.duration.count();
          for (std::size_t i = 0; i < 3; ++i) {
            t.image.planes[i] = th.image.planes[i];
            t.image.strides[i] = th.image.strides[i];
          }
          t.image.representation_id = th.representation_id.c_str();
          t.tile_x = th.tile_x;
          t.tile_y = th.tile_y;
          t.tile_width = th.tile_width;
          t.tile_height = th.tile_height;
          t.start_us = th.start.count();
          t.duration_us = th.duration.count();
        }
        callback(data, &t);
      });
    });
    return ABRPLAY_OK;
  });
}

abrplay_state abrplay_get_state(abrplay_handle* handle) {
  return guard<abrplay_state>(ABRPLAY_STATE_ERROR, [&]() -> abrplay_state {
    return handle ? to_c(handle->player.state()) : ABRPLAY_STATE_ERROR;
  });
}

int64_t abrplay_get_position_us(abrplay_handle* handle) {
  return guard<int64_t>(int64_t{0}, [&]() -> int64_t {
    return handle ? static_cast<int64_t>(handle->player.position().count()) : 0;
  });
}

int abrplay_get_stats(abrplay_handle* handle, abrplay_stats* out) {
  return guard<int>(ABRPLAY_ERROR_INTERNAL, [&]() -> int {
    if (!handle || !out) return ABRPLAY_ERROR_INVALID_ARGUMENT;
    const abrplay::PlayerStats s = handle->player.stats();
    *out = abrplay_stats{};
    out->state = to_c(s.state);
    out->position_us = s.position.count();
    out->video_buffer_us = s.video_buffer.count();
    out->audio_buffer_us = s.audio_buffer.count();
    out->video_bitrate_bps = s.video_bitrate_bps;
    out->video_width = s.video_width;
    out->video_height = s.video_height;
    out->throughput_kbps = s.throughput_kbps.value_or(-1.0);
    out->startup_time_us = s.startup_time ? s.startup_time->count() : -1;
    out->first_frame_time_us = s.first_frame_time ? s.first_frame_time->count() : -1;
    out->press_to_first_frame_us = s.press_to_first_frame ? s.press_to_first_frame->count() : -1;
    out->preload_responses_used = s.preload_responses_used;
    out->stalls = s.stalls;
    out->switches = s.switches;
    out->stall_time_us = s.stall_time.count();
    out->frames_presented = s.frames_presented;
    out->frames_dropped = s.frames_dropped;
    out->segments_downloaded = s.segments_downloaded;
    out->cache_hits = s.cache_hits;
    out->cache_revalidations = s.cache_revalidations;
    out->cache_misses = s.cache_misses;
    out->cache_bytes = s.cache_bytes;
    out->live_latency_us = s.live_latency ? s.live_latency->count() : -1;
    out->playback_rate = s.playback_rate;
    return ABRPLAY_OK;
  });
}

int abrplay_wait_event(abrplay_handle* handle, double timeout, abrplay_event* out) {
  return guard<int>(ABRPLAY_ERROR_INTERNAL, [&]() -> int {
    if (!handle || !out) return ABRPLAY_ERROR_INVALID_ARGUMENT;
    std::unique_lock lock(handle->mu);
    const std::uint64_t wakeups = handle->wakeups;
    auto ready = [&] { return !handle->queue.empty() || handle->dropped > 0 || handle->wakeups != wakeups; };
    if (timeout < 0) {
      handle->cv.wait(lock, ready);
    } else if (timeout > 0) {
      handle->cv.wait_for(lock, std::chrono::duration<double>(timeout), ready);
    }
    *out = abrplay_event{};
    out->message = out->track = out->representation_id = "";
    if (handle->dropped > 0) {
      handle->current = {};
      handle->current_message = std::to_string(handle->dropped) + " events dropped (queue full)";
      handle->dropped = 0;
      out->type = ABRPLAY_EVENT_WARNING;
      out->error = ABRPLAY_ERROR_INVALID_STATE;
      out->message = handle->current_message.c_str();
      return ABRPLAY_OK;
    }
    if (handle->queue.empty()) return ABRPLAY_ERROR_TIMEOUT;
    handle->current = std::move(handle->queue.front());
    handle->queue.pop_front();
    const abrplay::PlayerEvent& e = handle->current;
    handle->current_message = e.error.code == abrplay::ErrorCode::kOk ? std::string() : e.error.describe();
    if (e.kind == abrplay::PlayerEvent::Kind::kCdnChanged) handle->current_message = e.cdn + " (" + e.reason + ")";
    const bool preload = e.kind == abrplay::PlayerEvent::Kind::kPreloadReady ||
                         e.kind == abrplay::PlayerEvent::Kind::kPreloadFailed ||
                         e.kind == abrplay::PlayerEvent::Kind::kPreloadDiscarded;
    if (preload)
      handle->current_message = e.url + (handle->current_message.empty() ? "" : ": " + handle->current_message);
    out->type = to_c(e.kind);
    out->state = to_c(e.state);
    out->previous_state = to_c(e.previous_state);
    out->position_us = e.position.count();
    out->error = to_c(e.error);
    out->message = handle->current_message.c_str();
    out->track = e.track.c_str();
    out->representation_id = e.representation_id.c_str();
    out->bandwidth_bps = preload ? e.bytes : e.bandwidth_bps;
    return ABRPLAY_OK;
  });
}

void abrplay_wakeup(abrplay_handle* handle) {
  guard_void([&] {
    if (!handle) return;
    {
      std::lock_guard lock(handle->mu);
      ++handle->wakeups;
    }
    handle->cv.notify_all();
  });
}

void abrplay_set_wakeup_callback(abrplay_handle* handle, void (*callback)(void* data), void* data) {
  guard_void([&] {
    if (!handle) return;
    std::lock_guard lock(handle->mu);
    handle->wakeup_cb = callback;
    handle->wakeup_data = data;
  });
}

void abrplay_set_frame_callback(abrplay_handle* handle, abrplay_frame_callback callback, void* data) {
  guard_void([&] {
    if (!handle) return;
    std::lock_guard lock(handle->cb_mu);
    handle->frame_cb = callback;
    handle->frame_data = data;
  });
}

void abrplay_set_cue_callback(abrplay_handle* handle, abrplay_cue_callback callback, void* data) {
  guard_void([&] {
    if (!handle) return;
    std::lock_guard lock(handle->cb_mu);
    handle->cue_cb = callback;
    handle->cue_data = data;
  });
}

}  // extern "C"
