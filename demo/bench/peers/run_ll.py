#!/usr/bin/env python3
"""demo/bench/peers/run_ll.py: low-latency live, abrplay against dash.js (project issue 18).

abrplay-origin serves the test stream's ll/ variant (4 s segments of 1 s CMAF chunks) as low-latency
live (--live --low-latency: chunked transfer as each chunk is "encoded", availabilityTimeOffset 3 s,
ServiceDescription target 3 s, playback rate 0.9-1.1). Both players take the target from the MPD
and catch up by playback rate: abrplay headless (null sinks, real time), dash.js (npm dashjs,
default settings plus liveCatchup on) in headless Chromium through drive.mjs/page.js. Each run gets
a fresh origin whose availabilityStartTime is 8 s before it started; runs are interleaved, on an
unshaped link and on recorded traces (40 ms added RTT), and the 1-minute load average is recorded.

Per run: live latency (abrplay: its --json-summary live_latency_s/live_latency_sd_s, the latency at
each position report while playing; dash.js: getCurrentLiveLatency every 250 ms while playing), its
median and standard deviation; stalls and stall seconds; the average bitrate of the rendition on
screen per played second; startup (load to playing).

Several contents (--content DIR[:CHUNK_MS], repeated) each get their table: the test stream's ll/
(4 s segments of 1 s chunks, the default) and make-2s-stream's (2 s segments of 0.5 s chunks, the
issue's target configuration).

Usage: run_ll.py [--runs 2] [--seconds 30] [--traces 3] [--content DIR[:CHUNK_MS] ...]
                 [--splice-into docs/benchmarks.md]
"""
import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
sys.path.insert(0, os.path.join(REPO, "demo", "bench"))
sys.path.insert(0, HERE)
import content  # noqa: E402
from procs import Origin  # noqa: E402
from run_peers import LOADED, default_traces_root, missing_deps  # noqa: E402

PLAYERS = ["abrplay", "dashjs"]
PREROLL_S = 8


def run_one(args, variant, player, trace, work, tag):
    rec = {"player": player, "trace": trace[0], "content": variant["name"], "tag": tag, "status": "error", "errors": [],
           "load_before": os.getloadavg()[0]}
    out = os.path.join(work, f"{tag}.json")
    timeout = args.seconds * 2 + 60
    extra = ["--live", "--low-latency", "--chunk-ms", str(variant["chunk_ms"]), "--target-latency-ms", "3000",
             "--live-preroll-s", str(PREROLL_S)]
    try:
        with Origin(args.origin, variant["dir"], trace=trace[1], rtt_ms=args.rtt_ms, extra=extra) as o:
            url = o.url("ll/manifest.mpd")
            if player == "abrplay":
                # --duration counts media time from the MPD's zero: playback starts about
                # PREROLL_S - 3 s in, so this plays about --seconds.
                p = subprocess.run([args.abrplay, url, "--headless", "--json-summary", out, "--duration",
                                    str(args.seconds + PREROLL_S - 3)], stdin=subprocess.DEVNULL,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=timeout, text=True)
                if not os.path.exists(out):
                    rec["errors"].append(f"rc {p.returncode}: " + p.stderr[-300:])
                else:
                    s = json.load(open(out))
                    rec.update({"startup_s": s.get("startup_s"), "stalls": s.get("stalls"), "stall_s": s.get("stall_s"),
                                "avg_kbps": s.get("average_bitrate_kbps"), "lat_med": s.get("live_latency_s"),
                                "lat_sd": s.get("live_latency_sd_s")})
                    if s.get("error"):
                        rec["errors"].append(s["error"])
                    rec["status"] = "ok" if rec["lat_med"] is not None and not s.get("error") else "error"
            else:
                subprocess.run(["node", os.path.join(HERE, "drive.mjs"), "--player", player, "--url", url, "--seconds",
                                str(args.seconds), "--ladder", json.dumps(variant["ladder"]), "--out", out, "--timeout",
                                str(timeout), "--chromium", args.chromium, "--live", "1"],
                               stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               timeout=timeout + 60, cwd=HERE)
                b = json.load(open(out))
                rec["errors"] += b.get("errors", [])
                rec["status"] = b.get("status", "error")
                rec["version"] = b.get("version")
                lat = b.get("latencies_s") or []
                kbps = [v for v in (b.get("seconds_kbps") or []) if v]
                stalls = b.get("stalls") or []
                rec.update({"startup_s": b["ttff_ms"] / 1000.0 if b.get("ttff_ms") is not None else None,
                            "stalls": len(stalls), "stall_s": sum(x["dur_ms"] for x in stalls) / 1000.0,
                            "avg_kbps": statistics.mean(kbps) if kbps else None,
                            "lat_med": statistics.median(lat) if lat else None,
                            "lat_sd": statistics.pstdev(lat) if len(lat) > 1 else None,
                            "max_rate": max(b.get("rates_playback") or [1.0])})
                if rec["status"] == "ok" and rec["lat_med"] is None:
                    rec["status"] = "error"
                    rec["errors"].append("no live latency reported")
    except subprocess.TimeoutExpired:
        rec["status"] = "timeout"
    except (OSError, ValueError, RuntimeError) as e:
        rec["errors"].append(str(e))
    rec["load_after"] = os.getloadavg()[0]
    rec["loaded"] = max(rec["load_before"], rec["load_after"]) > LOADED
    return rec


