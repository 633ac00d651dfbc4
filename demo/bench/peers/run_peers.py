#!/usr/bin/env python3
"""demo/bench/peers/run_peers.py: abrplay against dash.js and Shaka Player (project issue 16).

The two reference web players (npm dashjs, shaka-player, default settings) play in headless Chromium
(demo/bench/peers/drive.mjs + page.html/page.js); abrplay plays headless (null sinks, 1x real time).
All three fetch from abrplay-origin with the same content, the same recorded/synthetic trace and
40 ms of added RTT; each run gets a fresh origin, so the trace clock starts at that player's first
request. Runs are interleaved (run r of every trace, players in rotating order), and the 1-minute
load average is recorded before and after each run: runs where it exceeded 3.0 are marked
"loaded" and not quoted (unless no other run exists; the table then says so).

Metrics, the same definitions for all players (see docs/benchmarks-peers.md):
  ttff      abrplay: its startup_s; browsers: the player's load() call to the first 'playing' event
  stalls    the media clock stops for > 60 ms while not paused, after the first frame
  bitrate   mean over played media seconds of the on-screen rendition's @bandwidth
  switches  browsers: changes of the on-screen rendition between consecutive played seconds;
            abrplay: its own switch counter
  QoE_lin   sum over played seconds of Mbps/4, minus 4.3 per stall second, minus |delta Mbps|
            between consecutive seconds (abrplay computes it itself, the same way)
  dropped   dropped video frames (browsers: getVideoPlaybackQuality; abrplay: frames_dropped)

Usage: run_peers.py [--quick] [--runs 3] [--seconds 60] [--traces 6] [--out FILE.md] [--json FILE]
Standard library only (+ node for the browser half). Needs demo/bench/peers/install once.
"""
import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True  # no __pycache__ in demo/bench from this script's imports
HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
sys.path.insert(0, os.path.join(REPO, "demo", "bench"))
import content  # noqa: E402
from procs import Origin  # noqa: E402

PLAYERS = ["abrplay", "dashjs", "shaka"]
LOADED = 3.0


def missing_deps(chromium):
    missing = []
    if not (os.path.isfile(chromium) and os.access(chromium, os.X_OK)):
        missing.append(f"chromium ({chromium}; Debian package 'chromium')")
    if not shutil.which("node"):
        missing.append("node (Debian package 'nodejs')")
    for pkg in ("dashjs", "shaka-player", "playwright-core"):
        if not os.path.isfile(os.path.join(HERE, "node_modules", pkg, "package.json")):
            missing.append(f"npm package {pkg} (demo/bench/peers/node_modules)")
    return missing


def default_traces_root():
    """../shared/traces next to the checkout when it is there, else the copies in tests/data."""
    shared = os.path.join(REPO, "..", "shared", "traces")
    return shared if os.path.isdir(shared) else os.path.join(REPO, "tests", "data", "traces")


def write_trace(path, segments, total_s=600):
    """Pensieve-format trace from [(until_s, mbps), ...] (the last rate holds until total_s)."""
    with open(path, "w") as f:
        for t in range(total_s + 1):
            mbps = next((m for until, m in segments if t < until), segments[-1][1])
            f.write(f"{t}\t{mbps}\n")
    return path


def make_traces(args, tmp):
    """[(name, path, note)]: recorded traces picked by content.pick_traces (deterministic: Pensieve-
    format traces of pensieve_train whose 80 s mean is 1.0-4.5 Mbit/s, evenly spaced in name order),
    then a step-down and a below-the-lowest-rung trace (times scaled to the playback length)."""
    folder = os.path.join(args.traces_root, "pensieve_train")
    picked = content.pick_traces(folder, args.traces)
    out = [(os.path.basename(p), p, f"recorded, 80 s mean {m:.2f} Mbit/s") for p, m in picked]
    k = args.seconds / 60.0
    step = write_trace(os.path.join(tmp, "step-down.txt"), [(round(20 * k), 4.0), (10 ** 9, 0.8)])
    drop = write_trace(os.path.join(tmp, "drop-below-lowest.txt"),
                       [(round(20 * k), 3.0), (round(35 * k), 0.25), (10 ** 9, 3.0)])
    out.append(("step-down", step, f"4 Mbit/s for {round(20 * k)} s, then 0.8 Mbit/s"))
    out.append(("drop-below-lowest", drop,
                f"3 Mbit/s, 0.25 Mbit/s from {round(20 * k)} s to {round(35 * k)} s, then 3 Mbit/s"))
    if args.quick:
        out = [out[0], out[-1]]
    return out


