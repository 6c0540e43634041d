"""Benchmark: `deskpro serve`, from a saved edit to the new file being served, and requests per
second for a static asset compared with `python -m http.server` in the same run.

Makes a small buildless app (and a compiled one when esbuild is found: `--esbuild`,
DESKPRO_ESBUILD, or tests/node's pinned esbuild), starts `deskpro serve --port 0` in a
subprocess, then:

1. Edit latency: saves a source file `--edits` times the way editors do (write a temporary file,
   rename it over the original) and measures from the moment the rename returns until a GET of
   the served file returns the new content (polled every 2 ms). Once with the file-event watcher
   (watchfiles), once with `--poll`, and for the compiled app once through esbuild. The server's
   own build time (from /__deskpro/status) is shown beside it.
2. Throughput: the same 32 KB CSS file from `deskpro serve` and from `python -m http.server`
   serving the very same target/ folder, by the same client (`--clients` processes, raw sockets,
   `--seconds` each), first with a new connection per request, then with HTTP/1.1 keep-alive
   (`python -m http.server --protocol HTTP/1.1`). Prints requests per second and the ratio.

    python benchmarks/serve.py [--edits 15] [--seconds 3] [--clients 2] [--esbuild PATH]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CSS_BYTES = 32 * 1024

PACKAGE = {
    "name": "serve-bench",
    "version": "1.0.0",
    "description": "An app for the serve benchmark",
    "author": {"name": "Bench", "email": "bench@example.com"},
    "deskpro": {
        "version": "2.3.0",
        "title": "Serve benchmark",
        "isSingle": True,
        "scope": "agent",
        "targets": [{"target": "ticket-sidebar", "url": "html/index.html"}],
        "storage": [],
        "settings": [],
        "customFields": [],
        "deskproApiTags": [],
        "externalApis": [],
    },
}


def make_app(root: Path, *, compiled: bool) -> None:
    (root / "src/main/html").mkdir(parents=True)
    (root / "src/main/resources").mkdir(parents=True)
    (root / "package.json").write_text(json.dumps(PACKAGE, indent=2) + "\n")
    (root / "src/main/html/index.html").write_text(
        '<!DOCTYPE html>\n<html><head><link rel="stylesheet" href="../assets/bench.css"></head>\n'
        '<body><p id="token">start</p><script src="../assets/main.js"></script></body></html>\n'
    )
    rule = "#token { color: #336699; margin: 0 auto; padding: 4px 8px; }\n"
    css = (rule * (CSS_BYTES // len(rule) + 1))[:CSS_BYTES]
    (root / "src/main/resources/bench.css").write_text(css)
    if compiled:
        (root / "src/main/javascript").mkdir(parents=True)
        (root / "src/main/javascript/util.js").write_text("export const mark = (t) => t;\n")
        (root / "src/main/javascript/index.js").write_text(
            'import { mark } from "./util";\n'
            'document.getElementById("token").textContent = mark("start");\n'
        )
    else:
        (root / "src/main/resources/main.js").write_text("window.benchToken = 'start';\n")


def save(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.bench-save")
    tmp.write_text(text)
    os.replace(tmp, path)


def get(port: int, path: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


class Serve:
    """`deskpro serve` in a subprocess on a free port."""

    def __init__(self, app: Path, *extra: str) -> None:
        env = dict(os.environ, PYTHONUNBUFFERED="1", NO_COLOR="1")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "deskpro_cli", "serve", str(app), "--port", "0", *extra],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=env,
            cwd=REPO,
        )
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline().decode()
        found = re.search(r"http://127\.0\.0\.1:(\d+)", line)
        if not found:
            self.stop()
            raise SystemExit(f"deskpro serve did not start: {line!r}")
        self.port = int(found.group(1))
        self.wait_for_build(0)

    def status(self) -> dict[str, object]:
        return json.loads(get(self.port, "/__deskpro/status")[1])

    def wait_for_build(self, after: int, timeout: float = 60.0) -> dict[str, object]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            st = self.status()
            if int(st["id"]) > after:  # type: ignore[call-overload]
                if not st["ok"]:
                    raise SystemExit(f"build failed: {st['error']}")
                return st
            time.sleep(0.01)
        raise SystemExit("no build within the timeout")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def edit_latency(
    app: Path, edits: int, edit_file: str, served: str, extra: list[str]
) -> tuple[list[float], list[float]]:
    """Seconds from each save to the new content being served, and the server's build times."""
    server = Serve(app, *extra)
    latencies: list[float] = []
    builds: list[float] = []
    source = app / edit_file
    original = source.read_text()
    try:
        time.sleep(0.5)  # let the watcher settle
        for i in range(edits):
            token = f"edit{i:03d}x{time.monotonic_ns()}"
            before = int(server.status()["id"])  # type: ignore[call-overload]
            save(source, original.replace("start", token))
            saved = time.perf_counter()
            while True:
                status, body = get(server.port, served)
                if status == 200 and token.encode() in body:
                    break
                if time.perf_counter() - saved > 30:
                    raise SystemExit(f"edit {i} not served within 30 s")
                time.sleep(0.002)
            latencies.append(time.perf_counter() - saved)
            st = server.wait_for_build(before)
            builds.append(float(st["duration"]))  # type: ignore[arg-type]
            time.sleep(0.3)
    finally:
        server.stop()
        save(source, original)
    return latencies, builds