def cell(vals, spec):
    vals = [v for v in vals if v is not None]
    if not vals:
        return "-"
    med = statistics.median(vals)
    return spec.format(med) + (f" ({spec.format(min(vals))}-{spec.format(max(vals))})" if len(vals) > 1 else "")


def segment_seconds(mpd_path):
    """The first SegmentTemplate's @duration / @timescale in `mpd_path` (None when absent)."""
    text = open(mpd_path).read()
    m = re.search(r"<SegmentTemplate[^>]*>", text)
    if not m:
        return None
    d = re.search(r'\bduration="(\d+)"', m.group(0))
    t = re.search(r'\btimescale="(\d+)"', m.group(0))
    return int(d.group(1)) / int(t.group(1) if t else 1) if d else None


def median_of(records, trace, player, key):
    vals = [r[key] for r in records if r["trace"] == trace and r["player"] == player and r["status"] == "ok"
            and r.get(key) is not None]
    return statistics.median(vals) if vals else None


def summary(traces, records, variant=None):
    """The issue's targets on one content: bitrate against dash.js and stall seconds on the traces,
    the latency and stalls on the unshaped link. With `variant`: a headline bullet instead."""
    shaped = [name for name, path, _ in traces if path]
    a = [median_of(records, t, "abrplay", "avg_kbps") for t in shaped]
    d = [median_of(records, t, "dashjs", "avg_kbps") for t in shaped]
    sa = [median_of(records, t, "abrplay", "stall_s") for t in shaped]
    sd = [median_of(records, t, "dashjs", "stall_s") for t in shaped]
    parts = []
    if all(v is not None for v in a + d) and d and sum(d) > 0:
        per = ", ".join(f"{x / y:.2f}" for x, y in zip(a, d))
        parts.append(f"on the traces abrplay's bitrate is **{statistics.mean(a) / statistics.mean(d):.2f} x dash.js's** "
                     f"(mean {statistics.mean(a):.0f} against {statistics.mean(d):.0f} kbit/s; per trace {per})")
    if all(v is not None for v in sa + sd):
        parts.append(f"stall seconds summed over the traces {sum(sa):.2f} (abrplay) against {sum(sd):.2f} (dash.js)")
    lat = median_of(records, "unshaped", "abrplay", "lat_med")
    stalls = median_of(records, "unshaped", "abrplay", "stalls")
    start = median_of(records, "unshaped", "abrplay", "startup_s")
    if variant is not None:
        if not (all(v is not None for v in a + d + sa + sd) and d and sum(d) > 0 and lat is not None):
            return None
        seg = f"{variant['segment_s']:g} s segments of {variant['chunk_ms'] / 1000:g} s chunks"
        return (f"Low-latency live, {variant['name']} ({seg}), {len(shaped)} recorded traces: bitrate abrplay / "
                f"dash.js = **{statistics.mean(a) / statistics.mean(d):.2f}x**, stall s {sum(sa):.2f} against "
                f"{sum(sd):.2f}; unshaped latency median {lat:.2f} s, {stalls:.0f} stalls")
    if lat is not None:
        parts.append(f"unshaped: abrplay's latency median {lat:.2f} s, {stalls:.0f} stalls, startup {start:.2f} s")
    return "; ".join(parts) + "." if parts else ""