def browser_metrics(b):
    """The common metrics from page.js's raw measurements."""
    played = float(b.get("played_s") or 0)
    secs = b.get("seconds_kbps") or []
    samples, last = [], None
    for s in range(int(played)):
        v = secs[s] if s < len(secs) else None
        if v is None:
            v = last  # no frame presented in that second (dropped): the previous rendition stays on screen
        if v:
            samples.append(v)
            last = v
    stalls = b.get("stalls") or []
    stall_s = sum(x["dur_ms"] for x in stalls) / 1000.0
    # Underruns: stalls with under 0.5 s buffered ahead when detected; the others are the browser's
    # decode/render hiccups (the media clock stopped although data was there). Both count as stalls.
    underruns = [x for x in stalls if (x.get("buffered_ahead_s") or 0) < 0.5]
    switches = sum(1 for a, c in zip(samples, samples[1:]) if a != c)
    smooth = sum(abs(a - c) for a, c in zip(samples, samples[1:])) / 1000.0
    utility = sum(samples) / 1000.0 / 4.0
    return {
        "ttff_s": b["ttff_ms"] / 1000.0 if b.get("ttff_ms") is not None else None,
        "stalls": len(stalls), "stall_s": stall_s,
        "underruns": len(underruns), "underrun_s": sum(x["dur_ms"] for x in underruns) / 1000.0,
        "avg_kbps": statistics.mean(samples) if samples else None,
        "switches": switches, "qoe_lin": utility - 4.3 * stall_s - smooth if samples else None,
        "dropped": b.get("dropped_frames"), "frames": b.get("total_frames"), "played_s": played,
    }


def run_one(args, player, trace, seconds, work, tag, ladder, content_dir):
    rec = {"player": player, "trace": trace[0] if trace else "unshaped", "tag": tag,
           "content": os.path.basename(os.path.normpath(content_dir)),
           "load_before": os.getloadavg()[0], "status": "error", "errors": []}
    log = os.path.join(work, f"{tag}.origin.jsonl")
    out = os.path.join(work, f"{tag}.json")
    timeout = seconds * 2 + 60
    try:
        with Origin(args.origin, content_dir, trace=trace[1] if trace else None, rtt_ms=args.rtt_ms, log=log) as o:
            url = o.url(f"{args.variant}/manifest.mpd")
            if player == "abrplay":
                try:
                    p = subprocess.run([args.abrplay, url, "--headless", "--json-summary", out, "--duration", str(seconds)],
                                       stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                       timeout=timeout, text=True)
                    if not os.path.exists(out):
                        rec["errors"].append(f"rc {p.returncode}: " + p.stderr[-300:])
                    else:
                        s = json.load(open(out))
                        rec["raw"] = s
                        rec.update({"ttff_s": s.get("startup_s"), "first_frame_s": s.get("first_frame_s"), "stalls": s.get("stalls"), "stall_s": s.get("stall_s"),
                                    "avg_kbps": s.get("average_bitrate_kbps"), "switches": s.get("switches"),
                                    "qoe_lin": s.get("qoe_lin"), "dropped": s.get("frames_dropped"),
                                    "frames": s.get("frames_presented"), "played_s": s.get("played_s")})
                        if s.get("error"):
                            rec["errors"].append(s["error"])
                        rec["status"] = "ok" if s.get("startup_s") is not None and not s.get("error") else "error"
                except subprocess.TimeoutExpired:
                    rec["status"] = "timeout"
            else:
                try:
                    subprocess.run(["node", os.path.join(HERE, "drive.mjs"), "--player", player, "--url", url,
                                    "--seconds", str(seconds), "--ladder", json.dumps(ladder), "--out", out,
                                    "--timeout", str(timeout), "--chromium", args.chromium],
                                   stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                   timeout=timeout + 60, cwd=HERE)
                    b = json.load(open(out))
                    rec["raw"] = {k: v for k, v in b.items() if k != "seconds_height"}
                    rec["errors"] += b.get("errors", [])
                    rec["status"] = b.get("status", "error")
                    rec["version"] = b.get("version")
                    rec.update(browser_metrics(b))
                except subprocess.TimeoutExpired:
                    rec["status"] = "timeout"
                except (OSError, ValueError) as e:
                    rec["errors"].append(f"drive.mjs: {e}")
    except RuntimeError as e:
        rec["errors"].append(str(e))
    rec["load_after"] = os.getloadavg()[0]
    rec["loaded"] = max(rec["load_before"], rec["load_after"]) > LOADED
    return rec


