"""demo/bench/lab_section.py: the "ABR lab" section of docs/benchmarks.md (the engine on virtual time on
every trace set), called by bench.py's Bench.lab. Standard library only."""
import csv
import json
import os
import shutil
import subprocess
import time

from report import log, table


def lab(bench, traces_root, repo, variant, rtt_ms):
    """The ABR lab (the real engine on virtual time) on every trace set, the test stream."""
    root = traces_root
    sets = sorted(d for d in os.listdir(root) if os.path.isdir(os.path.join(root, d)))
    parts, speed, target_rows = [], "", []
    algos = "bb,bola-e,throughput,robustmpc,dynamic,default"
    for s in sets:
        tdir = os.path.join(bench.work, f"lab-traces-{s}")
        shutil.rmtree(tdir, ignore_errors=True)
        os.makedirs(tdir)
        for f in sorted(os.listdir(os.path.join(root, s))):
            if not f.endswith(".up"):  # Mahimahi uplinks: not a download link
                shutil.copy(os.path.join(root, s, f), tdir)
        js, cs = os.path.join(bench.work, f"lab-{s}.json"), os.path.join(bench.work, f"lab-{s}.csv")
        t0 = time.monotonic()
        r = subprocess.run([bench.tool("sim/abrplay-sim"), "--engine", "--mpd", bench.manifest_path, "--traces", tdir,
                            "--algo", algos, "--rtt-ms", str(rtt_ms), "--json", js, "--csv", cs, "--no-plot"],
                           capture_output=True, text=True)
        if r.returncode != 0:
            parts.append(f"### {s}\n\nabrplay-sim --engine failed: `{r.stderr.strip()}`\n")
            continue
        j = json.load(open(js))
        rows = [[n, f"{v['mean']:.2f}", f"{v['median']:.2f}", f"{v['p10']:.2f}", f"{v['bitrate']:.0f}",
                 f"{v['rebuffer']:.2f}", f"{v['switches']:.1f}", f"{v['startup']:.2f}", str(v.get("failed", 0))]
                for n, v in j["algorithms"].items()]
        algs = j["algorithms"]
        best = max(algs, key=lambda k: algs[k]["mean"])
        bench.headline.append(f"ABR lab (the engine on virtual time), {s} ({j['traces']} traces): mean QoE_lin "
                             f"`default` **{algs['default']['mean']:.2f}**, best `{best}` {algs[best]['mean']:.2f}")
        log(f"lab {s}: {j['traces']} traces x 6 in {time.monotonic() - t0:.1f} s")
        parts.append(f"### {s} ({j['traces']} traces)\n\n" + table(
            ["algorithm", "QoE_lin mean", "median", "p10", "bitrate kbit/s", "rebuffer s", "switches", "startup s",
             "failed"], rows) + "\n\n" + targets(algs) + "\n\n" + halves(cs, list(algs)) + "\n")
        target_rows.append(target_row(s, algs))
    b = subprocess.run([bench.tool("sim/abrplay-sim"), "--engine", "--mpd", bench.manifest_path, "--traces",
                        os.path.join(root, "pensieve_train"), "--algo", "bb,robustmpc,dynamic,default", "--bench"],
                       capture_output=True, text=True)
    if b.returncode == 0:
        speed = "Speed (`--bench`, one thread, 60 s sessions):\n\n```\n" + b.stdout.strip() + "\n```\n"
    return f"""## ABR lab: the engine on virtual time

`abrplay-sim --engine --mpd {variant}/manifest.mpd --traces {os.path.relpath(root, repo)}/SET --algo {algos}
--rtt-ms {rtt_ms}` on every trace set: the player's own streaming engine (load control, fast start,
serial audio/video loading, abandonment) on a virtual clock over a trace-shaped model of the origin's
link ([abr-lab.md](abr-lab.md)), 60 s sessions of the test stream with audio; figures are the player's
own (`engine::SessionMetrics`: QoE_lin of what was shown, per second). `default` is
`abr::kDefaultAlgorithm`. Deterministic: one run per set; Mahimahi uplinks are left out.

{speed}
The ABR issue's lab targets, per set (`default` against the others; a ratio of means is only
meaningful when both are positive, so the difference is given too):

{table(["set", "mean / robustmpc", "mean / best of bb, bola-e, dynamic", "p10 rank", "rebuffer vs bb",
        "startup / lower bound"], target_rows)}

""" + "\n".join(parts)


def _ratio(a, b):
    """'1.07 (+0.41)': a / b when both are positive, else only the difference."""
    diff = f"{a - b:+.2f}"
    return f"{a / b:.2f} ({diff})" if a > 0 and b > 0 else f"n/a ({diff})"


def target_row(name, algs):
    d = algs["default"]
    peers = [k for k in ("bb", "bola-e", "dynamic") if k in algs]
    best = max(peers, key=lambda k: algs[k]["mean"])
    rank = 1 + sum(1 for k, v in algs.items() if k != "default" and v["p10"] > d["p10"])
    reb = d["rebuffer"] - algs["bb"]["rebuffer"] if "bb" in algs else 0.0
    return [name, _ratio(d["mean"], algs["robustmpc"]["mean"]) if "robustmpc" in algs else "n/a",
            f"{_ratio(d['mean'], algs[best]['mean'])} vs `{best}`", f"{rank} of {len(algs)}",
            f"{reb:+.2f} s", f"{d.get('startup_vs_bound', 0):.2f} (max {d.get('startup_vs_bound_max', 0):.2f})"]


def targets(algs):
    """One line: where `default` stands on this set."""
    r = target_row("", algs)
    return (f"`default`: mean / robustmpc {r[1]}; mean / best of bb, bola-e, dynamic {r[2]}; p10 rank {r[3]}; "
            f"rebuffer {r[4]} against bb; startup {r[5]} × the network's lower bound.")


def halves(csv_path, algos):
    """Cross-validation view: the traces split in two by name order (even, odd), each algorithm's mean
    on each half and the default's rank there. Nothing is fitted per set; the halves show how much a
    set's figure depends on which traces it holds."""
    per = {}
    with open(csv_path) as f:
        for r in csv.DictReader(f):
            per.setdefault(r["trace"], {})[r["algorithm"]] = float(r["qoe"])
    names = sorted(per)
    rows, ranks = [], []
    for label, part in (("even", names[0::2]), ("odd", names[1::2])):
        if not part:
            continue
        means = {a: sum(per[t][a] for t in part) / len(part) for a in algos}
        ranks.append(1 + sum(1 for a in algos if a != "default" and means[a] > means["default"]))
        rows.append([f"{label} ({len(part)})"] + [f"{means[a]:.2f}" for a in algos])
    spread = ""
    if len(rows) == 2:
        gap = abs(float(rows[0][1 + algos.index("default")]) - float(rows[1][1 + algos.index("default")]))
        spread = (f"\n\n`default` ranks {ranks[0]} and {ranks[1]} of {len(algos)} on the two halves; its means "
                  f"differ by {gap:.2f}.")
    return "Halves (traces in name order, even and odd):\n\n" + table(["half"] + algos, rows) + spread
