#!/usr/bin/env python3
"""demo/bench/bench.py: runs every benchmark of issue 11 and writes docs/benchmarks.md with PNG plots.

Called by demo/bench/run after the build and the test content exist; see that script for the
options. Standard library only. Each section returns its Markdown and its headline ratios.
"""
import argparse
import csv
import datetime
import json
import math
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import content  # noqa: E402
import lab_section  # noqa: E402
import procs  # noqa: E402
from report import Dist, bar_chart, log, ratio, table  # noqa: E402

VARIANT = "number"
STARTUP_RTT_MS = 40
STARTUP_MBPS = 5
CDN_SLOW_MBPS = 1.2  # the slow CDN of the two-CDN section; the fast one has 3x
PRELOAD_WAIT_S = 3  # the preload section's browsing time: at 5 Mbit/s the preload is ready in ~0.5 s
# End to end runs in real time, so it takes one of each family (bba0, bola and mpc, variants of bb,
# bola-e and robustmpc, are in the simulator section); --e2e-algos changes the list.
E2E_ALGOS = ["bb", "bola-e", "throughput", "robustmpc", "dynamic", "default"]
SIM_ALGOS = "bb,bba0,bola,bola-e,throughput,dynamic,mpc,robustmpc,default,oracle-mpc,optimal"


