/* abrplay-c-example: plays an MPEG-DASH URL headless through the C API and prints its events.
 *
 *   abrplay-c-example URL [--max-speed] [--abr NAME] [--telemetry URL] [--frames] [--subtitles LANG]
 *
 * --frames: every decoded frame goes to a frame callback (which counts them and prints the first
 * one's size); --subtitles LANG: loads subtitles in LANG and prints each cue from the cue callback.
 * Both callbacks run on the player's presentation thread, not on main().
 *
 * Exit status: 0 when playback reached the end, 1 on a playback error, 2 for a bad command line. */
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "abrplay/abrplay.h"

/* The wakeup callback must do no work: it only notes that events are waiting. A GUI application
 * would post a message to its own loop here and drain the queue there with timeout 0. */
static atomic_int wakeups;
static void on_wakeup(void* data) {
  (void)data;
  atomic_fetch_add(&wakeups, 1);
}

/* The frame callback (presentation thread): the planes are valid only during the call. A real
 * application would copy them into its own texture here. Only main() reads the counters, after
 * abrplay_destroy() joined the presentation thread. */
struct frame_counter {
  uint64_t frames;
  int width, height;
  int64_t last_pts_us;
};
static void on_frame(void* data, const abrplay_frame* frame) {
  struct frame_counter* c = data;
  if (c->frames == 0) {
    c->width = frame->width;
    c->height = frame->height;
  }
  ++c->frames;
  c->last_pts_us = frame->pts_us;
}

/* The cue callback (presentation thread): the text is valid only during the call. */
static void on_cue(void* data, const abrplay_cue* cue) {
  (void)data;
  printf("cue %.3f-%.3f s: %s\n", (double)cue->start_us / 1e6, (double)cue->end_us / 1e6, cue->text);
}

int main(int argc, char** argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s URL [--max-speed] [--abr NAME] [--telemetry URL] [--frames] [--subtitles LANG]\n",
            argv[0]);
    return 2;
  }
  abrplay_config* config = abrplay_config_create();
  int max_speed = 0;
  int frames = 0;
  for (int i = 2; i < argc; ++i) {
    int rc = ABRPLAY_OK;
    if (strcmp(argv[i], "--max-speed") == 0) {
      max_speed = 1;
    } else if (strcmp(argv[i], "--frames") == 0) {
      frames = 1;
    } else if (strcmp(argv[i], "--subtitles") == 0 && i + 1 < argc) {
      rc = abrplay_config_set_string(config, "text-language", argv[++i]);
    } else if (strcmp(argv[i], "--abr") == 0 && i + 1 < argc) {
      rc = abrplay_config_set_string(config, "abr", argv[++i]);
    } else if (strcmp(argv[i], "--telemetry") == 0 && i + 1 < argc) {
      rc = abrplay_config_set_string(config, "telemetry-url", argv[++i]);
    } else {
      rc = ABRPLAY_ERROR_INVALID_ARGUMENT;
    }
    if (rc != ABRPLAY_OK) {
      fprintf(stderr, "abrplay-c-example: %s: %s\n", argv[i], abrplay_error_string(rc));
      abrplay_config_destroy(config);
      return 2;
    }
  }
  const char* sinks = frames ? (max_speed ? "frame-callback-max-speed" : "frame-callback")
                             : (max_speed ? "null-max-speed" : "null-realtime");
  abrplay_config_set_string(config, "sinks", sinks);
  abrplay_handle* player = abrplay_create(config);
  abrplay_config_destroy(config);
  if (!player) return 1;
  abrplay_set_wakeup_callback(player, on_wakeup, NULL);
  struct frame_counter counter = {0, 0, 0, -1};
  abrplay_set_frame_callback(player, on_frame, &counter);
  abrplay_set_cue_callback(player, on_cue, NULL);

  int rc = abrplay_load(player, argv[1]);
  int status = 1;
  while (rc == ABRPLAY_OK) {
    abrplay_event ev;
    if (abrplay_wait_event(player, 30.0, &ev) == ABRPLAY_ERROR_TIMEOUT) {
      fprintf(stderr, "abrplay-c-example: no event for 30 s\n");
      break;
    }
    if (ev.type == ABRPLAY_EVENT_STATE_CHANGED) {
      printf("state %s -> %s at %.3f s\n", abrplay_state_string(ev.previous_state), abrplay_state_string(ev.state),
             (double)ev.position_us / 1e6);
    } else if (ev.type == ABRPLAY_EVENT_REPRESENTATION_CHANGED) {
      printf("%s representation %s (%llu bit/s)\n", ev.track, ev.representation_id,
             (unsigned long long)ev.bandwidth_bps);
    } else if (ev.type == ABRPLAY_EVENT_WARNING) {
      printf("warning %d %s: %s\n", ev.error, abrplay_error_string(ev.error), ev.message);
    } else if (ev.type == ABRPLAY_EVENT_ERROR) {
      printf("error %d %s: %s\n", ev.error, abrplay_error_string(ev.error), ev.message);
      break;
    } else if (ev.type == ABRPLAY_EVENT_ENDED) {
      status = 0;
      break;
    }
  }
  if (rc != ABRPLAY_OK) fprintf(stderr, "abrplay-c-example: load: %s\n", abrplay_error_string(rc));

  abrplay_stats stats;
  if (abrplay_get_stats(player, &stats) == ABRPLAY_OK) {
    printf("summary: position %.3f s, startup %.3f s, frames %llu (dropped %llu), switches %d, stalls %d\n",
           (double)stats.position_us / 1e6, (double)stats.startup_time_us / 1e6,
           (unsigned long long)stats.frames_presented, (unsigned long long)stats.frames_dropped, stats.switches,
           stats.stalls);
  }
  abrplay_destroy(player);
  if (frames) {
    printf("frames %llu (first %dx%d, last pts %.3f s)\n", (unsigned long long)counter.frames, counter.width,
           counter.height, (double)counter.last_pts_us / 1e6);
  }
  printf("wakeups %d\n", atomic_load(&wakeups));
  return status;
}
