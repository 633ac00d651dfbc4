/* abrplay/abrplay.h: the C API. A thin layer over abrplay::Player (abrplay/player.h).
 *
 *   abrplay_config* cfg = abrplay_config_create();
 *   abrplay_config_set_string(cfg, "sinks", "null-max-speed");
 *   abrplay_handle* p = abrplay_create(cfg);
 *   abrplay_config_destroy(cfg);
 *   abrplay_load(p, "http://127.0.0.1:8080/number/manifest.mpd");
 *   for (;;) {
 *     abrplay_event ev;
 *     if (abrplay_wait_event(p, 1.0, &ev) == 0 && ev.type == ABRPLAY_EVENT_ENDED) break;
 *   }
 *   abrplay_destroy(p);
 *
 * Model: libmpv's client API. Events are queued inside the handle; abrplay_wait_event() takes the
 * next one, waiting at most `timeout` seconds. An application with its own event loop sets a wakeup
 * callback (abrplay_set_wakeup_callback) and then drains the queue with timeout 0 on its own thread.
 *
 * Threads: every function may be called from any thread, except that abrplay_destroy() must not
 * run concurrently with another call on the same handle, nor from a callback. The frame and cue
 * callbacks run on the presentation thread (see abrplay_set_frame_callback). The wakeup callback is called on a player
 * thread and MUST NOT do any work and MUST NOT call any abrplay function: it should only signal the
 * application's own loop (write to a pipe, post a message). Commands never block; the state
 * (abrplay_get_state) reflects each command at once.
 *
 * Errors: functions return 0 on success or a negative error code: -(abrplay::ErrorCode), e.g.
 * -1001 invalid argument, -1002 invalid state, -2003 HTTP status, -3001 malformed XML.
 * abrplay_error_string() names a code; event messages are owned by the handle and valid until the
 * next abrplay_wait_event() call on it. No C++ exception ever leaves a function of this API: one
 * thrown inside (out of memory, say) becomes ABRPLAY_ERROR_INTERNAL (-1004), a NULL handle or
 * config from the create functions, ABRPLAY_STATE_ERROR, or "unknown".
 */
#ifndef ABRPLAY_ABRPLAY_H
#define ABRPLAY_ABRPLAY_H

#include <stdint.h>

#if defined(_WIN32)
#define ABRPLAY_EXPORT __declspec(dllexport)
#elif defined(__GNUC__)
#define ABRPLAY_EXPORT __attribute__((visibility("default")))
#else
#define ABRPLAY_EXPORT
#endif

