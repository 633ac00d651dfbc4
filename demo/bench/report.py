"""Statistics, Markdown tables and gnuplot bar charts for demo/bench. Standard library only."""
import os
import shutil
import statistics
import subprocess
import time


class Dist:
    """Samples of one figure: median, min-max, n. Formats as 'median (min-max, n=N)'."""

    def __init__(self, samples):
        self.samples = [s for s in samples if s is not None]

    @property
    def n(self):
        return len(self.samples)

    @property
    def median(self):
        return statistics.median(self.samples) if self.samples else None

    @property
    def lo(self):
        return min(self.samples) if self.samples else None

    @property
    def hi(self):
        return max(self.samples) if self.samples else None

    def fmt(self, digits=2, unit=""):
        if not self.samples:
            return "n/a"
        f = f"{{:.{digits}f}}"
        if self.n == 1:
            return f"{f.format(self.median)}{unit} (n=1)"
        return f"{f.format(self.median)}{unit} ({f.format(self.lo)}–{f.format(self.hi)}, n={self.n})"


def log(msg):
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", flush=True)


def ratio(a, b):
    """Ratio of medians, with the range of ratios that the extremes allow (a.lo/b.hi .. a.hi/b.lo)."""
    if not a.samples or not b.samples or not b.median:
        return "n/a"
    r = a.median / b.median
    if a.n == 1 and b.n == 1:
        return f"**{r:.2f}×**"
    return f"**{r:.2f}×** ({a.lo / b.hi:.2f}–{a.hi / b.lo:.2f})"


def table(header, rows):
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    out += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(out)


def bar_chart(png, title, ylabel, bars, data_dir):
    """bars: list of (label, Dist). Draws medians as boxes with min-max error bars. Returns the
    PNG path, or None when gnuplot is missing or failed (the report then says so)."""
    gnuplot = shutil.which("gnuplot")
    if not gnuplot or not bars:
        return None
    os.makedirs(data_dir, exist_ok=True)
    dat = os.path.join(data_dir, os.path.basename(png)[:-4] + ".dat")
    with open(dat, "w") as f:
        for i, (label, d) in enumerate(bars):
            if d.samples:
                f.write(f'{i} {d.median} {d.lo} {d.hi} "{label}"\n')
    script = f"""
set terminal pngcairo size 900,{420 + 10 * len(bars)} font 'DejaVu Sans,10'
set output '{png}'
set termoption noenhanced
set title "{title}"
set ylabel "{ylabel}"
set style fill solid 0.5 border -1
set boxwidth 0.6
set yrange [0:*]
set offsets 0,0,graph 0.08,0
set xrange [-0.7:{len(bars) - 0.3}]
set xtics rotate by -25 nomirror
set grid ytics
unset key
plot '{dat}' using 1:2:xtic(5) with boxes lc rgb '#4a7ebb', \\
     '' using 1:2:3:4 with yerrorbars lc rgb 'black' pt 0
"""
    r = subprocess.run([gnuplot], input=script, text=True, capture_output=True)
    if r.returncode != 0 or not os.path.exists(png):
        # pngcairo may be missing from gnuplot-nox builds: fall back to the plain png terminal
        script = script.replace("pngcairo size", "png size").replace(" font 'DejaVu Sans,10'", "")
        r = subprocess.run([gnuplot], input=script, text=True, capture_output=True)
        if r.returncode != 0:
            return None
    return png
