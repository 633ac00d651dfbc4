#!/usr/bin/env python3
"""Recomputes abrplay-report --fleet's figures from the raw telemetry JSONL, independently of the C++
code (docs/telemetry.md, "Fleet analytics", defines them), and compares them with its JSON output.

    fleet_recompute.py FLEET.jsonl REPORT.json [--period hour|day|all] [--a A --b B]

Prints "figures match (N checked)" and exits 0, or lists every difference and exits 1. The A/B
intervals use Student's t from the exact distribution (incomplete beta function), so they also check
the report's approximation of it.
"""
import argparse
import datetime
import json
import math
import sys
import urllib.parse


def parse_wall(text):
    return datetime.datetime.strptime(text.replace("Z", "+0000"),
                                      "%Y-%m-%dT%H:%M:%S.%f%z" if "." in text else "%Y-%m-%dT%H:%M:%S%z").timestamp()


def authority(url):
    return urllib.parse.urlsplit(url).netloc


def load(path):
    sessions = {}
    with open(path) as f:
        for line in f:
            if not line.strip():
                continue
            doc = json.loads(line)
            for p in doc if isinstance(doc, list) else [doc]:
                sessions.setdefault(p["session_id"], []).append(p)
    records = []
    for sid, ps in sessions.items():
        def most(key):
            values = [p[key] for p in ps if p.get(key) is not None]
            return max(values) if values else ""
        final = next((p for p in ps if p["event"] == "final"), None)
        errors = {}
        for p in ps:
            for e in p.get("errors", []):
                errors.setdefault(e["code"], [e["name"], 0])[1] += 1
        cdn = most("cdn")
        records.append({
            "id": sid,
            "started_s": min(parse_wall(p["wall_time"]) - p["session_time_s"] for p in ps),
            "cdn": authority(cdn) if cdn else "", "abr": most("abr"), "title": most("content_id"),
            "device": most("device"), "version": final.get("library_version", "") if final else "",
            "final": final, "errors": errors,
        })
    return records


def percentile(values, q):
    if not values:
        return None
    v = sorted(values)
    pos = (len(v) - 1) * q
    lo = math.floor(pos)
    hi = min(lo + 1, len(v) - 1)
    return v[lo] + (v[hi] - v[lo]) * (pos - lo)


def summarize(group):
    g = {"sessions": len(group), "ended": 0, "join_failures": 0, "played_s": 0.0, "rebuffer_s": 0.0, "stalls": 0,
         "switches": 0}
    startups, weighted, qoes, errors = [], 0.0, [], {}
    for s in group:
        for code, (name, count) in s["errors"].items():
            errors.setdefault(code, [name, 0])[1] += count
        f = s["final"]
        if f is None:
            continue
        g["ended"] += 1
        if "startup_s" not in f:
            g["join_failures"] += 1
            continue
        startups.append(f["startup_s"])
        g["played_s"] += f["played_s"]
        g["rebuffer_s"] += f["rebuffer_s"]
        g["stalls"] += f["rebuffer_count"]
        g["switches"] += f["switch_count"]
        weighted += f["average_bitrate_kbps"] * f["played_s"]
        qoes.append(f["qoe_lin"])
    g["startup_s"] = {"n": len(startups), "p50": percentile(startups, 0.5), "p95": percentile(startups, 0.95),
                      "p99": percentile(startups, 0.99)}
    watched = g["played_s"] + g["rebuffer_s"]
    g["rebuffer_ratio"] = g["rebuffer_s"] / watched if watched > 0 else None
    minutes = g["played_s"] / 60
    g["stalls_per_minute"] = g["stalls"] / minutes if minutes > 0 else None
    g["switches_per_minute"] = g["switches"] / minutes if minutes > 0 else None
    g["average_bitrate_kbps"] = weighted / g["played_s"] if g["played_s"] > 0 else None
    g["qoe_lin_mean"] = sum(qoes) / len(qoes) if qoes else None
    g["errors"] = [{"code": c, "name": n, "count": k} for c, (n, k) in sorted(errors.items())]
    return g


def betacf(a, b, x):
    qab, qap, qam = a + b, a + 1, a - 1
    c, d = 1.0, 1 - qab * x / qap
    d = 1 / (d if abs(d) > 1e-300 else 1e-300)
    h = d
    for m in range(1, 300):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1 + aa * d
        d = 1 / (d if abs(d) > 1e-300 else 1e-300)
        c = 1 + aa / c
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1 + aa * d
        d = 1 / (d if abs(d) > 1e-300 else 1e-300)
        c = 1 + aa / c
        de = d * c
        h *= de
        if abs(de - 1) < 1e-15:
            break
    return h


def betai(a, b, x):
    if x <= 0 or x >= 1:
        return 0.0 if x <= 0 else 1.0
    front = math.exp(math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log(1 - x))
    if x < (a + 1) / (a + b + 2):
        return front * betacf(a, b, x) / a
    return 1 - front * betacf(b, a, 1 - x) / b


def t975(df):
    lo, hi = 0.0, 50.0
    for _ in range(200):
        mid = (lo + hi) / 2
        cdf = 1 - 0.5 * betai(df / 2, 0.5, df / (df + mid * mid))
        lo, hi = (mid, hi) if cdf < 0.975 else (lo, mid)
    return (lo + hi) / 2


