// demo/bench/peers/page.js: the in-page half of the peer benchmark (see page.html).
// window.__bench holds everything drive.mjs collects:
//   t_load_ms      performance.now() when the player's load was called
//   ttff_ms        first 'playing' event minus t_load_ms
//   first_frame_ms first presented frame (requestVideoFrameCallback) minus t_load_ms
//   seconds_kbps   per played media second: @bandwidth (kbit/s) of the rendition on screen
//   stalls         [{at_s, dur_ms}]: the media clock did not advance for > 60 ms while not paused,
//                  after the first 'playing' (the startup is not a stall); buffered_ahead_s: media
//                  buffered ahead of the playhead when the stall was detected (underrun if ~0)
//   dropped_frames, total_frames (video.getVideoPlaybackQuality()), errors, played_s, done
//   live=1: played_s is wall time since the first 'playing' (the session ends after `seconds` of
//   it), latencies_s the player's own live latency (dash.js getCurrentLiveLatency, Shaka
//   getStats().liveLatency) every 250 ms while playing, and rates_playback the playback rate then
'use strict';
(function () {
  const q = new URLSearchParams(location.search);
  const playerName = q.get('player');
  const url = q.get('url');
  const seconds = parseFloat(q.get('seconds') || '60');
  const live = q.get('live') === '1';
  const ladder = JSON.parse(q.get('ladder') || '[]');  // [{bandwidth, height}] from the MPD
  const video = document.getElementById('v');
  const B = window.__bench = {
    player: playerName, version: null, t_load_ms: null, ttff_ms: null, first_frame_ms: null,
    seconds_kbps: [], seconds_height: [], stalls: [], stalled_now_ms: 0, dropped_frames: 0,
    total_frames: 0, errors: [], played_s: 0, done: false, ended: false, latencies_s: [], rates_playback: [],
  };
  let latencyOf = () => null;  // the player's live latency (s), set in start()
  const err = (m) => { B.errors.push(String(m).slice(0, 500)); };
  window.addEventListener('error', (e) => err('page: ' + e.message));
  window.addEventListener('unhandledrejection', (e) => err('page: ' + (e.reason && (e.reason.message || e.reason))));
  video.addEventListener('error', () => err('video: ' + (video.error ? video.error.code + ' ' + video.error.message : '?')));

  // The player's own idea of the active video representation's @bandwidth (bit/s), or null.
  let activeBandwidth = () => null;
  // Rendition on screen: the frame's height identifies the rung, except where two rungs share a
  // height (the ladder's two 1080p rungs, 2.85 and 4.3 Mbit/s). For those the tiebreak is the
  // player's own API: dash.js reports the *rendered* representation (QUALITY_CHANGE_RENDERED), Shaka
  // the *active* (downloading) variant. lastByHeight remembers the last bandwidth the player reported
  // at each height, so a buffered 1080p frame still shown after Shaka switched its downloads to
  // another height keeps the last 1080p rung it fetched. Without any report, the lower rung counts.
  const lastByHeight = {};
  function noteActive() {
    const bw = activeBandwidth();
    if (!bw) return;
    const rung = ladder.reduce((best, r) => (!best || Math.abs(r.bandwidth - bw) < Math.abs(best.bandwidth - bw)) ? r : best, null);
    if (rung) lastByHeight[rung.height] = rung.bandwidth;
  }
  function bandwidthForHeight(h) {
    const rungs = ladder.filter((r) => r.height === h);
    if (rungs.length === 1) return rungs[0].bandwidth;
    if (rungs.length > 1) return lastByHeight[h] || Math.min(...rungs.map((r) => r.bandwidth));
    // Not in the ladder (should not happen): the nearest height.
    const near = ladder.reduce((best, r) => (!best || Math.abs(r.height - h) < Math.abs(best.height - h)) ? r : best, null);
    return near ? near.bandwidth : 0;
  }

  function onFrame(now, meta) {
    if (B.first_frame_ms === null && B.t_load_ms !== null) B.first_frame_ms = performance.now() - B.t_load_ms;
    noteActive();
    const s = Math.floor(meta.mediaTime);
    if (s >= 0 && s < 100000) {
      B.seconds_kbps[s] = Math.round(bandwidthForHeight(meta.height) / 1000);
      B.seconds_height[s] = meta.height;
    }
    video.requestVideoFrameCallback(onFrame);
  }
  video.requestVideoFrameCallback(onFrame);

  // Stalls: poll the media clock every 10 ms.
  let started = false, lastT = -1, lastAdvance = 0, stallAhead = null;
  // Seconds of media buffered ahead of the playhead: tells an underrun (nothing to play) from a
  // decode/render hiccup (data there, the clock still stopped) in the raw results.
  function bufferedAhead() {
    const t = video.currentTime, b = video.buffered;
    for (let i = 0; i < b.length; i++) if (b.start(i) <= t + 0.05 && t < b.end(i)) return b.end(i) - t;
    return 0;
  }
  let playingSince = null;
  video.addEventListener('playing', () => {
    if (!started) {
      started = true;
      playingSince = performance.now();
      B.ttff_ms = performance.now() - B.t_load_ms;
      lastT = video.currentTime; lastAdvance = performance.now();
    }
  });
  video.addEventListener('ended', () => { B.ended = true; });
  setInterval(() => {
    if (B.done) return;
    const now = performance.now();
    const t = video.currentTime;
    B.played_s = live ? (playingSince === null ? 0 : (now - playingSince) / 1000) : t;
    if (started) {
      if (t !== lastT) {
        // A stall needs a tick that saw the clock stopped (stallAhead set): a late timer alone (the
        // clock ran meanwhile) is not one. Its duration: from the last tick that saw the clock move.
        if (stallAhead !== null && now - lastAdvance > 60) B.stalls.push({ at_s: lastT, dur_ms: now - lastAdvance, buffered_ahead_s: stallAhead });
        lastT = t; lastAdvance = now; B.stalled_now_ms = 0; stallAhead = null;
      } else if (video.paused || video.ended) {
        lastAdvance = now; B.stalled_now_ms = 0; stallAhead = null;
      } else {
        B.stalled_now_ms = now - lastAdvance > 60 ? now - lastAdvance : 0;
        if (stallAhead === null) stallAhead = bufferedAhead();
      }
    }
    const pq = video.getVideoPlaybackQuality();
    B.dropped_frames = pq.droppedVideoFrames; B.total_frames = pq.totalVideoFrames;
    if ((live ? B.played_s : t) >= seconds || B.ended) finish();
  }, 10);
  setInterval(() => {
    if (!live || B.done || !started || video.paused) return;
    const l = latencyOf();
    if (typeof l === 'number' && isFinite(l) && l >= 0) { B.latencies_s.push(l); B.rates_playback.push(video.playbackRate); }
  }, 250);

  function finish() {
    if (B.done) return;
    if (B.stalled_now_ms > 60) B.stalls.push({ at_s: lastT, dur_ms: B.stalled_now_ms, buffered_ahead_s: stallAhead, open: true });
    B.stalled_now_ms = 0;
    video.pause();
    if (!live) B.played_s = video.currentTime;
    B.done = true;
  }
  window.__benchFinish = finish;  // drive.mjs calls it on its timeout

  async function start() {
    video.muted = true;
    video.autoplay = true;
    if (playerName === 'dashjs') {
      const p = dashjs.MediaPlayer().create();
      B.version = p.getVersion ? p.getVersion() : null;
      p.on(dashjs.MediaPlayer.events.ERROR, (e) => err('dashjs: ' + JSON.stringify(e.error || e).slice(0, 300)));
      p.on(dashjs.MediaPlayer.events.QUALITY_CHANGE_RENDERED, (e) => {
        if (e.mediaType === 'video' && e.newRepresentation) renderedBw = e.newRepresentation.bandwidth;
      });
      let renderedBw = null;
      activeBandwidth = () => {
        if (renderedBw) return renderedBw;
        try { const r = p.getCurrentRepresentationForType('video'); return r ? r.bandwidth : null; } catch (e) { return null; }
      };
      latencyOf = () => p.getCurrentLiveLatency();
      // Live: catch-up on (the target comes from the MPD's ServiceDescription, as for abrplay).
      if (live) p.updateSettings({ streaming: { liveCatchup: { enabled: true } } });
      window.__player = p;
      B.t_load_ms = performance.now();
      p.initialize(video, url, true);
    } else if (playerName === 'shaka') {
      shaka.polyfill.installAll();
      if (!shaka.Player.isBrowserSupported()) { err('shaka: browser not supported'); return; }
      const p = new shaka.Player();
      B.version = shaka.Player.version;
      p.addEventListener('error', (e) => err('shaka: ' + JSON.stringify(e.detail || {}).slice(0, 300)));
      activeBandwidth = () => {
        try { const t = p.getVariantTracks().find((x) => x.active); return t ? (t.videoBandwidth || t.bandwidth) : null; } catch (e) { return null; }
      };
      latencyOf = () => p.getStats().liveLatency;
      if (live) p.configure({ streaming: { lowLatencyMode: true } });
      window.__player = p;
      await p.attach(video);
      B.t_load_ms = performance.now();
      try { await p.load(url); } catch (e) { err('shaka load: ' + (e.code || '') + ' ' + (e.message || e)); }
    } else {
      err('unknown player ' + playerName);
    }
  }
  start().catch((e) => err('start: ' + (e.message || e)));
})();
