"""What the benchmarks need to know about the test content and the traces. Standard library only."""
import glob
import json
import os
import xml.etree.ElementTree as ET

NS = {"mpd": "urn:mpeg:dash:schema:mpd:2011"}


def representations(manifest_path):
    """[{id, type, bandwidth, height}] of the MPD, video sorted by bandwidth (the player's ladder
    order, so fixed:N is the N-th video entry), then audio."""
    root = ET.parse(manifest_path).getroot()
    reps = []
    for aset in root.iter("{%s}AdaptationSet" % NS["mpd"]):
        kind = aset.get("contentType") or (aset.get("mimeType") or "").split("/")[0]
        for rep in aset.findall("mpd:Representation", NS):
            rkind = kind or (rep.get("mimeType") or "").split("/")[0]
            reps.append({"id": rep.get("id"), "type": rkind, "bandwidth": int(rep.get("bandwidth") or 0),
                         "height": int(rep.get("height") or 0)})
    video = sorted((r for r in reps if r["type"] == "video"), key=lambda r: r["bandwidth"])
    audio = [r for r in reps if r["type"] == "audio"]
    return video, audio


def startup_bytes(content_dir, variant, log_path):
    """From an origin request log (JSONL) of one session: bytes of the manifest as served and the
    representation ids whose first media segment was requested first (video and audio)."""
    manifest_bytes, first_chunks = None, []
    with open(log_path) as f:
        for line in f:
            r = json.loads(line)
            path = r.get("path", "")
            if path.endswith(".mpd") and manifest_bytes is None and r.get("status") == 200:
                manifest_bytes = r.get("bytes")
            elif "/chunk-stream" in path:
                first_chunks.append(os.path.basename(path))
    return manifest_bytes, first_chunks


def segment_files(content_dir, variant, rep_id):
    """(init bytes, first media segment bytes) of a representation of the ffmpeg-written content."""
    d = os.path.join(content_dir, variant)
    init = os.path.getsize(os.path.join(d, f"init-stream{rep_id}.m4s"))
    first = sorted(glob.glob(os.path.join(d, f"chunk-stream{rep_id}-*.m4s")))[0]
    return init, os.path.getsize(first)


def trace_mean_mbps(path, horizon_s=80):
    """Mean of a Pensieve-format trace (time_s, Mbps per line) over its first horizon_s seconds;
    None for other formats."""
    points = []
    try:
        with open(path) as f:
            for line in f:
                parts = line.split()
                if len(parts) >= 2:
                    points.append((float(parts[0]), float(parts[1])))
    except (ValueError, UnicodeDecodeError):
        return None
    if len(points) < 2:
        return None
    t0 = points[0][0]
    total = dur = 0.0
    for (ta, mbps), (tb, _) in zip(points, points[1:]):
        if ta - t0 >= horizon_s:
            break
        total += mbps * (tb - ta)
        dur += tb - ta
    return total / dur if dur > 0 else None


def pick_traces(folder, count, lo_mbps=1.0, hi_mbps=4.5):
    """count recorded traces of folder whose mean over the first 80 s lies within the ladder
    (lo..hi Mbps, where ABR choices matter), evenly spaced in name order: deterministic."""
    files = sorted(p for p in glob.glob(os.path.join(folder, "*")) if os.path.isfile(p))
    fit = [(p, m) for p in files if (m := trace_mean_mbps(p)) is not None and lo_mbps <= m <= hi_mbps]
    if not fit or count <= 0:
        return []
    step = len(fit) / count
    return [fit[int(i * step)] for i in range(min(count, len(fit)))]


def constant_trace(path, mbps, seconds=600):
    """Writes a Pensieve-format trace of constant rate (the origin loops it anyway)."""
    with open(path, "w") as f:
        for t in range(seconds + 1):
            f.write(f"{t}\t{mbps}\n")
    return path