def welch(a, b):
    out = {"n_a": len(a), "n_b": len(b), "mean_a": sum(a) / len(a) if a else None,
           "mean_b": sum(b) / len(b) if b else None}
    out["diff"] = out["mean_b"] - out["mean_a"] if a and b else None
    out["ci95_low"] = out["ci95_high"] = None
    if len(a) >= 2 and len(b) >= 2:
        va = sum((x - out["mean_a"]) ** 2 for x in a) / (len(a) - 1) / len(a)
        vb = sum((x - out["mean_b"]) ** 2 for x in b) / (len(b) - 1) / len(b)
        se = math.sqrt(va + vb)
        t = 1.959963984540054
        if se > 0:
            t = t975((va + vb) ** 2 / (va * va / (len(a) - 1) + vb * vb / (len(b) - 1)))
        out["ci95_low"], out["ci95_high"] = out["diff"] - t * se, out["diff"] + t * se
    return out


def compare(records, a, b):
    sides = {a: {"qoe": [], "startup": [], "bitrate": [], "rebuffer": [], "ended": 0, "failed": 0},
             b: {"qoe": [], "startup": [], "bitrate": [], "rebuffer": [], "ended": 0, "failed": 0}}
    for s in records:
        side, f = sides.get(s["abr"]), s["final"]
        if side is None or f is None:
            continue
        side["ended"] += 1
        if "startup_s" not in f:
            side["failed"] += 1
            continue
        side["qoe"].append(f["qoe_lin"])
        side["startup"].append(f["startup_s"])
        if f["played_s"] > 0:
            side["bitrate"].append(f["average_bitrate_kbps"])
        if f["played_s"] + f["rebuffer_s"] > 0:
            side["rebuffer"].append(f["rebuffer_s"] / (f["played_s"] + f["rebuffer_s"]))
    sa, sb = sides[a], sides[b]
    metrics = {k: welch(sa[key], sb[key]) for k, key in
               [("qoe_lin", "qoe"), ("startup_s", "startup"), ("average_bitrate_kbps", "bitrate"),
                ("rebuffer_ratio", "rebuffer")]}
    pa, pb = sa["failed"] / sa["ended"], sb["failed"] / sb["ended"]
    se = math.sqrt(pa * (1 - pa) / sa["ended"] + pb * (1 - pb) / sb["ended"])
    metrics["join_failure_rate"] = {"n_a": sa["ended"], "n_b": sb["ended"], "mean_a": pa, "mean_b": pb,
                                    "diff": pb - pa, "ci95_low": pb - pa - 1.959963984540054 * se,
                                    "ci95_high": pb - pa + 1.959963984540054 * se}
    return metrics


class Checker:
    def __init__(self):
        self.checked, self.problems = 0, []

    def same(self, where, expected, actual, rel=1e-9, abs_tol=1e-9):
        self.checked += 1
        if expected is None or actual is None or isinstance(expected, str):
            if expected != actual:
                self.problems.append(f"{where}: expected {expected!r}, report has {actual!r}")
            return
        if not math.isclose(expected, actual, rel_tol=rel, abs_tol=abs_tol):
            self.problems.append(f"{where}: expected {expected!r}, report has {actual!r}")

    def group(self, where, expected, actual):
        for key, value in expected.items():
            if key == "startup_s":
                for k, v in value.items():
                    self.same(f"{where}.startup_s.{k}", v, actual["startup_s"][k])
            elif key == "errors":
                self.same(f"{where}.errors", json.dumps(value, sort_keys=True),
                          json.dumps(actual["errors"], sort_keys=True))
            else:
                self.same(f"{where}.{key}", value, actual[key])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("jsonl")
    ap.add_argument("report")
    ap.add_argument("--period", default="hour")
    ap.add_argument("--a")
    ap.add_argument("--b")
    args = ap.parse_args()
    records = load(args.jsonl)
    with open(args.report) as f:
        report = json.load(f)
    width = {"hour": 3600, "day": 86400}.get(args.period)

    def start(s):
        return math.floor(s["started_s"] / width) * width if width else 0

    def utc(t):
        return datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")

    c = Checker()
    c.group("overall", summarize(records), report["overall"])
    periods = sorted({start(s) for s in records})
    c.same("periods", len(periods), len(report["periods"]))
    for p, got in zip(periods, report["periods"]):
        c.same("period start", utc(p) if width else None, got["start"])
        c.group(f"period {utc(p)}", summarize([s for s in records if start(s) == p]), got["stats"])
    for dim, got in report["dimensions"].items():
        values = sorted({s[dim] for s in records})
        c.same(f"{dim} values", json.dumps(values), json.dumps([t["value"] for t in got["total"]]))
        for value, cell in zip(values, got["total"]):
            c.group(f"{dim}={value}", summarize([s for s in records if s[dim] == value]), cell["stats"])
        cells = sorted({(start(s), s[dim]) for s in records})
        c.same(f"{dim} cells", len(cells), len(got["by_period"]))
        for (p, value), cell in zip(cells, got["by_period"]):
            c.same(f"{dim} cell value", value, cell["value"])
            c.group(f"{dim}={value}@{p}", summarize([s for s in records if start(s) == p and s[dim] == value]),
                    cell["stats"])
    if args.a and args.b:
        expected = compare(records, args.a, args.b)
        for m in report["comparison"]["metrics"]:
            e = expected[m["metric"]]
            for key in ("n_a", "n_b", "mean_a", "mean_b", "diff"):
                c.same(f"compare {m['metric']}.{key}", e[key], m[key])
            if e["ci95_low"] is not None:
                half = (e["ci95_high"] - e["ci95_low"]) / 2
                for key in ("ci95_low", "ci95_high"):  # Student's t approximated: within 0.5 % of the half-width
                    c.same(f"compare {m['metric']}.{key}", e[key], m[key], rel=0, abs_tol=0.005 * half + 1e-12)
    if c.problems:
        print("\n".join(c.problems[:50]))
        print(f"{len(c.problems)} differences in {c.checked} figures")
        return 1
    print(f"figures match ({c.checked} checked)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
