#!/usr/bin/env python3
"""demo/bench/lab_validate.py: the ABR lab against real time, trace by trace.

For each trace: `abrplay-sim --engine` (the real engine on virtual time over the lab's network
model) and `abrplay URL --no-decode` (the same engine in real time, libcurl, on
`abrplay-origin --trace T --rtt-ms R`), same content, same algorithm, same duration. Per trace it
reports startup (lab vs real), stall seconds, mean played video bitrate and the share of segments
for which both chose the same representation, and whether the targets hold:
  bitrate within 5 %, stall time within 0.5 s, the same representation for >= 90 % of segments.

  demo/bench/lab_validate.py --bin build/release/demo --content build/content/number/manifest.mpd \
      (--traces T1 T2 ... | --traces-root ../shared/traces) [--algo default] [--rtt-ms 40] [--duration 60]
      [--markdown FILE] [--strict] [--real-twice]

--traces-root picks 10 traces deterministically: 4 of pensieve_train and 3 of fcc_train (in name
order, evenly spaced among those whose 80 s mean is 1.0-4.5 Mbit/s: demo/bench/content.py's
pick_traces; an fcc_train file with the numbers of one already picked is skipped), the first and the
middle Mahimahi downlink of mahimahi_cellular, and the first Sabre trace.

--strict: exit 1 when a target is missed.
--real-twice: play each trace a second time in real time and report real against real too: the
noise floor (a decision on a threshold can go either way between two real runs of the same trace).
"""
import argparse
import glob
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import content  # noqa: E402
import procs  # noqa: E402