def fmt(v, spec="{:.2f}"):
    return "-" if v is None else spec.format(v)


def summarize(runs):
    """Per group: quoted runs = ok and not loaded (all ok runs when none is unloaded; flagged)."""
    ok = [r for r in runs if r["status"] == "ok"]
    quoted = [r for r in ok if not r["loaded"]]
    flagged = False
    if not quoted and ok:
        quoted, flagged = ok, True

    def vals(k):
        return [r[k] for r in quoted if r.get(k) is not None]

    def mean(k):
        v = vals(k)
        return statistics.mean(v) if v else None

    t = vals("ttff_s")
    ff = vals("first_frame_s")
    return {"n": len(runs), "ok": len(ok), "quoted": len(quoted), "flagged": flagged,
            "loaded": sum(1 for r in runs if r["loaded"]),
            "errors": sum(1 for r in runs if r["status"] == "error"),
            "timeouts": sum(1 for r in runs if r["status"] == "timeout"),
            "ttff_med": statistics.median(t) if t else None, "ttff_min": min(t) if t else None,
            "ttff_max": max(t) if t else None, "stalls": mean("stalls"), "stall_s": mean("stall_s"),
            "underruns": mean("underruns"), "underrun_s": mean("underrun_s"),
            "avg_kbps": mean("avg_kbps"), "switches": mean("switches"), "qoe_lin": mean("qoe_lin"),
            "dropped": mean("dropped"), "ttffs": t, "qoes": vals("qoe_lin"),
            "first_frame_med": statistics.median(ff) if ff else None}


def status_cell(s):
    parts = [f"{s['quoted']}/{s['n']}"]
    if s["errors"]:
        parts.append(f"{s['errors']} error")
    if s["timeouts"]:
        parts.append(f"{s['timeouts']} timeout")
    if s["loaded"]:
        parts.append(f"{s['loaded']} loaded" + (" (quoted anyway: no other run)" if s["flagged"] else ""))
    return ", ".join(parts)


def ttff_cell(s):
    if s["ttff_med"] is None:
        return "-"
    cell = f"{s['ttff_med']:.2f} ({s['ttff_min']:.2f}-{s['ttff_max']:.2f})"
    if s.get("first_frame_med") is not None:  # abrplay: load to its first frame presented as well
        cell += f"; first frame {s['first_frame_med']:.2f}"
    return cell