class Bench:
    def __init__(self, a):
        self.a = a
        self.bin = a.bin
        self.work = a.work
        os.makedirs(self.work, exist_ok=True)
        self.plots = os.path.join(os.path.dirname(a.out), "benchmarks")
        os.makedirs(self.plots, exist_ok=True)
        self.manifest_path = os.path.join(a.content, VARIANT, "manifest.mpd")
        self.video, self.audio = content.representations(self.manifest_path)
        self.top = len(self.video) - 1  # fixed:N index of the highest rung (4300k 1080p)
        self.env = dict(os.environ, SDL_AUDIODRIVER="dummy")
        self.headline = []

    def tool(self, rel):
        return os.path.join(self.bin, rel)

    def lab(self):
        """The ABR lab (the real engine on virtual time) on every trace set: lab_section.py."""
        return lab_section.lab(self, self.a.traces_root, self.a.repo, VARIANT, STARTUP_RTT_MS)

    def origin(self, trace=None, rtt_ms=None, log_path=None):
        return procs.Origin(self.tool("origin/abrplay-origin"), self.a.content, trace, rtt_ms, log_path)

    def abrplay(self, url, extra, summary, timeout, window=True):
        args = [self.tool("player/abrplay"), url, "--json-summary", summary] + extra
        env = dict(self.env)
        if not window:
            args.append("--headless")
        r = procs.measured(args, env=env, timeout=timeout)
        try:
            with open(summary) as f:
                r["summary"] = json.load(f)
        except (OSError, ValueError):
            r["summary"] = {}
        return r

    # ---------------------------------------------------------------- startup
    def startup(self):
        runs = self.a.runs
        trace = content.constant_trace(os.path.join(self.work, "constant-5mbps.log"), STARTUP_MBPS)
        res = {"shaped": {"abrplay": [], "ffplay": [], "lb": [], "lb_low": [], "lb_top": [], "rungs": [], "ff_sizes": []},
               "loopback": {"abrplay": [], "ffplay": [], "ff_sizes": []}}
        lo = self.video[0]["id"]
        audio_id = self.audio[0]["id"] if self.audio else None
        for i in range(runs):
            for cond, tr, rtt in (("shaped", trace, STARTUP_RTT_MS), ("loopback", None, None)):
                r = res[cond]
                logp = os.path.join(self.work, f"startup-{cond}-{i}.jsonl")
                with self.origin(tr, rtt, logp) as o:
                    url = o.url(f"{VARIANT}/manifest.mpd")
                    s = self.abrplay(url, ["--duration", "1"], os.path.join(self.work, "startup.json"), 60)
                    r["abrplay"].append(s["summary"].get("startup_s"))
                if cond == "shaped":
                    mbytes, chunks = content.startup_bytes(self.a.content, VARIANT, logp)
                    vids = {v["id"] for v in self.video}
                    first_v = next((c for c in chunks if c.split("-")[1][len("stream"):] in vids), None)
                    rung = first_v.split("-")[1][len("stream"):] if first_v else lo
                    r["rungs"].append(rung)
                    for key, rep in (("lb", rung), ("lb_low", lo), ("lb_top", self.video[self.top]["id"])):
                        total = mbytes or 0
                        for rid in [rep] + ([audio_id] if audio_id else []):
                            init, first = content.segment_files(self.a.content, VARIANT, rid)
                            total += init + first
                        # manifest, then init, then first segment: three round trips; the bytes at 5 Mbps
                        r[key].append(3 * STARTUP_RTT_MS / 1000 + total * 8 / (STARTUP_MBPS * 1e6))
                with self.origin(tr, rtt) as o:
                    url = o.url(f"{VARIANT}/manifest.mpd")
                    args = ["ffplay", "-hide_banner", "-loglevel", "info", "-allowed_extensions", "ALL",
                            "-x", "960", "-y", "540", "-vf", "showinfo", url]
                    t, line = procs.time_to_stderr_line(args, "] n:", env=self.env, timeout=60)
                    if t is None:
                        log(f"ffplay startup ({cond}) found no first frame: {line}")
                    r["ffplay"].append(t)
                    if t is not None and " s:" in line:
                        r["ff_sizes"].append(line.split(" s:")[1].split()[0])
            log(f"startup run {i + 1}/{runs}: abrplay {res['shaped']['abrplay'][-1]}, ffplay {res['shaped']['ffplay'][-1]}")
        sh, lb = res["shaped"], res["loopback"]
        d = {k: Dist(sh[k]) for k in ("abrplay", "ffplay", "lb", "lb_low", "lb_top")}
        dl = {k: Dist(lb[k]) for k in ("abrplay", "ffplay")}
        rung_names = {v["id"]: f"{v['bandwidth'] // 1000}k {v['height']}p" for v in self.video}
        started = sorted(set(rung_names.get(x, x) for x in sh["rungs"]))
        ff_sizes = sorted(set(sh["ff_sizes"]))
        self.headline.append(f"Startup (40 ms RTT, 5 Mbps): ffplay / abrplay = {ratio(d['ffplay'], d['abrplay'])}; "
                             f"abrplay / lower bound = {ratio(d['abrplay'], d['lb'])} (n={d['abrplay'].n} runs each)")
        png = bar_chart(os.path.join(self.plots, "startup.png"), "Startup, 40 ms RTT + 5 Mbit/s (median, min-max)",
                        "seconds", [("abrplay", d["abrplay"]), ("ffplay", d["ffplay"]),
                                    ("lower bound (abrplay's rung)", d["lb"]), ("lower bound (top rung)", d["lb_top"]),
                                    ("abrplay, loopback", dl["abrplay"]), ("ffplay, loopback", dl["ffplay"])], self.work)
        rows = [["abrplay", d["abrplay"].fmt(3, " s"), dl["abrplay"].fmt(3, " s"), "1.00×"],
                ["ffplay", d["ffplay"].fmt(3, " s"), dl["ffplay"].fmt(3, " s"), ratio(d["ffplay"], d["abrplay"])],
                ["lower bound, abrplay's first rung", d["lb"].fmt(3, " s"), "—", ratio(d["lb"], d["abrplay"])],
                ["lower bound, lowest rung", d["lb_low"].fmt(3, " s"), "—", ratio(d["lb_low"], d["abrplay"])],
                [f"lower bound, top rung ({rung_names[self.video[self.top]['id']]})", d["lb_top"].fmt(3, " s"), "—",
                 ratio(d["lb_top"], d["abrplay"])]]
        md = f"""## Startup

Time from load to first frame of `{VARIANT}/manifest.mpd` on `abrplay-origin --rtt-ms {STARTUP_RTT_MS}
--trace` (a constant {STARTUP_MBPS} Mbit/s trace written by the benchmark), a fresh origin for every run,
{runs} runs of each player, interleaved. Both players draw in a 960×540 SDL window on the same Xvfb
display, audio through SDL's dummy driver, default ABR / stream choice.

{table(["", "shaped: median (min–max, n)", "loopback, unshaped", "ratio to abrplay (shaped)"], rows)}

- **abrplay**: its own telemetry, `startup_s` of `--json-summary` (Player stats `startup_time`: `load()`
  to the engine's first playing state, i.e. enough of every track buffered and the clock started; the
  first frame is decoded from the segments already buffered, so it can come a few ms later, and
  abrplay exposes no per-frame hook to time it from outside). Started on: {", ".join(started)}.
- **ffplay** (Debian ffmpeg): wall time from spawning `ffplay -vf showinfo URL` to its first `showinfo`
  line on stderr, i.e. the first decoded frame leaving the filter graph, just before display. This
  includes ffplay's process start and SDL initialisation (abrplay's figure does not include its process
  start: see the loopback column for each player's fixed cost). ffplay's DASH demuxer opens every
  representation of the manifest before playing (the init and first segment of each, through the
  same 5 Mbit/s link), then plays the stream it picks: its first frame was {", ".join(ff_sizes) or "n/a"}.
- **Lower bound**: three sequential round trips (manifest, init segment, first segment) plus the bytes of
  the manifest as served, the video init + first segment and the audio init + first segment at
  {STARTUP_MBPS} Mbit/s; for the rung abrplay started on, for the lowest rung ({rung_names.get(lo, lo)}) and
  for the top rung (the 1080p that ffplay shows first). Requesting init and first segment together would save one RTT (40 ms).
- The ratio column's range is min/max of one over max/min of the other.

{"![startup](benchmarks/startup.png)" if png else "(gnuplot failed: no plot)"}
"""
        return md

    # ------------------------------------------------------------- efficiency
    def efficiency(self):
        runs = self.a.realtime_runs
        secs = self.a.realtime_s
        top = self.video[self.top]
        ours, ff = [], []
        with self.origin() as o:
            url = o.url(f"{VARIANT}/manifest.mpd")
            for i in range(runs):
                r = self.abrplay(url, ["--abr", f"fixed:{self.top}", "--duration", str(secs)],
                                 os.path.join(self.work, f"realtime-{i}.json"), secs + 60)
                ours.append(r)
                args = ["ffplay", "-hide_banner", "-loglevel", "error", "-autoexit", "-allowed_extensions",
                        "ALL", "-x", "960", "-y", "540", "-vst", f"v:{self.top}", "-ast", "a:0", "-t", str(secs), url]
                f = procs.measured(args, env=self.env, timeout=secs + 60)
                ff.append(f)
                log(f"realtime run {i + 1}/{runs}: abrplay cpu {r['cpu_s']:.1f} s rss {r['maxrss_kb'] // 1024} MB "
                    f"wall {r['wall_s']:.1f}; ffplay cpu {f['cpu_s']:.1f} s rss {f['maxrss_kb'] // 1024} MB wall {f['wall_s']:.1f}")
        cpu_o, cpu_f = Dist([r["cpu_s"] for r in ours]), Dist([r["cpu_s"] for r in ff])
        rss_o, rss_f = Dist([r["maxrss_kb"] / 1024 for r in ours]), Dist([r["maxrss_kb"] / 1024 for r in ff])
        wall_o, wall_f = Dist([r["wall_s"] for r in ours]), Dist([r["wall_s"] for r in ff])
        dropped = Dist([r["summary"].get("frames_dropped") for r in ours])
        rate = Dist([r["summary"].get("average_bitrate_kbps") for r in ours])
        bad = sum(1 for r in ours + ff if r["rc"] != 0)

        dec = self.decode()
        self.headline.append(f"Real-time {secs} s of 1080p: CPU abrplay / ffplay = {ratio(cpu_o, cpu_f)}, peak RSS "
                             f"abrplay / ffplay = {ratio(rss_o, rss_f)} (n={runs} runs each)")
        png = bar_chart(os.path.join(self.plots, "efficiency.png"), f"{secs} s of 1080p in real time (median, min-max)",
                        "CPU seconds", [("abrplay", cpu_o), ("ffplay", cpu_f)], self.work)
        png2 = bar_chart(os.path.join(self.plots, "efficiency-rss.png"), "Peak RSS (median, min-max)", "MB",
                         [("abrplay", rss_o), ("ffplay", rss_f)], self.work)
        rows = [["CPU seconds (user + system)", cpu_o.fmt(1, " s"), cpu_f.fmt(1, " s"), ratio(cpu_o, cpu_f)],
                ["peak RSS", rss_o.fmt(0, " MB"), rss_f.fmt(0, " MB"), ratio(rss_o, rss_f)],
                ["wall time", wall_o.fmt(1, " s"), wall_f.fmt(1, " s"), ratio(wall_o, wall_f)]]
        md = f"""## Efficiency

### Real-time playback

{secs} s of the {top['bandwidth'] // 1000} kbit/s 1080p rendition plus the first audio track at 1×, from an
unshaped `abrplay-origin` on loopback, {runs} runs of each, interleaved. abrplay: `abrplay URL --abr
fixed:{self.top} --duration {secs}` (the whole player: manifest, net/, buffers, decode, A/V sync, SDL window);
ffplay: `ffplay -autoexit -vst v:{self.top} -ast a:0 -t {secs} -x 960 -y 540 URL`. Both in a 960×540 SDL
window on the same Xvfb display (the X server's own CPU is counted for neither), audio through SDL's
dummy driver, each player's default decoder threads. CPU and peak RSS from `wait4` of each process.

{table(["", "abrplay", "ffplay", "abrplay / ffplay"], rows)}

abrplay's own summary: {rate.fmt(0, " kbit/s")} average video bitrate, {dropped.fmt(0)} frames dropped.
{"Runs with a non-zero exit status: " + str(bad) + "." if bad else "Every run exited with status 0."}

{"![cpu](benchmarks/efficiency.png) ![rss](benchmarks/efficiency-rss.png)" if png and png2 else "(gnuplot failed: no plot)"}

{dec}"""
        return md

    def decode(self):
        runs = self.a.runs
        top = self.video[self.top]
        out = os.path.join(self.work, "decode.json")
        r = subprocess.run([self.tool("decode/abrplay-decode-bench"), os.path.join(self.a.content, VARIANT),
                            "--rep", top["id"], "--runs", str(runs), "--threads", "2", "--json", out],
                           capture_output=True, text=True)
        if r.returncode != 0:
            return f"### Decode throughput\n\nabrplay-decode-bench failed:\n\n```\n{r.stdout}{r.stderr}\n```\n"
        j = json.load(open(out))
        frames = j["frames"]
        fps = {k: Dist([frames / w for w in j[k]["wall_s"]]) for k in ("pipeline", "ffmpeg_manifest", "ffmpeg_rep_mp4")}
        cpu = {k: Dist(j[k]["cpu_s"]) for k in fps}
        log(f"decode: pipeline {fps['pipeline'].median:.0f} fps, ffmpeg {fps['ffmpeg_manifest'].median:.0f} fps")
        self.headline.append(f"Decode as fast as possible (1080p, 2 threads): frames/s abrplay / `ffmpeg -f null` = "
                             f"{ratio(fps['pipeline'], fps['ffmpeg_manifest'])} (n={runs} runs each)")
        png = bar_chart(os.path.join(self.plots, "decode.png"), "Decode throughput, 1080p (median, min-max)",
                        "frames per second", [("abrplay pipeline", fps["pipeline"]),
                                              ("ffmpeg -i manifest -f null", fps["ffmpeg_manifest"]),
                                              ("ffmpeg -i rep.mp4 -f null", fps["ffmpeg_rep_mp4"])], self.work)
        names = {"pipeline": "abrplay media pipeline", "ffmpeg_manifest": "`ffmpeg -i manifest.mpd -map 0:v:N -f null -`",
                 "ffmpeg_rep_mp4": "`ffmpeg -i rep.mp4 -f null -` (same segments, one file)"}
        rows = [[names[k], fps[k].fmt(0), cpu[k].fmt(2, " s"), ratio(fps["pipeline"], fps[k])] for k in fps]
        return f"""### Decode throughput (as fast as possible)

`abrplay-decode-bench {VARIANT} --rep {top['id']} --runs {runs} --threads 2`: the media pipeline decodes the
{frames} frames of the {top['bandwidth'] // 1000} kbit/s 1080p rendition with null sinks as fast as possible; in the
same run, interleaved, `ffmpeg -threads 2 ... -f null -` on the same representation through the manifest, and on
its segments concatenated into one file (ffmpeg's DASH demuxer also opens every other representation).

{table(["", "frames/s", "CPU seconds", "abrplay / this (frames/s)"], rows)}

{"![decode](benchmarks/decode.png)" if png else ""}
"""

    # ------------------------------------------------------------------ fetch
    def fetch(self):
        runs = self.a.runs
        out = os.path.join(self.work, "fetch.json")
        r = subprocess.run([self.tool("fetch/abrplay-fetch-bench"), "--runs", str(runs), "--json", out],
                           capture_output=True, text=True)
        if r.returncode != 0:
            return f"## Fetch\n\nabrplay-fetch-bench failed:\n\n```\n{r.stdout}{r.stderr}\n```\n"
        j = json.load(open(out))
        rows, bars = [], []

        def per_round(ours_s, curl_s):  # throughput ratios paired by round: tighter than the extremes
            rs = sorted(c / o for o, c in zip(ours_s, curl_s) if o > 0)
            return f"{rs[0]:.2f}–{rs[-1]:.2f}" if rs else "n/a"

        for c in j["cases"]:
            mb = c["bytes"] / 1e6
            o = Dist([mb / s for s in c["abrplay_s"]])
            k = Dist([mb / s for s in c["curl_s"]])
            r = f"**{o.median / k.median:.2f}×**" if k.samples and k.median else "n/a"
            rows.append([c["name"], o.fmt(0, " MB/s"), k.fmt(0, " MB/s"), r, per_round(c["abrplay_s"], c["curl_s"])])
            bars += [(f"abrplay {c['name']}", o), (f"curl {c['name']}", k)]
            if "inline" not in c["name"]:
                self.headline.append(f"Fetch {c['name']} over loopback: throughput abrplay / curl = {r} "
                                     f"(per round {rows[-1][4]}, n={runs})")
        noise = j.get("curl_against_itself")
        if noise and noise["first_s"]:
            rows.append([f"curl against itself, {noise['name']}", "", "", "", per_round(noise["second_s"], noise["first_s"])])
        log("fetch: " + "; ".join(f"{r_[0]} {r_[3]}" for r_ in rows))
        png = bar_chart(os.path.join(self.plots, "fetch.png"), "Fetch throughput over loopback (median, min-max)",
                        "MB/s", bars, self.work)
        return f"""## Fetch

`abrplay-fetch-bench --runs {runs}`: net/ against the curl command-line tool, from the same in-process
cpp-httplib server on loopback, interleaved: one large body streamed and discarded, and many small
segments one after another over one connection (curl: one invocation with all URLs; abrplay: each
request from the previous one's completion). Transfer times: curl's own `time_total`, without its
process start. "inline" consumes chunks on the net thread instead of a consumer thread. The ratio is
of the medians; "per round" pairs the runs of one round; curl against itself is the noise floor.

{table(["case", "abrplay", "curl", "abrplay / curl", "per round"], rows)}

{"![fetch](benchmarks/fetch.png)" if png else ""}
"""

    # -------------------------------------------------------------------- sim
    def sim(self):
        root = self.a.traces_root
        sets = sorted(d for d in os.listdir(root) if os.path.isdir(os.path.join(root, d)))
        parts = []
        for s in sets:
            t0 = time.monotonic()
            js, cs = os.path.join(self.work, f"sim-{s}.json"), os.path.join(self.work, f"sim-{s}.csv")
            png = os.path.join(self.plots, f"sim-{s}.png")
            r = subprocess.run([self.tool("sim/abrplay-sim"), "--traces", os.path.join(root, s), "--video-sizes",
                                self.a.video_sizes, "--algo", SIM_ALGOS, "--json", js, "--csv", cs, "--plot", png],
                               capture_output=True, text=True)
            if r.returncode != 0:
                parts.append(f"### {s}\n\nabrplay-sim failed: `{r.stderr.strip()}`\n")
                continue
            j = json.load(open(js))
            per = {}
            with open(cs) as f:
                for row in csv.DictReader(f):
                    per.setdefault(row["algorithm"], []).append(float(row["qoe"]))
            rows = []
            algs = j["algorithms"]
            real = {k: v for k, v in algs.items()
                    if k not in ("optimal", "oracle-mpc") and v.get("vs_optimal") is not None}
            if real and "default" in real:
                best = max(real, key=lambda k: real[k]["vs_optimal"])
                oracle = algs.get("oracle-mpc", {}).get("vs_optimal")
                robust = algs.get("robustmpc", {}).get("mean")
                vs_robust = (f"; `default` / `robustmpc` = **{real['default']['mean'] / robust:.2f}x**"
                             if robust and robust > 0 and real["default"]["mean"] > 0 else "")
                self.headline.append(f"ABR in simulation, {s} ({j['traces']} traces): mean QoE_lin / offline optimum = "
                                     f"**{real['default']['vs_optimal']:.2f}** for `default`, "
                                     f"**{real[best]['vs_optimal']:.2f}** for the best, `{best}`"
                                     + (f" (`oracle-mpc`, a perfect 5-segment forecast: {oracle:.2f})"
                                        if oracle is not None else "") + vs_robust)
            for name, v in j["algorithms"].items():
                q = sorted(per.get(name, []))
                iqr = statistics.quantiles(q, n=4) if len(q) >= 2 else [q[0], q[0], q[0]] if q else [0, 0, 0]
                vs = v.get("vs_optimal")
                rows.append([name, f"{v['mean']:.2f}", f"{v['median']:.2f} ({iqr[0]:.2f}–{iqr[2]:.2f})",
                             f"{v['p10']:.2f}", "—" if vs is None else f"{vs:.3f}", f"{v['bitrate']:.0f}",
                             f"{v['rebuffer']:.2f}", f"{v['switches']:.1f}"])
            log(f"sim {s}: {j['traces']} traces in {time.monotonic() - t0:.1f} s")
            parts.append(f"""### {s} ({j['traces']} traces)

{table(["algorithm", "QoE_lin mean", "median (IQR)", "p10", "mean / optimal", "bitrate kbit/s", "rebuffer s", "switches"], rows)}

{f"![{s}](benchmarks/sim-{s}.png)" if os.path.exists(png) else ""}
""")
        return f"""## ABR in simulation

`abrplay-sim --traces {os.path.relpath(root, self.a.repo)}/SET --video-sizes
{os.path.relpath(self.a.video_sizes, self.a.repo)} --algo {SIM_ALGOS}` on every trace set: Pensieve mode
(the Pensieve video, 48 segments of 4 s, QoE_lin per trace). Deterministic, so one run per set; the
spread is over the traces (IQR = 25th–75th percentile, p10 = 10th percentile). `optimal` is the offline
dynamic-programming optimum; "mean / optimal" is the headline ratio. `oracle-mpc` is MPC with a
perfect forecast (it plans 5 segments ahead on the trace itself): the distance from it to the optimum
is what a 5-segment horizon costs even without forecast error ([abr.md](abr.md#how-far-the-optimum-is-mpc-with-a-perfect-forecast)).
The plots are abrplay-sim's CDFs.

""" + "\n".join(parts)

    # -------------------------------------------------------------------- cdn
    def cdn(self):
        """Two CDNs, one at a third of the other's bandwidth, the slow one weighted to be the first
        choice: the player with measured CDN choice against the weighted first choice kept."""
        runs, secs = self.a.realtime_runs, min(self.a.realtime_s, 40)
        slow = content.constant_trace(os.path.join(self.work, "cdn-slow.log"), CDN_SLOW_MBPS)
        fast = content.constant_trace(os.path.join(self.work, "cdn-fast.log"), 3 * CDN_SLOW_MBPS)
        res = {m: [] for m in ("measured", "first")}
        for i in range(runs):
            for mode in res:
                logp = os.path.join(self.work, f"cdn-{mode}-{i}.jsonl")
                if os.path.exists(logp):
                    os.remove(logp)
                extra = ["--cdn", "2", "--trace", slow, "--trace", fast, "--cdn-weight", "1000", "--cdn-weight", "1"]
                with procs.Origin(self.tool("origin/abrplay-origin"), self.a.content, None, STARTUP_RTT_MS, logp,
                                  extra) as o:
                    r = self.abrplay(o.url(f"{VARIANT}/manifest.mpd"), ["--cdn-choice", mode, "--duration", str(secs)],
                                     os.path.join(self.work, f"cdn-{mode}-{i}.json"), secs * 3 + 60, window=False)
                by_cdn = [0, 0]
                with open(logp) as f:
                    for line in f:
                        e = json.loads(line)
                        if e.get("path", "").endswith(".m4s"):
                            by_cdn[e.get("cdn", 0)] += e.get("bytes", 0)
                s = r["summary"]
                res[mode].append({"kbps": s.get("average_bitrate_kbps"), "qoe": s.get("qoe_lin"),
                                  "stall": s.get("stall_s"), "startup": s.get("startup_s"),
                                  "fast": 100.0 * by_cdn[1] / max(1, sum(by_cdn)), "rc": r["rc"]})
                log(f"cdn run {i + 1}/{runs} {mode}: {s.get('average_bitrate_kbps')} kbit/s, "
                    f"{res[mode][-1]['fast']:.0f} % of media bytes from the fast CDN")
        rows = []
        for mode in res:
            rows.append([f"`--cdn-choice {mode}`", Dist([x["kbps"] for x in res[mode]]).fmt(0),
                         Dist([x["qoe"] for x in res[mode]]).fmt(2), Dist([x["stall"] for x in res[mode]]).fmt(2, " s"),
                         Dist([x["fast"] for x in res[mode]]).fmt(0, " %"),
                         Dist([x["startup"] for x in res[mode]]).fmt(2, " s")])
        m, f = Dist([x["kbps"] for x in res["measured"]]).median, Dist([x["kbps"] for x in res["first"]]).median
        ratio = f"{m / f:.2f}" if m and f else "n/a"
        self.headline.append(f"Two CDNs, one at a third of the other's bandwidth: average bitrate with measured CDN "
                             f"choice / kept first choice = **{ratio}**")
        bad = sum(1 for mode in res for x in res[mode] if x["rc"] != 0)
        return f"""## Two CDNs: measured CDN choice

`abrplay-origin --cdn 2 --trace SLOW --trace FAST --cdn-weight 1000 --cdn-weight 1 --rtt-ms {STARTUP_RTT_MS}`:
CDN 0 at {CDN_SLOW_MBPS} Mbit/s and CDN 1 at {3 * CDN_SLOW_MBPS:g} Mbit/s (constant), the slow one weighted so that
the DVB first choice is almost surely it. `abrplay URL --headless --duration {secs} --cdn-choice MODE` ({VARIANT}
stream, default ABR): `measured` moves the traffic to a CDN measured at twice the throughput (docs/net.md),
`first` keeps the weighted first choice (failover only). {runs} runs each, interleaved; cells: median (min–max, n).
"Fast CDN" is the share of media bytes the origin's request log shows from CDN 1.

{table(["mode", "avg bitrate kbit/s", "QoE_lin", "stall", "fast CDN", "startup"], rows)}

Bitrate, measured / first: **{ratio}**. {"Sessions with a non-zero exit status: " + str(bad) + "." if bad else "Every session exited with status 0."}
"""

    # ------------------------------------------------------------------ http2
    def http2(self):
        """HTTP/1.1 against HTTP/2 on one nginx over TLS: the player's startup (--no-decode) and
        the net layer's throughput on one large body (abrplay-fetch)."""
        runs = self.a.runs
        work = os.path.join(self.work, "nginx")
        os.makedirs(work, exist_ok=True)
        big = os.path.join(self.a.content, "bench-64MiB.bin")
        if not os.path.exists(big) or os.path.getsize(big) != 64 << 20:
            with open(big, "wb") as f:
                f.write(os.urandom(64 << 20))
        res = {p: {"startup": [], "mbps": []} for p in ("HTTP/1.1", "HTTP/2")}
        with procs.Nginx(self.a.content, work) as n:
            for i in range(runs):
                for proto, base in (("HTTP/1.1", n.h1_base), ("HTTP/2", n.h2_base)):
                    r = self.abrplay(f"{base}/{VARIANT}/manifest.mpd",
                                     ["--no-decode", "--speed", "64", "--duration", "8", "--cacert", n.cert],
                                     os.path.join(self.work, f"h2-{i}.json"), 120, window=False)
                    res[proto]["startup"].append(r["summary"].get("startup_s"))
                    t = procs.measured([self.tool("fetch/abrplay-fetch"), "--cacert", n.cert, "-o", "/dev/null",
                                        f"{base}/bench-64MiB.bin"], timeout=120)
                    res[proto]["mbps"].append(64 * 8 * 1.048576 / t["wall_s"] if t["rc"] == 0 else None)
                    log(f"http2 run {i + 1}/{runs} {proto}: startup {res[proto]['startup'][-1]} s, "
                        f"{res[proto]['mbps'][-1]} Mbit/s")
        rows = [[p, Dist(res[p]["startup"]).fmt(3, " s"), Dist(res[p]["mbps"]).fmt(0)] for p in res]
        s1, s2 = Dist(res["HTTP/1.1"]["startup"]).median, Dist(res["HTTP/2"]["startup"]).median
        m1, m2 = Dist(res["HTTP/1.1"]["mbps"]).median, Dist(res["HTTP/2"]["mbps"]).median
        ratio_s = f"{s2 / s1:.2f}" if s1 and s2 else "n/a"
        ratio_m = f"{m2 / m1:.2f}" if m1 and m2 else "n/a"
        self.headline.append(f"HTTP/2 against HTTP/1.1 (nginx, TLS, loopback): startup **{ratio_s}**, "
                             f"one-body throughput **{ratio_m}**")
        return f"""## HTTP/1.1 and HTTP/2

Debian's nginx over TLS on loopback (a self-signed certificate, `--cacert`), the same files on two
ports: one with `http2`, one HTTP/1.1 only. Startup: `abrplay URL --no-decode --speed 64 --cacert CERT`
({VARIANT} stream), load to playing, where HTTP/1.1 opens a TLS connection per parallel request and
HTTP/2 multiplexes audio and video over one (the tests check both from nginx's log). Throughput:
`abrplay-fetch --cacert CERT -o /dev/null URL` of one 64 MiB body, wall time of the process.
{runs} runs each, interleaved; cells: median (min–max, n).

{table(["protocol", "startup", "one 64 MiB body, Mbit/s"], rows)}

HTTP/2 / HTTP/1.1: startup **{ratio_s}**, throughput **{ratio_m}**.
"""

    # ---------------------------------------------------------------- preload
    def preload(self):
        """Press to first frame with Player::preload (abrplay --preload-wait) against a cold start,
        on the startup section's shaped origin (40 ms RTT, 5 Mbit/s)."""
        runs = self.a.runs
        trace = content.constant_trace(os.path.join(self.work, "constant-5mbps.log"), STARTUP_MBPS)
        res = {"cold": [], "preloaded": [], "ready": [], "bytes": [], "used": []}
        bad = 0
        for i in range(runs):
            for mode in ("cold", "preloaded"):
                extra = ["--duration", "1"] + (["--preload-wait", str(PRELOAD_WAIT_S)] if mode == "preloaded" else [])
                with self.origin(trace, STARTUP_RTT_MS) as o:
                    r = self.abrplay(o.url(f"{VARIANT}/manifest.mpd"), extra,
                                     os.path.join(self.work, f"preload-{mode}-{i}.json"), 60, window=False)
                s = r["summary"]
                bad += r["rc"] != 0
                res[mode].append(s.get("press_to_first_frame_s"))
                if mode == "preloaded":
                    p = s.get("preload", {})
                    res["ready"].append(p.get("ready_s"))
                    res["bytes"].append(p.get("bytes") / 1e3 if p.get("bytes") is not None else None)
                    res["used"].append(p.get("responses_used"))
            log(f"preload run {i + 1}/{runs}: cold {res['cold'][-1]} s, preloaded {res['preloaded'][-1]} s")
        d = {k: Dist(v) for k, v in res.items()}
        self.headline.append(f"Preload (40 ms RTT, 5 Mbps): press to first frame, preloaded / cold = "
                             f"{ratio(d['preloaded'], d['cold'])} ({d['preloaded'].fmt(3, ' s')} against "
                             f"{d['cold'].fmt(3, ' s')})")
        rows = [["cold start (`load()`)", d["cold"].fmt(3, " s"), "1.00×"],
                [f"preloaded (`preload()`, {PRELOAD_WAIT_S} s, then `load()`)", d["preloaded"].fmt(3, " s"),
                 ratio(d["preloaded"], d["cold"])]]
        build = os.path.basename(os.path.dirname(os.path.normpath(self.bin)))
        return f"""## Preload

Press to first frame (`press_to_first_frame_s` of `--json-summary`: from the `load()` call to the
first video frame presented) of `{VARIANT}/manifest.mpd` on `abrplay-origin --rtt-ms {STARTUP_RTT_MS} --trace`
(a constant {STARTUP_MBPS} Mbit/s trace), a fresh origin for every run, headless (null sinks at the wall
clock's pace), default ABR. Cold: `abrplay URL --headless --duration 1`. Preloaded: the same with
`--preload-wait {PRELOAD_WAIT_S}`: `Player::preload(URL)`, {PRELOAD_WAIT_S} s, then `load(URL)`; the manifest, the
init segments and the first segment of each track then come from memory (docs/net.md, "Preload").
{runs} runs of each, interleaved; cells: median (min–max, n). Binaries: `build/{build}`; content:
`{os.path.relpath(self.a.content, self.a.repo)}`; load average {os.getloadavg()[0]:.1f} at the end (other builds shared the cores).

{table(["", "press to first frame", "ratio to cold"], rows)}

- The preload itself: ready {d["ready"].fmt(3, " s")} after `preload()`, {d["bytes"].fmt(0, " kB")} kept,
  {d["used"].fmt(0)} requests of the session answered from it.
- What remains after a preloaded press is the player's own start: the session's engine and decoders,
  the demux and decode of the first frame, the presentation clock.
- {"Every session exited with status 0." if not bad else f"Sessions with a non-zero exit status: {bad}."}
"""

    # -------------------------------------------------------------------- e2e
    def e2e(self):
        picked = content.pick_traces(self.a.e2e_set, self.a.e2e_traces)
        algos = self.a.e2e_algos.split(",")
        secs = self.a.e2e_s
        res = {a: [] for a in algos}
        for ti, (trace, mean) in enumerate(picked):
            for algo in algos:
                with self.origin(trace, STARTUP_RTT_MS) as o:
                    url = o.url(f"{VARIANT}/manifest.mpd")
                    extra = ["--abr", algo] + (["--duration", str(secs)] if secs else [])
                    r = self.abrplay(url, extra, os.path.join(self.work, f"e2e-{ti}-{algo}.json"),
                                     (secs or 60) * 3 + 60, window=False)
                s = r["summary"]
                played, stall = s.get("played_s", 0), s.get("stall_s", 0)
                res[algo].append({"trace": os.path.basename(trace), "mean": mean, "qoe": s.get("qoe_lin"),
                                  "kbps": s.get("average_bitrate_kbps"), "switches": s.get("switches"),
                                  "rebuf": stall / (played + stall) if played + stall > 0 else None,
                                  "startup": s.get("startup_s"), "rc": r["rc"]})
                log(f"e2e trace {ti + 1}/{len(picked)} {algo}: QoE {s.get('qoe_lin')} kbps {s.get('average_bitrate_kbps')} "
                    f"stall {stall:.2f} s switches {s.get('switches')}")
        rows, bars = [], []
        for algo in algos:
            q = Dist([x["qoe"] for x in res[algo]])
            rows.append([algo, q.fmt(2), Dist([x["kbps"] for x in res[algo]]).fmt(0),
                         Dist([None if x["rebuf"] is None else 100 * x["rebuf"] for x in res[algo]]).fmt(2, " %"),
                         Dist([x["switches"] for x in res[algo]]).fmt(0),
                         Dist([x["startup"] for x in res[algo]]).fmt(2, " s")])
            bars.append((algo, q))
        per_trace = []
        for ti, (trace, mean) in enumerate(picked):
            per_trace.append([f"`{os.path.basename(trace)}` ({mean:.2f} Mbit/s)"] +
                             [f"{res[a][ti]['qoe']:.2f}" if res[a][ti]["qoe"] is not None else "n/a" for a in algos])
        def med(a):
            m = Dist([x["qoe"] for x in res[a]]).median
            return -1e9 if m is None else m
        best = max(algos, key=med)
        dflt = Dist([x["qoe"] for x in res.get("default", [])])
        self.headline.append(f"ABR end to end, the real player ({len(picked)} recorded traces, {secs or 60} s each): "
                             f"median QoE_lin `default` {dflt.fmt(2)}, best `{best}` "
                             f"{Dist([x['qoe'] for x in res[best]]).fmt(2)}")
        bad = sum(1 for a in algos for x in res[a] if x["rc"] != 0)
        # Where the default ranks on each trace (1 = highest QoE_lin), and whether it is ever last.
        ranks = []
        if "default" in algos:
            for ti in range(len(picked)):
                q = {a: res[a][ti]["qoe"] for a in algos if res[a][ti]["qoe"] is not None}
                if "default" in q:
                    ranks.append(1 + sum(1 for a in q if q[a] > q["default"]))
        rank_line = ""
        if ranks:
            last = sum(1 for r in ranks if r == len(algos))
            rank_line = (f"The default's rank per trace (1 = highest of {len(algos)}): {', '.join(map(str, ranks))}; "
                         f"last on {last} trace(s). Highest median QoE_lin: `{best}`.")
        png = bar_chart(os.path.join(self.plots, "e2e.png"), "End to end QoE_lin per algorithm (median over traces, min-max)",
                        "QoE_lin", bars, self.work)
        dur = f"--duration {secs}" if secs else "the whole 60 s stream"
        return f"""## ABR end to end

The real player, headless (`abrplay URL --headless --abr ALGO`, decoding with null sinks at 1×, {dur}),
on `abrplay-origin --rtt-ms {STARTUP_RTT_MS} --trace TRACE` (a fresh origin per session, so every algorithm
sees the trace from its start), once per trace and algorithm (one of each family; bba0, bola and mpc,
variants of bb, bola-e and robustmpc, are in the simulator section). {len(picked)} recorded traces from
`{os.path.basename(self.a.e2e_set)}`, chosen deterministically: in name order, evenly spaced among those whose
mean over the first 80 s is 1.0–4.5 Mbit/s (the ladder's range). Figures from the player's own
`--json-summary`: QoE_lin (Pensieve weights, sampled every second of playback), average video bitrate,
rebuffer ratio = stall time / (played + stall time), switches. Cells: median over the traces (min–max, n).

{table(["algorithm", "QoE_lin", "avg bitrate kbit/s", "rebuffer ratio", "switches", "startup"], rows)}

QoE_lin per trace:

{table(["trace"] + algos, per_trace)}

{rank_line}

{"Sessions with a non-zero exit status: " + str(bad) + "." if bad else "Every session exited with status 0."}

{"![e2e](benchmarks/e2e.png)" if png else ""}
"""