def pick(root):
    def digest(p):  # of the numbers: the same trace with other line endings or spacing is the same trace
        with open(p, "rb") as f:
            return hashlib.md5(b"\n".join(b" ".join(line.split()) for line in f.read().splitlines())).hexdigest()
    picked = [p for p, _ in content.pick_traces(os.path.join(root, "pensieve_train"), 4)]
    taken = {digest(p) for p in picked}
    fcc = [p for p, _ in content.pick_traces(os.path.join(root, "fcc_train"), 40) if digest(p) not in taken]
    step = max(1, len(fcc) // 3)
    picked += [fcc[i * step] for i in range(min(3, len(fcc)))]
    downs = sorted(glob.glob(os.path.join(root, "mahimahi_cellular", "*.down")))
    if downs:
        picked += [downs[0], downs[len(downs) // 2]]
    picked += sorted(glob.glob(os.path.join(root, "sabre_fcc_sample", "*.json")))[:1]
    return picked


def lab_session(a, trace, work):
    tdir = os.path.join(work, "trace")
    shutil.rmtree(tdir, ignore_errors=True)
    os.makedirs(tdir)
    shutil.copy(trace, tdir)
    out = os.path.join(work, "lab.json")
    args = [os.path.join(a.bin, "sim/abrplay-sim"), "--engine", "--mpd", a.content, "--traces", tdir,
            "--algo", a.algo, "--rtt-ms", str(a.rtt_ms), "--duration", str(a.duration), "--no-plot",
            "--sessions-json", out, "--jobs", "1"]
    r = subprocess.run(args, capture_output=True, text=True, timeout=600)
    if r.returncode != 0:
        raise RuntimeError("abrplay-sim failed: " + r.stderr)
    with open(out) as f:
        return json.load(f)[0]


def real_session(a, trace, work):
    root = os.path.dirname(os.path.dirname(os.path.abspath(a.content)))
    rel = os.path.relpath(os.path.abspath(a.content), root)
    out = os.path.join(work, "real.json")
    with procs.Origin(os.path.join(a.bin, "origin/abrplay-origin"), root, trace, a.rtt_ms) as o:
        args = [os.path.join(a.bin, "player/abrplay"), o.url(rel), "--no-decode", "--abr", a.algo,
                "--duration", str(a.duration), "--json-summary", out]
        r = subprocess.run(args, capture_output=True, text=True, timeout=a.duration * 4 + 120)
    if r.returncode != 0:
        raise RuntimeError("abrplay failed: " + r.stderr[-2000:])
    with open(out) as f:
        return json.load(f)


def compare(lab, real, played_s):
    lr, rr = lab["video_representations"], real["video_representations"]
    # Only the segments that both played count: the run may stop at a slightly different point.
    seg_s = played_s / max(1, len(rr))
    n = min(len(lr), len(rr))
    same = sum(1 for i in range(n) if lr[i] == rr[i])
    share = same / n if n else 0.0
    lb, rb = lab["bitrate_kbps"], real["average_bitrate_kbps"]
    bitrate_dev = abs(lb - rb) / rb if rb else (0.0 if lb == 0 else 1.0)
    stall_diff = abs(lab["stall_s"] - real["stall_s"])
    return {"segments": n, "same_share": share, "bitrate_dev": bitrate_dev, "stall_diff": stall_diff,
            "ok": bitrate_dev <= 0.05 and stall_diff <= 0.5 and share >= 0.90, "seg_s": seg_s}


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--bin", required=True, help="the build's demo/ folder (holds sim/, player/, origin/)")
    p.add_argument("--content", required=True, help="the manifest (its folder's parent is served)")
    p.add_argument("--traces", nargs="+")
    p.add_argument("--traces-root", help="pick 10 traces from these sets (see above)")
    p.add_argument("--algo", default="default")
    p.add_argument("--rtt-ms", type=int, default=40)
    p.add_argument("--duration", type=int, default=60)
    p.add_argument("--markdown", help="write the table here")
    p.add_argument("--strict", action="store_true")
    p.add_argument("--real-twice", action="store_true")
    a = p.parse_args()
    if not a.traces and not a.traces_root:
        p.error("give --traces or --traces-root")
    if not a.traces:
        a.traces = pick(a.traces_root)
    rows, all_ok = [], True
    with tempfile.TemporaryDirectory(prefix="lab-validate-") as work:
        for trace in a.traces:
            lab = lab_session(a, trace, work)
            real = real_session(a, trace, work)
            c = compare(lab, real, real["played_s"])
            if a.real_twice:
                again = real_session(a, trace, work)
                again["bitrate_kbps"] = again["average_bitrate_kbps"]
                rr = compare(again, real, real["played_s"])
                c["real_vs_real"] = rr
                print(f"  real vs real: bitrate {100 * rr['bitrate_dev']:.1f} %, same rendition "
                      f"{100 * rr['same_share']:.0f} %, stall {rr['stall_diff']:.2f} s", flush=True)
            all_ok &= c["ok"]
            row = {"trace": os.path.basename(trace), "lab": lab, "real": real, **c}
            rows.append(row)
            print(f"{row['trace']}: startup lab {lab['startup_s']:.3f} s real {real['startup_s']:.3f} s | "
                  f"stall lab {lab['stall_s']:.2f} s real {real['stall_s']:.2f} s | "
                  f"bitrate lab {lab['bitrate_kbps']:.0f} real {real['average_bitrate_kbps']:.0f} kbit/s "
                  f"({100 * c['bitrate_dev']:.1f} %) | same rendition {100 * c['same_share']:.0f} % of {c['segments']} "
                  f"| {'ok' if c['ok'] else 'MISSED'}", flush=True)
    twice = " real vs real (bitrate dev, same rendition) |" if a.real_twice else ""
    lines = ["| trace | startup lab / real (s) | stall s lab / real | bitrate kbit/s lab / real (dev) | same rendition | targets |" + twice,
             "|---|---|---|---|---|---|" + ("---|" if a.real_twice else "")]
    for r in rows:
        lab, real = r["lab"], r["real"]
        lines.append(f"| `{r['trace']}` | {lab['startup_s']:.3f} / {real['startup_s']:.3f} | {lab['stall_s']:.2f} / "
                     f"{real['stall_s']:.2f} | {lab['bitrate_kbps']:.0f} / {real['average_bitrate_kbps']:.0f} "
                     f"({100 * r['bitrate_dev']:.1f} %) | {100 * r['same_share']:.0f} % of {r['segments']} | "
                     f"{'met' if r['ok'] else 'missed'} |" +
                     (f" {100 * r['real_vs_real']['bitrate_dev']:.1f} %, {100 * r['real_vs_real']['same_share']:.0f} % |"
                      if a.real_twice else ""))
    if a.markdown:
        with open(a.markdown, "w") as f:
            f.write("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 1 if a.strict and not all_ok else 0


if __name__ == "__main__":
    sys.exit(main())