def report(args, traces, records, versions, contents, commands):
    """contents: [(label, runs per trace and player)]; commands: [(command line, minutes)]."""
    L = ["## Peers", ""]
    labels = [label for label, _ in contents]
    runs = ", ".join(f"`{label}` {n} run(s)" for label, n in contents)
    cmds = "; ".join(f"`{c}`" + (f" ({m:.0f} min)" if m else "") for c, m in commands)
    L.append(f"abrplay against dash.js {versions.get('dashjs') or '?'} and Shaka Player {versions.get('shaka') or '?'} "
             f"(default settings, headless Chromium {versions.get('chromium') or '?'}), the same abrplay-origin, "
             f"content {', '.join('`' + l + '/' + args.variant + '/`' for l in labels)} (60 s, H.264 300k-4300k; "
             f"`-2s`: 2 s segments, else 4 s), {args.rtt_ms} ms RTT, {args.seconds:g} s of playback, "
             f"runs per trace and player: {runs}, interleaved, a fresh origin per run. "
             f"Command{'s' if len(commands) > 1 else ''}: {cmds}."
             + (" **Quick run (--quick): 1 run, 2 traces, 20 s; not the full benchmark.**" if args.quick else ""))
    L.append("")
    L.append("Runs: quoted/total; a run is *loaded* (not quoted) when the 1-minute load average exceeded "
             f"{LOADED} before or after it. ttff: median (min-max) s. Other columns: mean of the quoted runs. "
             "Browser stalls: the media clock stopped > 60 ms while playing; in parentheses the underruns "
             "among them (< 0.5 s buffered ahead; the rest are decode/render hiccups with data buffered). "
             "abrplay's stalls are its buffering state after the first frame (underruns by construction; its "
             "null sinks have no render hiccups). QoE_lin counts all stall seconds.")
    L.append("")
    heads = []
    for label in labels:
        sel = [r for r in records if r["content"] == label]
        ttffs = {p: [] for p in PLAYERS}
        qoe_by_trace = {}
        stall_by_trace = {}
        for name, path, note in traces:
            L.append(f"### {label}: {name}")
            L.append("")
            L.append(f"{note}.")
            L.append("")
            L.append("| player | runs | ttff s | stalls (underruns) | stall s (underrun s) | bitrate kbit/s | switches "
                     "| QoE_lin | dropped frames |")
            L.append("|---|---|---|---|---|---|---|---|---|")
            for p in PLAYERS:
                s = summarize([r for r in sel if r["trace"] == name and r["player"] == p])
                qoe_by_trace.setdefault(name, {})[p] = s["qoe_lin"]
                stall_by_trace.setdefault(name, {})[p] = s["stall_s"]
                ttffs[p] += s["ttffs"]
                und = lambda k, f: "" if s[k] is None else f" ({fmt(s[k], f)})"  # noqa: E731
                L.append(f"| {p} | {status_cell(s)} | {ttff_cell(s)} | {fmt(s['stalls'], '{:.1f}')}{und('underruns', '{:.1f}')} | "
                         f"{fmt(s['stall_s'])}{und('underrun_s', '{:.2f}')} | "
                         f"{fmt(s['avg_kbps'], '{:.0f}')} | {fmt(s['switches'], '{:.1f}')} | {fmt(s['qoe_lin'])} | "
                         f"{fmt(s['dropped'], '{:.0f}')} |")
            L.append("")
        # Headline: mean over traces of the per-trace mean QoE_lin (traces every player completed),
        # the median ttff over all quoted shaped runs; ratios against the better peer.
        complete = [n for n, q in qoe_by_trace.items() if all(q[p] is not None for p in PLAYERS)]
        qoe = {p: (statistics.mean(qoe_by_trace[n][p] for n in complete) if complete else None) for p in PLAYERS}
        ttff = {p: (statistics.median(ttffs[p]) if ttffs[p] else None) for p in PLAYERS}
        if all(qoe[p] is not None for p in PLAYERS):
            best = max(("dashjs", "shaka"), key=lambda p: qoe[p])
            ratio = (f"{qoe['abrplay'] / qoe[best]:.2f}x" if qoe[best] > 0 and qoe["abrplay"] > 0 else
                     f"n/a (a QoE_lin is not positive; difference {qoe['abrplay'] - qoe[best]:+.2f})")
            heads.append(f"- {label}, mean QoE_lin over the {len(complete)} trace(s) every player completed: abrplay "
                         f"{qoe['abrplay']:.2f}, dash.js {qoe['dashjs']:.2f}, Shaka {qoe['shaka']:.2f}; "
                         f"abrplay / better peer ({best}) = **{ratio}** (higher is better)")
            # The per-trace targets: abrplay's QoE_lin against the better peer's on each trace, and its
            # stall seconds against each peer's.
            per = []
            for n in complete:
                q = qoe_by_trace[n]
                b = max(q["dashjs"], q["shaka"])
                per.append((n, q["abrplay"] / b if b > 0 and q["abrplay"] > 0 else None, q["abrplay"] - b))
            below = [f"{n} ({r:.2f}x)" if r is not None else f"{n} ({d:+.2f})" for n, r, d in per
                     if (r is not None and r < 1.0) or (r is None and d < 0)]
            lowest = min((x for x in per if x[1] is not None), key=lambda x: x[1], default=None)
            heads.append(f"- {label}, per trace: abrplay's QoE_lin / the better peer's is lowest on "
                         + (f"{lowest[0]} ({lowest[1]:.2f}x)" if lowest else "n/a")
                         + "; below 1.0x on " + (", ".join(below) if below else "no trace"))
            more = [f"{n} ({st['abrplay']:.2f} s vs {min(st['dashjs'], st['shaka']):.2f} s)"
                    for n, st in stall_by_trace.items() if n in complete and all(st[p] is not None for p in PLAYERS)
                    and st["abrplay"] > min(st["dashjs"], st["shaka"]) + 1e-9]
            heads.append(f"- {label}, stall seconds: abrplay more than a peer on "
                         + (", ".join(more) if more else "no trace"))
        else:
            heads.append(f"- {label}, mean QoE_lin: not available (a player completed no trace)")
        if all(ttff[p] is not None for p in PLAYERS):
            best = min(("dashjs", "shaka"), key=lambda p: ttff[p])
            heads.append(f"- {label}, median ttff over the shaped runs: abrplay {ttff['abrplay']:.2f} s, dash.js "
                         f"{ttff['dashjs']:.2f} s, Shaka {ttff['shaka']:.2f} s; abrplay / better peer ({best}) = "
                         f"**{ttff['abrplay'] / ttff[best]:.2f}x** (lower is better)")
        else:
            heads.append(f"- {label}, median ttff: not available (a player never started)")
    L.append(f"### Unshaped origin (ttff only, {labels[0]}, {args.unshaped_seconds:g} s of playback)")
    L.append("")
    L.append("| player | runs | ttff s |")
    L.append("|---|---|---|")
    unshaped = {}
    for p in PLAYERS:
        s = summarize([r for r in records if r["trace"] == "unshaped" and r["player"] == p])
        unshaped[p] = s["ttff_med"]
        L.append(f"| {p} | {status_cell(s)} | {ttff_cell(s)} |")
    L.append("")
    if all(unshaped[p] is not None for p in PLAYERS):
        best = min(("dashjs", "shaka"), key=lambda p: unshaped[p])
        heads.append(f"- unshaped origin, median ttff: abrplay {unshaped['abrplay']:.2f} s, dash.js "
                     f"{unshaped['dashjs']:.2f} s, Shaka {unshaped['shaka']:.2f} s; abrplay / better peer ({best}) = "
                     f"**{unshaped['abrplay'] / unshaped[best]:.2f}x** (lower is better)")
    L.append("### Headline")
    L.append("")
    L += heads
    L.append("")
    return "\n".join(L) + "\n"