def machine():
    cpu = "unknown CPU"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(next(l for l in open("/proc/meminfo") if l.startswith("MemTotal")).split()[1])
        mem = f", {kb / 1024 / 1024:.1f} GiB RAM"
    except (OSError, StopIteration, ValueError):
        pass
    return f"{cpu}, {os.cpu_count()} cores{mem}, Linux {platform.release()}"


def headline_key(line):
    """What a headline bullet is about: its text before the first colon, numbers left out."""
    return re.sub(r"\d+", "N", line.lstrip("- ").split(":", 1)[0])


def splice_headline(text, headline):
    """Each new headline bullet replaces the bullet of `text`'s "## Headline" about the same thing,
    or joins the list."""
    m = re.search(r"^## Headline\n(.*?)(?=^## |\Z)", text, re.S | re.M)
    if not m or not headline:
        return text
    lines = [ln for ln in m.group(1).strip().split("\n") if ln.strip()]
    for h in headline:
        key = headline_key(h)
        at = [i for i, ln in enumerate(lines) if headline_key(ln) == key]
        if at:
            lines[at[0]] = f"- {h}"
        else:
            lines.append(f"- {h}")
    return text[:m.start(1)] + "\n" + "\n".join(lines) + "\n\n" + text[m.end(1):]


def splice(path, sections, headline=()):
    """Each section ("## Title" and what follows up to the next "## ") replaces the one of the
    same title in `path`, or is appended; the sections' headline bullets replace theirs."""
    try:
        text = open(path).read()
    except FileNotFoundError:
        text = ""
    text = splice_headline(text, headline)
    for md in sections:
        title = md.lstrip().split("\n", 1)[0]
        pattern = re.compile("^" + re.escape(title) + r"\n.*?(?=^## |\Z)", re.S | re.M)
        body = md.strip() + "\n"
        if pattern.search(text):
            text = pattern.sub(lambda _: body + "\n", text, count=1).rstrip() + "\n"
        else:
            text = text.rstrip() + ("\n\n" if text else "") + body
    with open(path, "w") as f:
        f.write(text)


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--repo", required=True)
    p.add_argument("--bin", required=True, help="build/release/demo")
    p.add_argument("--content", required=True, help="make-test-stream output folder")
    p.add_argument("--traces-root", required=True)
    p.add_argument("--video-sizes", required=True)
    p.add_argument("--out", required=True, help="docs/benchmarks.md")
    p.add_argument("--work", required=True, help="scratch folder for raw results")
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--realtime-runs", type=int, default=3)
    p.add_argument("--realtime-s", type=int, default=60)
    p.add_argument("--e2e-traces", type=int, default=6)
    p.add_argument("--e2e-s", type=int, default=0, help="0: the whole stream")
    p.add_argument("--e2e-algos", default=",".join(E2E_ALGOS))
    p.add_argument("--only", default="startup,efficiency,fetch,sim,lab,e2e,cdn,http2,preload")
    p.add_argument("--splice-into", default="",
                   help="replace (or append) each section run in this Markdown file instead of writing --out")
    p.add_argument("--command", default="demo/bench/run")
    a = p.parse_args()
    a.e2e_set = os.path.join(a.traces_root, "pensieve_train")
    t_start = time.monotonic()
    started = datetime.datetime.now(datetime.timezone.utc)
    load0 = os.getloadavg()
    b = Bench(a)
    display = procs.VirtualDisplay()
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        if not display.start():
            sys.exit("bench: no display and no Xvfb (apt-get install xvfb): the windowed comparison needs one")
        b.env["DISPLAY"] = display.display
        log(f"Xvfb on {display.display}")
    sections = []
    try:
        for name in a.only.split(","):
            log(f"section {name}")
            sections.append(getattr(b, name)())
    finally:
        display.stop()
    load1 = os.getloadavg()
    minutes = (time.monotonic() - t_start) / 60
    if a.splice_into:
        commit = subprocess.run(["git", "-C", a.repo, "rev-parse", "--short", "HEAD"], capture_output=True,
                                text=True).stdout.strip()
        stamp = (f"*This section alone came from `{a.command} --only {{}} --splice` on "
                 f"{started.strftime('%Y-%m-%d %H:%M UTC')} at commit {commit} (load average {load0[0]:.1f} "
                 f"at the start, {load1[0]:.1f} at the end); the rest of the file may be older.*")
        stamped = []
        for name, md in zip(a.only.split(","), sections):
            title, _, rest = md.lstrip().partition("\n")
            stamped.append(f"{title}\n\n{stamp.format(name)}\n{rest}")
        splice(a.splice_into, stamped, b.headline)
        log(f"spliced {a.only} into {a.splice_into} in {minutes:.1f} min")
        return
    commit = subprocess.run(["git", "-C", a.repo, "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    ffv = subprocess.run(["ffmpeg", "-version"], capture_output=True, text=True).stdout.split("\n")[0]
    curlv = subprocess.run(["curl", "--version"], capture_output=True, text=True).stdout.split("\n")[0]
    head = f"""# Benchmarks (generated)

Generated by `{a.command}` on {started.strftime('%Y-%m-%d %H:%M UTC')} in {minutes:.0f} min, at commit
{commit} (plus the working tree). Do not edit: run the command again.

- Machine: {machine()}. Load average {load0[0]:.1f} at the start, {load1[0]:.1f} at the end: other work
  shared the cores, so absolute times are noisy; runs of the two sides are interleaved, and the
  headline is ratios.
- {ffv}; {curlv.split(' (')[0]}; abrplay release build (RelWithDebInfo).
- Runs: {a.runs} per figure for startup, decode and fetch; {a.realtime_runs} for the {a.realtime_s} s real-time
  playback; {a.e2e_traces} recorded traces × {len(a.e2e_algos.split(","))} algorithms end to end; the simulator is deterministic.
  Every figure is "median (min–max, n=runs)"; ratios are of medians, with the range the extremes allow.
- Content: `demo/content/make-test-stream` (60 s, H.264 ladder 300k 240p … 4300k 1080p, AAC), variant `{VARIANT}/`.
  Traces: `{os.path.relpath(a.traces_root, a.repo)}` (relative to the repository).

## Headline

""" + "\n".join(f"- {h}" for h in b.headline) + "\n"
    with open(a.out, "w") as f:
        f.write(head + "\n" + "\n".join(sections))
    log(f"wrote {a.out} in {minutes:.1f} min")


if __name__ == "__main__":
    main()