#ifdef __cplusplus
extern "C" {
#endif

typedef struct abrplay_handle abrplay_handle;
typedef struct abrplay_config abrplay_config;

/* Error codes (negated abrplay::ErrorCode); any other negative value is a code of error.h, negated. */
enum {
  ABRPLAY_OK = 0,
  ABRPLAY_ERROR_INVALID_ARGUMENT = -1001,
  ABRPLAY_ERROR_INVALID_STATE = -1002,
  ABRPLAY_ERROR_UNSUPPORTED = -1003,
  ABRPLAY_ERROR_INTERNAL = -1004,
  ABRPLAY_ERROR_NETWORK_IO = -2001,
  ABRPLAY_ERROR_NETWORK_TIMEOUT = -2002,
  ABRPLAY_ERROR_NETWORK_HTTP_STATUS = -2003,
  ABRPLAY_ERROR_NETWORK_TOO_LARGE = -2004,
  ABRPLAY_ERROR_NETWORK_CANCELLED = -2005,
  ABRPLAY_ERROR_NETWORK_BAD_URL = -2006,
  ABRPLAY_ERROR_NETWORK_FILE = -2009,  /* a file:// URL names no readable file */
  ABRPLAY_ERROR_NETWORK_CACHE = -2010, /* warnings: the cache directory or an entry in it failed */
  ABRPLAY_ERROR_MANIFEST_MALFORMED_XML = -3001,
  ABRPLAY_ERROR_MANIFEST_NO_PLAYABLE_CONTENT = -3007,
  ABRPLAY_ERROR_MEDIA_DECODE = -4002,
  ABRPLAY_ERROR_TIMEOUT = -1 /* abrplay_wait_event: nothing arrived within the timeout */
};

typedef enum abrplay_state {
  ABRPLAY_STATE_IDLE,
  ABRPLAY_STATE_LOADING,
  ABRPLAY_STATE_BUFFERING,
  ABRPLAY_STATE_PLAYING,
  ABRPLAY_STATE_PAUSED,
  ABRPLAY_STATE_SEEKING,
  ABRPLAY_STATE_ENDED,
  ABRPLAY_STATE_ERROR
} abrplay_state;

typedef enum abrplay_event_type {
  ABRPLAY_EVENT_NONE,
  ABRPLAY_EVENT_STATE_CHANGED,          /* state, previous_state, position_us */
  ABRPLAY_EVENT_REPRESENTATION_CHANGED, /* track, representation_id, bandwidth_bps */
  ABRPLAY_EVENT_ERROR,                  /* error (negative), message */
  ABRPLAY_EVENT_WARNING,                /* error (negative), message */
  ABRPLAY_EVENT_ENDED,
  ABRPLAY_EVENT_TELEMETRY_SENT, /* error 0 when the final report was delivered */
  ABRPLAY_EVENT_CDN_CHANGED,    /* message: "<base URL> (<reason>: <why>)" */
  /* abrplay_preload (abrplay::PlayerEvent::Kind::kPreload*): message is the title's URL (FAILED:
   * then ": " and the error, also in `error`), bandwidth_bps the body bytes kept. */
  ABRPLAY_EVENT_PRELOAD_READY,
  ABRPLAY_EVENT_PRELOAD_FAILED,
  ABRPLAY_EVENT_PRELOAD_DISCARDED
} abrplay_event_type;

typedef struct abrplay_event {
  abrplay_event_type type;
  abrplay_state state;
  abrplay_state previous_state;
  int64_t position_us;
  int error;                     /* 0 or a negative code */
  const char* message;           /* never NULL; "" when none */
  const char* track;             /* "video", "audio" or "" */
  const char* representation_id; /* never NULL */
  uint64_t bandwidth_bps;
} abrplay_event;

typedef struct abrplay_stats {
  abrplay_state state;
  int64_t position_us;
  int64_t video_buffer_us, audio_buffer_us;
  uint64_t video_bitrate_bps; /* the video rendition on screen */
  int video_width, video_height;
  double throughput_kbps;  /* < 0 when unknown */
  int64_t startup_time_us; /* < 0 before the first playing state */
  int stalls, switches;
  int64_t stall_time_us;
  uint64_t frames_presented, frames_dropped, segments_downloaded;
  int64_t first_frame_time_us;     /* < 0 before the first video frame presented */
  int64_t live_latency_us;         /* behind the live edge; < 0 unless live with a target latency */
  int64_t press_to_first_frame_us; /* the press (load, or play) to the first frame; < 0 before it */
  uint64_t preload_responses_used; /* requests of this session answered from a preload */
  /* The HTTP cache since the last load: hits, 304 revalidations, misses, body bytes it served. */
  uint64_t cache_hits, cache_revalidations, cache_misses, cache_bytes;
  double playback_rate; /* abrplay_set_playback_rate, once applied (1.0 by default) */
} abrplay_stats;

ABRPLAY_EXPORT const char* abrplay_error_string(int error);
ABRPLAY_EXPORT const char* abrplay_state_string(abrplay_state state);

/* One decoded picture, handed to the frame callback: I420 (planes Y, U, V; U and V are half the
 * width and height, rounded up), 8 bits per sample. The pointers and representation_id are valid
 * only during the call: copy what you need. */
typedef struct abrplay_frame {
  int width, height;
  int64_t pts_us;      /* presentation time on the MPD timeline */
  int64_t duration_us; /* until the next frame; 0 when unknown */
  const uint8_t* planes[3];
  int strides[3]; /* bytes per row of each plane */
  const char* representation_id;
} abrplay_frame;

/* One subtitle cue when it becomes due (WebVTT or TTML, in files or fMP4): plain text with tags and
 * styling removed, lines joined by '\n', UTF-8.
 * text is valid only during the call. */
typedef struct abrplay_cue {
  int64_t start_us, end_us;
  const char* text;
} abrplay_cue;

typedef void (*abrplay_frame_callback)(void* data, const abrplay_frame* frame);
typedef void (*abrplay_cue_callback)(void* data, const abrplay_cue* cue);

/* Configuration. Keys (string): "abr" (name or "fixed:N"), "sinks" ("null-realtime",
 * "null-max-speed", "frame-callback": every presented frame goes to the frame callback at the
 * wall clock's pace, "frame-callback-max-speed": every frame as soon as decoded, none dropped),
 * "telemetry-url", "audio-language" and "text-language" (each appends a preference; subtitles
 * are loaded only when a text language is set), "content-id", "cache-dir" (the HTTP cache on disk
 * too, in this directory).
 * Keys (int64): "max-width", "max-height", "min-buffer-ms", "max-buffer-ms", "startup-buffer-ms",
 * "rebuffer-buffer-ms", "telemetry-interval-ms", "play-when-ready" (0/1), "target-latency-ms" (live:
 * the latency to hold behind the live edge), "live-catchup" (0/1: play faster or slower to hold it),
 * "cache" (0/1, the HTTP cache; 1 by default), "cache-live" (0/1, also for live presentations),
 * "cache-memory-bytes", "cache-disk-bytes".
 * Unknown keys or bad values: ABRPLAY_ERROR_INVALID_ARGUMENT. */
ABRPLAY_EXPORT abrplay_config* abrplay_config_create(void);
ABRPLAY_EXPORT void abrplay_config_destroy(abrplay_config* config);
ABRPLAY_EXPORT int abrplay_config_set_string(abrplay_config* config, const char* key, const char* value);
ABRPLAY_EXPORT int abrplay_config_set_int(abrplay_config* config, const char* key, int64_t value);

/* NULL config: defaults (headless, real time). Returns NULL only when out of memory. */
ABRPLAY_EXPORT abrplay_handle* abrplay_create(const abrplay_config* config);
/* Stops playback, sends the final telemetry report (bounded), joins every thread. NULL is a no-op. */
ABRPLAY_EXPORT void abrplay_destroy(abrplay_handle* handle);

ABRPLAY_EXPORT int abrplay_load(abrplay_handle* handle, const char* url);
/* Asks a playback API (POST api_url, "Authorization: Bearer token") for the manifest of `content`
 * (NULL or "": the service chooses), then loads it; see abrplay::Player::load(PlaybackRequest). */
ABRPLAY_EXPORT int abrplay_load_playback(abrplay_handle* handle, const char* api_url, const char* token,
                                         const char* content);
/* Preloads `url` for an instant start (abrplay::Player::preload): at most `byte_budget` body bytes
 * (0: the default, 8 MiB), freed after `expiry_ms` unplayed (0: the default, 5 minutes). Ends with
 * ABRPLAY_EVENT_PRELOAD_READY or _FAILED; an unplayed one ends with _DISCARDED. */
ABRPLAY_EXPORT int abrplay_preload(abrplay_handle* handle, const char* url, uint64_t byte_budget, int64_t expiry_ms);
/* Frees the preload of `url` (ABRPLAY_EVENT_PRELOAD_DISCARDED); nothing when there is none. */
ABRPLAY_EXPORT int abrplay_cancel_preload(abrplay_handle* handle, const char* url);
ABRPLAY_EXPORT int abrplay_play(abrplay_handle* handle);
ABRPLAY_EXPORT int abrplay_pause(abrplay_handle* handle);
ABRPLAY_EXPORT int abrplay_seek(abrplay_handle* handle, int64_t position_us);
ABRPLAY_EXPORT int abrplay_stop(abrplay_handle* handle);
ABRPLAY_EXPORT int abrplay_set_abr(abrplay_handle* handle, const char* name);
ABRPLAY_EXPORT int abrplay_pin_representation(abrplay_handle* handle, int index);
ABRPLAY_EXPORT int abrplay_set_volume(abrplay_handle* handle, double volume);
/* Playback speed 0.5 .. 2.0 with the pitch kept (see abrplay::Player::set_playback_rate);
 * ABRPLAY_ERROR_INVALID_ARGUMENT outside (nothing changes then). */
ABRPLAY_EXPORT int abrplay_set_playback_rate(abrplay_handle* handle, double rate);
/* Switches audio to `language` in place (video goes on, no reload; see
 * abrplay::Player::select_audio_language). ABRPLAY_ERROR_INVALID_ARGUMENT for NULL, "" or a language
 * the loaded presentation does not offer (nothing changes then). */
ABRPLAY_EXPORT int abrplay_select_audio_language(abrplay_handle* handle, const char* language);
/* Subtitles in `language`, switched in place; "" turns them off. Cues reach the cue callback.
 * ABRPLAY_ERROR_INVALID_ARGUMENT for NULL or a language the presentation has no subtitles in. */
ABRPLAY_EXPORT int abrplay_select_text_language(abrplay_handle* handle, const char* language);

ABRPLAY_EXPORT abrplay_state abrplay_get_state(abrplay_handle* handle);
ABRPLAY_EXPORT int64_t abrplay_get_position_us(abrplay_handle* handle);
ABRPLAY_EXPORT int abrplay_get_stats(abrplay_handle* handle, abrplay_stats* out);

/* Takes the next event into *out: 0, or ABRPLAY_ERROR_TIMEOUT when none came within `timeout`
 * seconds (0: do not wait; negative: wait forever). At most 1000 events are kept; older ones are
 * dropped first (a warning event says how many). */
ABRPLAY_EXPORT int abrplay_wait_event(abrplay_handle* handle, double timeout, abrplay_event* out);
/* Interrupts an abrplay_wait_event() in progress (it returns ABRPLAY_ERROR_TIMEOUT). Any thread. */
ABRPLAY_EXPORT void abrplay_wakeup(abrplay_handle* handle);
/* Called (on a player thread) whenever the queue goes from empty to non-empty. NULL: none. */
ABRPLAY_EXPORT void abrplay_set_wakeup_callback(abrplay_handle* handle, void (*callback)(void* data), void* data);

/* Frame and cue callbacks (NULL: none). Both run on the presentation thread ("abrplay-present"),
 * one call at a time, in presentation order; the frame callback only with the "frame-callback"
 * sinks. Time spent in the frame callback is time the presentation waits (at real-time pace a slow
 * callback makes later frames late, and late frames are dropped): copy and return.
 * From inside a callback any abrplay_* function may be called (commands never block) EXCEPT
 * abrplay_destroy(), abrplay_set_frame_callback() and abrplay_set_cue_callback().
 * After abrplay_set_*_callback() returns, the previous callback is not running and is never called
 * again (a call in progress on the presentation thread is waited for). */
ABRPLAY_EXPORT void abrplay_set_frame_callback(abrplay_handle* handle, abrplay_frame_callback callback, void* data);
ABRPLAY_EXPORT void abrplay_set_cue_callback(abrplay_handle* handle, abrplay_cue_callback callback, void* data);

/* A thumbnail for a seek bar (see abrplay::Player::thumbnail_at): the grid image, I420 as in
 * abrplay_frame (pts_us = start_us), the tile standing for the time asked, and the media span it
 * stands for. On error only `error` (negative) and `message` are set. Pointers are valid only during
 * the callback: copy what you need. */
typedef struct abrplay_thumbnail {
  int error;           /* 0, or a negative code (see abrplay_thumbnail_at) */
  const char* message; /* never NULL; "" on success */
  abrplay_frame image;
  int tile_x, tile_y, tile_width, tile_height; /* pixels, inside image */
  int64_t start_us, duration_us;
} abrplay_thumbnail;

typedef void (*abrplay_thumbnail_callback)(void* data, const abrplay_thumbnail* thumbnail);

/* Asks for the thumbnail at `time_us` (MPD timeline); never blocks. The callback runs exactly once,
 * on a player thread, with the thumbnail or an error: ABRPLAY_ERROR_INVALID_STATE (nothing loaded),
 * ABRPLAY_ERROR_UNSUPPORTED (no usable thumbnail track), ABRPLAY_ERROR_INVALID_ARGUMENT (past the
 * last image), a network code (-2003 HTTP status, -2004 too large, -2005 cancelled by load, stop or
 * abrplay_destroy, or superseded by newer requests), ABRPLAY_ERROR_MEDIA_DECODE (not JPEG/PNG, corrupt, or beyond 16 Mpx). Inside it
 * any abrplay_* function may be called except abrplay_destroy(). Returns 0, or
 * ABRPLAY_ERROR_INVALID_ARGUMENT for a NULL handle or callback (then it is never called). */
ABRPLAY_EXPORT int abrplay_thumbnail_at(abrplay_handle* handle, int64_t time_us, abrplay_thumbnail_callback callback,
                                        void* data);

#ifdef __cplusplus
}
#endif

#endif /* ABRPLAY_ABRPLAY_H */