def splice(path, section):
    """Replaces the '## Peers' section of the markdown file at path (up to the next '## '), or appends it."""
    try:
        doc = open(path).read()
    except OSError:
        doc = "# Benchmarks (generated)\n"
    section = section.strip() + "\n"
    m = re.search(r"^## Peers\b.*?(?=^## |\Z)", doc, flags=re.S | re.M)
    doc = doc[:m.start()] + section + "\n" + doc[m.end():] if m else doc.rstrip() + "\n\n" + section
    with open(path, "w") as f:
        f.write(doc)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin", default=os.path.join(REPO, "build", "release", "demo"))
    ap.add_argument("--content", action="append", default=None,
                    help="DIR[:RUNS]: a content folder holding VARIANT/manifest.mpd (repeatable, e.g. build/content60 "
                         "and build/content60-2s:1 from make-2s-stream), with its own number of runs (default "
                         "--runs); default build/content60")
    ap.add_argument("--variant", default="number")
    ap.add_argument("--traces-root", default=None)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--traces", type=int, default=6, help="recorded traces to pick (plus 2 synthetic)")
    ap.add_argument("--unshaped-seconds", type=float, default=5)
    ap.add_argument("--unshaped-runs", type=int, default=None, help="default: the first content's runs")
    ap.add_argument("--merge", default=None,
                    help="the .json of an earlier run on the same traces: its runs join this report (e.g. a "
                         "2 s-segment run added to a full run)")
    ap.add_argument("--rtt-ms", type=int, default=40)
    ap.add_argument("--quick", action="store_true", help="1 run, 2 traces (1 recorded + the drop), 20 s")
    ap.add_argument("--chromium", default="/usr/bin/chromium")
    ap.add_argument("--out", default=os.path.join(REPO, "build", "bench", "peers.md"))
    ap.add_argument("--json", default=None, help="raw runs (default: --out with .json)")
    ap.add_argument("--work", default=None)
    ap.add_argument("--splice-into", default=None,
                    help="also put the '## Peers' section into this markdown file (replacing an earlier one)")
    ap.add_argument("--command", default="demo/bench/peers/run_peers.py " + " ".join(sys.argv[1:]))
    args = ap.parse_args()
    if args.quick:
        args.runs, args.seconds = 1, 20
    if args.traces_root is None:
        args.traces_root = default_traces_root()
    args.origin = os.path.join(args.bin, "origin", "abrplay-origin")
    args.abrplay = os.path.join(args.bin, "player", "abrplay")
    miss = missing_deps(args.chromium)
    deps_missing = bool(miss)
    for b in (args.origin, args.abrplay):
        if not os.access(b, os.X_OK):
            miss.append(f"{b} (build the release preset)")
    if not args.content:
        args.content = [os.path.join(REPO, "build", "content60")]
    runs_of = {}
    for i, c in enumerate(args.content):
        path, _, n = c.rpartition(":")
        if path and n.isdigit():
            c = path
        args.content[i] = os.path.abspath(c)
        runs_of[args.content[i]] = int(n) if path and n.isdigit() else args.runs
    if args.unshaped_runs is None:
        args.unshaped_runs = runs_of[args.content[0]]
    merged = None
    if args.merge:
        try:
            merged = json.load(open(args.merge))
        except (OSError, ValueError) as e:
            print(f"run_peers.py: --merge {args.merge}: {e}", file=sys.stderr)
            return 2
    ladders = {}
    for c in args.content:
        manifest = os.path.join(c, args.variant, "manifest.mpd")
        if not os.path.isfile(manifest):
            hint = "demo/bench/peers/make-2s-stream " + c if c.rstrip("/").endswith("-2s") else \
                f"demo/content/make-test-stream {c} --duration 60"
            miss.append(f"{manifest} ({hint})")
        else:
            video, _ = content.representations(manifest)
            ladders[c] = [{"bandwidth": r["bandwidth"], "height": r["height"]} for r in video]
    if miss:
        print("run_peers.py: missing:\n  " + "\n  ".join(miss), file=sys.stderr)
        if deps_missing:
            print("install the browser and npm packages with: demo/bench/peers/install", file=sys.stderr)
        return 1
    work = args.work or tempfile.mkdtemp(prefix="abrplay-peers-")
    os.makedirs(work, exist_ok=True)
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    traces = make_traces(args, work)
    if merged and [t[0] for t in merged["traces"]] != [t[0] for t in traces]:
        print(f"run_peers.py: --merge {args.merge} ran other traces: "
              f"{[t[0] for t in merged['traces']]} vs {[t[0] for t in traces]}", file=sys.stderr)
        return 2
    t0 = time.monotonic()
    records = []
    plan = []
    for r in range(max(list(runs_of.values()) + [args.unshaped_runs])):
        for c in args.content:
            if r >= runs_of[c]:
                continue
            cl = os.path.basename(os.path.normpath(c))
            for i, tr in enumerate(traces):
                order = PLAYERS[(r + i) % 3:] + PLAYERS[:(r + i) % 3]
                plan += [(p, tr, args.seconds, f"r{r}-{cl}-{tr[0][:40]}-{p}", c) for p in order]
        if r < args.unshaped_runs:
            order = PLAYERS[r % 3:] + PLAYERS[:r % 3]
            plan += [(p, None, args.unshaped_seconds, f"r{r}-unshaped-{p}", args.content[0]) for p in order]
    for k, (p, tr, secs, tag, c) in enumerate(plan):
        rec = run_one(args, p, tr, secs, work, tag, ladders[c], c)
        records.append(rec)
        print(f"[{k + 1}/{len(plan)}] {rec['content'][:14]:14s} {rec['trace'][:32]:32s} {p:8s} {rec['status']:7s} "
              f"ttff {fmt(rec.get('ttff_s'))} stall_s {fmt(rec.get('stall_s'))} kbps {fmt(rec.get('avg_kbps'), '{:.0f}')} "
              f"qoe {fmt(rec.get('qoe_lin'))} load {rec['load_before']:.1f}/{rec['load_after']:.1f}"
              + (f" errors: {rec['errors'][:2]}" if rec["errors"] else ""), flush=True)
    versions = {"dashjs": next((r.get("version") for r in records if r["player"] == "dashjs" and r.get("version")), None),
                "shaka": next((r.get("version") for r in records if r["player"] == "shaka" and r.get("version")), None),
                "chromium": next((r["raw"].get("chromium_version") for r in records
                                  if r["player"] != "abrplay" and r.get("raw", {}).get("chromium_version")), None)}
    contents = [(os.path.basename(os.path.normpath(c)), runs_of[c]) for c in args.content if runs_of[c] > 0]
    commands = [(args.command, (time.monotonic() - t0) / 60)]
    if merged:  # the earlier run's contents, runs and command come first
        old = merged.get("contents") or [[os.path.basename(os.path.normpath(c)), merged["args"]["runs"]]
                                         for c in merged["args"]["content"]]
        contents = [tuple(x) for x in old] + [x for x in contents if x[0] not in {o[0] for o in old}]
        commands = [tuple(x) for x in merged.get("commands") or [(merged["args"]["command"], None)]] + commands
        records = merged["runs"] + records
        for k, v in merged.get("versions", {}).items():
            versions[k] = versions.get(k) or v
    md = report(args, traces, records, versions, contents, commands)
    with open(args.out, "w") as f:
        f.write(md)
    jpath = args.json or os.path.splitext(args.out)[0] + ".json"
    with open(jpath, "w") as f:
        json.dump({"args": {k: v for k, v in vars(args).items()}, "traces": traces, "versions": versions,
                   "contents": contents, "commands": commands, "runs": records}, f, indent=1)
    print(md)
    print(f"run_peers.py: wrote {args.out} and {jpath}")
    if args.splice_into:
        splice(args.splice_into, md)
        print(f"run_peers.py: the Peers section is in {args.splice_into}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
