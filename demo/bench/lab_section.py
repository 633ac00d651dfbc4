"""demo/bench/lab_section.py: the "ABR lab" section of docs/benchmarks.md (the engine on virtual time on
every trace set), called by bench.py's Bench.lab. Standard library only."""
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
    parts, speed = [], ""
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
             "failed"], rows) + "\n")
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
""" + "\n".join(parts)