# -- throughput ------------------------------------------------------------------------------
def _client(
    port: int, path: str, seconds: float, keepalive: bool, out: multiprocessing.Queue
) -> None:  # type: ignore[type-arg]
    request = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
    request += "\r\n" if keepalive else "Connection: close\r\n\r\n"
    raw = request.encode()
    count = errors = 0
    sock: socket.socket | None = None
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        if sock is None:
            sock = socket.create_connection(("127.0.0.1", port))
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # as browsers do
        sock.sendall(raw)
        buf = b""
        while b"\r\n\r\n" not in buf:
            chunk = sock.recv(65536)
            if not chunk:
                break
            buf += chunk
        head, _, body = buf.partition(b"\r\n\r\n")
        length = int(re.search(rb"(?i)content-length:\s*(\d+)", head).group(1))  # type: ignore[union-attr]
        while len(body) < length:
            chunk = sock.recv(65536)
            if not chunk:
                break
            body += chunk
        if head.startswith((b"HTTP/1.1 200", b"HTTP/1.0 200")):
            count += 1
        else:
            errors += 1
        closing = (
            not keepalive or b"connection: close" in head.lower() or head.startswith(b"HTTP/1.0")
        )
        if closing:
            sock.close()
            sock = None
    if sock is not None:
        sock.close()
    out.put((count, errors))


def throughput(port: int, path: str, seconds: float, clients: int, keepalive: bool) -> float:
    ctx = multiprocessing.get_context("spawn")
    for phase_seconds in (0.5, seconds):  # warm-up, then the measurement
        queue = ctx.Queue()
        procs = [
            ctx.Process(target=_client, args=(port, path, phase_seconds, keepalive, queue))
            for _ in range(clients)
        ]
        started = time.perf_counter()
        for p in procs:
            p.start()
        results = [queue.get() for _ in procs]
        for p in procs:
            p.join()
        elapsed = time.perf_counter() - started
    total = sum(r[0] for r in results)
    errors = sum(r[1] for r in results)
    if errors or total == 0:
        raise SystemExit(f"{errors} failed requests on port {port}")
    return total / max(elapsed, seconds)


class HttpServer:
    """`python -m http.server` serving a folder on a free loopback port."""

    def __init__(self, folder: Path, protocol: str) -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "http.server", str(self.port), "--bind", "127.0.0.1",
             "--directory", str(folder), "--protocol", protocol],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.05)
        raise SystemExit("python -m http.server did not start")

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait()


def _esbuild(given: str | None) -> Path | None:
    for candidate in (given, os.environ.get("DESKPRO_ESBUILD")):
        if candidate:
            return Path(candidate)
    pinned = REPO / "tests/node/node_modules/.bin/esbuild"
    if pinned.exists():
        return pinned
    found = shutil.which("esbuild")
    return Path(found) if found else None


def _summary(values: list[float]) -> str:
    ms = sorted(v * 1000 for v in values)
    p90 = ms[min(len(ms) - 1, round(0.9 * (len(ms) - 1)))]
    return f"median {statistics.median(ms):7.1f} ms   p90 {p90:7.1f} ms   max {ms[-1]:7.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--edits", type=int, default=15)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--clients", type=int, default=2)
    parser.add_argument("--esbuild", help="esbuild binary for the compiled app")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="deskpro-serve-bench-") as tmp:
        plain = Path(tmp) / "plain"
        make_app(plain, compiled=False)
        print(f"edit → served ({args.edits} saves each; the server's build time beside it)")
        page = "/v1.0.0/files/html/index.html"
        for label, extra in (("file events (watchfiles)", []), ("polling (--poll)", ["--poll"])):
            lat, builds = edit_latency(plain, args.edits, "src/main/html/index.html", page, extra)
            print(f"  buildless app, {label:<26} {_summary(lat)}   "
                  f"build median {statistics.median(builds) * 1000:5.1f} ms")  # fmt: skip

        esbuild = _esbuild(args.esbuild)
        if esbuild is None:
            print("  compiled app: skipped (no esbuild: pass --esbuild or set DESKPRO_ESBUILD)")
        else:
            compiled = Path(tmp) / "compiled"
            make_app(compiled, compiled=True)
            lat, builds = edit_latency(
                compiled,
                args.edits,
                "src/main/javascript/index.js",
                "/v1.0.0/files/assets/main.js",
                ["--esbuild", str(esbuild)],
            )
            print(f"  compiled app (esbuild), {'file events':<18} {_summary(lat)}   "
                  f"build median {statistics.median(builds) * 1000:5.1f} ms")  # fmt: skip

        print(f"\nstatic asset ({CSS_BYTES // 1024} KB CSS), {args.clients} client processes, "
              f"{args.seconds:g} s each")  # fmt: skip
        asset = "/v1.0.0/files/assets/bench.css"
        server = Serve(plain, "--no-watch")
        try:
            for keepalive, protocol in ((False, "HTTP/1.0"), (True, "HTTP/1.1")):
                baseline = HttpServer(plain / "target", protocol)
                try:
                    ours = throughput(server.port, asset, args.seconds, args.clients, keepalive)
                    theirs = throughput(baseline.port, asset, args.seconds, args.clients, keepalive)
                finally:
                    baseline.stop()
                how = "keep-alive" if keepalive else "new connection per request"
                print(f"  {how:<28} deskpro serve {ours:8.0f} req/s   "
                      f"python -m http.server ({protocol}) {theirs:8.0f} req/s   "
                      f"ratio {ours / theirs:.2f}x")  # fmt: skip
        finally:
            server.stop()


if __name__ == "__main__":
    main()
