"""Processes the benchmark runs: abrplay-origin, a virtual X display, measured children.

Standard library only. Every child started here is stopped here (by its own pid, never by name).
"""
import os
import select
import shutil
import signal
import subprocess
import socket
import tempfile
import time


class Origin:
    """abrplay-origin serving ROOT on 127.0.0.1, optionally shaped by a trace with added RTT.

    The origin prints 'listening http://127.0.0.1:PORT' once ready; base is that URL.
    Use as a context manager: the process is terminated on exit.
    """

    def __init__(self, binary, root, trace=None, rtt_ms=None, log=None, extra=()):
        args = [binary, "--root", root] + list(extra)
        if trace:
            args += ["--trace", trace]
        if rtt_ms is not None:
            args += ["--rtt-ms", str(rtt_ms)]
        if log:
            args += ["--log", log]
        self.log = log
        self._err = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=self._err, text=True)
        line = self.proc.stdout.readline()
        if not line.startswith("listening "):
            self._err.seek(0)
            self.stop()
            raise RuntimeError("abrplay-origin did not start: " + line + self._err.read().decode(errors="replace"))
        self.base = line.split()[1].rstrip("/")

    def url(self, path):
        return self.base + "/" + path.lstrip("/")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


class Nginx:
    """Debian's nginx serving ROOT over TLS on two loopback ports, one with HTTP/2 (h2_base) and one
    HTTP/1.1 only (h1_base), with a self-signed certificate made by openssl (cert); the same set-up
    as the tests' (tests/support/nginx_server.h). Context manager: stopped on exit."""

    def __init__(self, root, work):
        root, work = os.path.abspath(root), os.path.abspath(work)  # nginx reads paths from its prefix
        os.makedirs(os.path.join(work, "tmp"), exist_ok=True)
        self.cert, key = os.path.join(work, "cert.pem"), os.path.join(work, "key.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", self.cert,
                        "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
                       check=True, capture_output=True)
        ports = []
        for _ in range(2):
            with socket.socket() as s:
                s.bind(("127.0.0.1", 0))
                ports.append(s.getsockname()[1])
        conf = os.path.join(work, "nginx.conf")
        tmp = os.path.join(work, "tmp")
        with open(conf, "w") as f:
            f.write(f"""daemon off; master_process off; worker_processes 1; pid {work}/nginx.pid;
error_log {work}/error.log; events {{ worker_connections 256; }}
http {{ access_log off; client_body_temp_path {tmp}/b; proxy_temp_path {tmp}/p; fastcgi_temp_path {tmp}/f;
  uwsgi_temp_path {tmp}/u; scgi_temp_path {tmp}/s; types {{ application/dash+xml mpd; video/mp4 m4s mp4; }}
  ssl_certificate {self.cert}; ssl_certificate_key {key}; keepalive_requests 100000;
  server {{ listen 127.0.0.1:{ports[0]} ssl http2; root {root}; }}
  server {{ listen 127.0.0.1:{ports[1]} ssl; root {root}; }} }}
""")
        self.proc = subprocess.Popen(["nginx", "-p", work, "-c", conf, "-e", os.path.join(work, "error.log")],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.h2_base, self.h1_base = (f"https://127.0.0.1:{p}" for p in ports)
        deadline = time.monotonic() + 10
        for p in ports:
            while True:
                try:
                    socket.create_connection(("127.0.0.1", p), timeout=1).close()
                    break
                except OSError:
                    if time.monotonic() > deadline or self.proc.poll() is not None:
                        self.stop()
                        raise RuntimeError("nginx did not start (see " + os.path.join(work, "error.log") + ")")
                    time.sleep(0.02)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


class VirtualDisplay:
    """An Xvfb server on a free display number, so windowed players (abrplay, ffplay) draw the
    same way on a headless machine. Returns None from start() when Xvfb is not installed."""

    def __init__(self):
        self.proc = None
        self.display = None

    def start(self):
        xvfb = shutil.which("Xvfb")
        if not xvfb:
            return None
        for n in range(91, 120):
            if os.path.exists(f"/tmp/.X11-unix/X{n}") or os.path.exists(f"/tmp/.X{n}-lock"):
                continue
            proc = subprocess.Popen([xvfb, f":{n}", "-nolisten", "tcp", "-screen", "0", "1920x1080x24"],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            for _ in range(50):  # up to 5 s for the socket to appear
                if os.path.exists(f"/tmp/.X11-unix/X{n}"):
                    self.proc, self.display = proc, f":{n}"
                    return self.display
                if proc.poll() is not None:
                    break
                time.sleep(0.1)
            if proc.poll() is None:
                proc.terminate()
                proc.wait()
        return None

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait()


def measured(args, env=None, timeout=None, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL):
    """Runs args to completion; returns dict(rc, wall_s, cpu_s, maxrss_kb) from wait4.

    ru_maxrss of a child also counts the spawning process's RSS at exec when larger: this Python
    process is about 10-20 MB, below both players' peaks, so the figure is the player's own."""
    t0 = time.monotonic()
    proc = subprocess.Popen(args, env=env, stdout=stdout, stderr=stderr, stdin=subprocess.DEVNULL)
    deadline = None if timeout is None else t0 + timeout
    while True:
        pid, status, ru = os.wait4(proc.pid, os.WNOHANG)
        if pid != 0:
            break
        if deadline is not None and time.monotonic() > deadline:
            proc.kill()
            pid, status, ru = os.wait4(proc.pid, 0)
            break
        time.sleep(0.02)
    wall = time.monotonic() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    return {"rc": proc.returncode, "wall_s": wall, "cpu_s": ru.ru_utime + ru.ru_stime, "maxrss_kb": ru.ru_maxrss}


def time_to_stderr_line(args, marker, env=None, timeout=60):
    """Starts args and returns (seconds from spawn until a stderr line containing marker, that
    line), then stops the process (SIGTERM, then SIGKILL). (None, tail of stderr) on timeout or exit."""
    t0 = time.monotonic()
    proc = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            stdin=subprocess.DEVNULL)
    found, seen = None, []
    buf = b""
    try:
        while time.monotonic() - t0 < timeout:
            ready, _, _ = select.select([proc.stderr], [], [], 0.5)
            if not ready:
                continue
            chunk = os.read(proc.stderr.fileno(), 65536)
            if not chunk:
                break
            buf += chunk
            *lines, buf = buf.split(b"\n")
            now = time.monotonic()
            for raw in lines:
                line = raw.decode(errors="replace")
                seen.append(line)
                if marker in line:
                    found = (now - t0, line)
                    break
            if found:
                break
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        proc.stderr.close()
    return found if found else (None, "\n".join(seen[-5:]))