def section(args, variants, traces, records, minutes):
    dash_version = next((r.get("version") for r in records if r.get("version")), "?")
    contents = " ".join(f"--content {v['arg']}" for v in variants)
    L = ["## Low-latency live", "",
         f"`demo/bench/peers/run_ll.py --runs {args.runs} --seconds {args.seconds:g} --traces {args.traces} {contents}` "
         f"({minutes:.0f} min): abrplay against dash.js {dash_version} (default settings, liveCatchup on, "
         f"headless Chromium) on the same abrplay-origin serving each content's `ll/` variant as low-latency "
         f"live (segments of CMAF chunks sent as they are \"encoded\", availabilityTimeOffset = segment - chunk; "
         f"ServiceDescription: target 3 s, min 2 s, max 6 s, playback rate 0.9-1.1; both players take the target "
         f"from it), {args.rtt_ms} ms added RTT on the traces, {args.seconds:g} s of playback per run, a fresh origin "
         f"per run, runs interleaved. Latency: how far behind the live edge playback is, sampled while playing "
         f"(abrplay at each position report, dash.js getCurrentLiveLatency every 250 ms); each cell is the median "
         f"over runs of the per-run median (or standard deviation), with the range over runs. Stalls: abrplay's "
         f"buffering after the first frame; dash.js: the media clock stopped > 60 ms while playing. Bitrate: the "
         f"rendition on screen per played second. Runs marked loaded (1-min load average > {LOADED}) are counted "
         f"but flagged.", ""]
    for v in variants:
        seg = v["segment_s"]
        L += [f"### {v['name']}: {seg:g} s segments of {v['chunk_ms'] / 1000:g} s chunks" if seg else f"### {v['name']}",
              ""]
        rs_v = [r for r in records if r["content"] == v["name"]]
        head = summary(traces, rs_v)
        if head:
            L += [head[0].upper() + head[1:], ""]
        L.append("| link | player | runs (loaded) | latency median s | latency sd s | stalls | stall s | bitrate kbit/s "
                 "| startup s |")
        L.append("|---|---|---|---|---|---|---|---|---|")
        for name, _, note in traces:
            for p in PLAYERS:
                rs = [r for r in rs_v if r["trace"] == name and r["player"] == p]
                ok = [r for r in rs if r["status"] == "ok"]
                L.append(f"| {name} | {p} | {len(ok)}/{len(rs)} ({sum(r['loaded'] for r in rs)}) | "
                         f"{cell([r['lat_med'] for r in ok], '{:.2f}')} | {cell([r['lat_sd'] for r in ok], '{:.2f}')} | "
                         f"{cell([r['stalls'] for r in ok], '{:.0f}')} | {cell([r['stall_s'] for r in ok], '{:.2f}')} | "
                         f"{cell([r['avg_kbps'] for r in ok], '{:.0f}')} | {cell([r['startup_s'] for r in ok], '{:.2f}')} |")
        L.append("")
    L.append("Links: " + "; ".join(f"`{name}`: {note}" for name, _, note in traces) + ".")
    errs = [f"{r['tag']}: {'; '.join(r['errors'])[:200]}" for r in records if r["status"] != "ok"]
    if errs:
        L += ["", "Failed runs: " + " | ".join(errs)]
    return "\n".join(L) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin", default=os.path.join(REPO, "build", "release", "demo"))
    ap.add_argument("--content", action="append", default=None,
                    help="DIR[:CHUNK_MS]: a content whose ll/ is played (default build/content60:1000); repeatable")
    ap.add_argument("--traces-root", default=None)
    ap.add_argument("--runs", type=int, default=2)
    ap.add_argument("--seconds", type=float, default=30)
    ap.add_argument("--traces", type=int, default=3)
    ap.add_argument("--rtt-ms", type=int, default=40)
    ap.add_argument("--chromium", default="/usr/bin/chromium")
    ap.add_argument("--json", default=os.path.join(REPO, "build", "bench", "ll.json"))
    ap.add_argument("--splice-into", default=None, help="put the '## Low-latency live' section into this file")
    args = ap.parse_args()
    if args.traces_root is None:
        args.traces_root = default_traces_root()
    args.origin = os.path.join(args.bin, "origin", "abrplay-origin")
    args.abrplay = os.path.join(args.bin, "player", "abrplay")
    miss = missing_deps(args.chromium)
    for b in (args.origin, args.abrplay):
        if not os.access(b, os.X_OK):
            miss.append(f"{b} (build the release preset)")
    variants = []
    for arg in args.content or [os.path.join("build", "content60") + ":1000"]:
        path, _, chunk = arg.partition(":")
        d = path if os.path.isabs(path) else os.path.join(REPO, path)
        mpd = os.path.join(d, "ll", "manifest.mpd")
        if not os.path.isfile(mpd):
            miss.append(f"{mpd} (demo/content/make-test-stream DIR --duration 60, or demo/bench/peers/make-2s-stream)")
            continue
        video, _ = content.representations(mpd)
        variants.append({"arg": arg, "dir": d, "name": os.path.basename(os.path.normpath(d)),
                         "chunk_ms": int(chunk or 1000), "segment_s": segment_seconds(mpd),
                         "ladder": [{"bandwidth": r["bandwidth"], "height": r["height"]} for r in video]})
    if miss:
        print("run_ll.py: missing: " + "; ".join(miss), file=sys.stderr)
        return 2
    picked = content.pick_traces(os.path.join(args.traces_root, "pensieve_train"), args.traces)
    traces = [("unshaped", None, "loopback, no shaping")] + \
        [(os.path.basename(p), p, f"recorded (Pensieve FCC/HSDPA set), 80 s mean {m:.2f} Mbit/s") for p, m in picked]
    work = tempfile.mkdtemp(prefix="abrplay-ll-")
    records, t0 = [], time.monotonic()
    for r in range(args.runs):
        for v in variants:
            for i, trace in enumerate(traces):
                order = PLAYERS if (r + i) % 2 == 0 else PLAYERS[::-1]
                for p in order:
                    rec = run_one(args, v, p, trace, work, f"{v['name']}-{trace[0]}-{p}-{r}")
                    print(f"run_ll: {rec['tag']}: {rec['status']} latency {rec.get('lat_med')} stalls "
                          f"{rec.get('stalls')} stall_s {rec.get('stall_s')} kbps {rec.get('avg_kbps')}", file=sys.stderr)
                    records.append(rec)
    minutes = (time.monotonic() - t0) / 60
    os.makedirs(os.path.dirname(args.json), exist_ok=True)
    json.dump(records, open(args.json, "w"), indent=1)
    md = section(args, variants, traces, records, minutes)
    print(md)
    if args.splice_into:
        from bench import splice  # noqa: E402
        headline = [h for h in (summary(traces, [r for r in records if r["content"] == v["name"]], v)
                                for v in variants) if h]
        splice(args.splice_into, [md], headline)
    return 0


if __name__ == "__main__":
    sys.exit(main())
