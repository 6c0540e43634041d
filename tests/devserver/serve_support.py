"""Helpers for the dev-server tests: a small build step of the tests' own, servers on free ports.

``toy_build`` stands in for the shared pipeline where a test is about the server (paths, headers,
rebuilds, error pages) rather than about building: it writes the zip's layout from a tiny app and
fails like the real pipeline does (``ProblemsFound`` with file and line) when a source contains
``BROKEN`` or ``package.json`` is not valid JSON.
"""

from __future__ import annotations

import http.client
import json
import shutil
import socket
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from deskpro_cli.devserver import DevServer, ServeEvent, ServeOptions
from deskpro_cli.devserver.contract import BuildStep
from deskpro_cli.errors import ProblemsFound
from deskpro_cli.problems import Problem

PACKAGE_JSON = """\
{
  "name": "toy-app",
  "version": "1.2.3",
  "description": "A toy app",
  "author": {"name": "Jane Doe", "email": "jane@example.com"},
  "deskpro": {
    "version": "2.3.0",
    "title": "Toy app",
    "isSingle": true,
    "scope": "agent",
    "targets": [{"target": "ticket-sidebar", "url": "html/index.html"}]
  }
}
"""

INDEX_HTML = """\
<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Toy</title>
<link rel="stylesheet" href="../assets/app.css"></head>
<body><div id="app">hello v1</div><script src="../assets/app.js"></script></body></html>
"""

TOY_APP: dict[str, str | bytes] = {
    "package.json": PACKAGE_JSON,
    "src/main/html/index.html": INDEX_HTML,
    "src/main/resources/app.js": "document.getElementById('app').dataset.ready = 'yes';\n",
    "src/main/resources/app.css": "#app { color: rebeccapurple; }\n",
    "src/main/resources/icon.png": b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4,
    "src/main/docs/ADMIN_README.md": "# Admin\n",
}


def toy_build(project: Path, out: Path) -> list[Problem]:
    """Build the toy app into ``out`` (the zip's layout); raise ``ProblemsFound`` on errors."""
    text = (project / "package.json").read_text(encoding="utf-8")
    try:
        pkg = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ProblemsFound(
            "package.json is not valid JSON",
            [Problem("T001", "error", exc.msg, "package.json", "", exc.lineno, exc.colno)],
        ) from exc
    out.mkdir(parents=True, exist_ok=True)
    for src, dest in (("html", "html"), ("resources", "assets"), ("docs", "docs")):
        folder = project / "src" / "main" / src
        if folder.is_dir():
            shutil.copytree(folder, out / dest)
    for path in sorted(project.joinpath("src").rglob("*")):
        if path.is_file() and b"BROKEN" in path.read_bytes():
            lines = path.read_bytes().splitlines()
            line = next(i for i, raw in enumerate(lines, 1) if b"BROKEN" in raw)
            rel = path.relative_to(project).as_posix()
            raise ProblemsFound(
                "the build failed",
                [
                    Problem(
                        "T002", "error", "unexpected BROKEN token", rel, "", line, 1, "remove it"
                    )
                ],
            )
    manifest = {"appVersion": pkg["version"], "name": pkg["name"], **pkg["deskpro"]}
    (out / "manifest.json").write_text(json.dumps(manifest, separators=(",", ":")))
    return []


#: An esbuild that takes a minute: it starts ``sleep 60`` (a child, as npm's launcher starts the
#: real binary), adds a line "<its pid> <sleep's pid>" to a file, then runs the real esbuild.
SLOW_ESBUILD = """\
#!/bin/sh
case "$1" in --version) exec "{real}" "$@";; esac
sleep 60 &
echo "$$ $!" >> "{pids}"
wait $!
exec "{real}" "$@"
"""


def slow_esbuild(folder: Path, real: Path) -> tuple[Path, Path]:
    """Write :data:`SLOW_ESBUILD` into ``folder``: (the script, the file it writes its pids to)."""
    pids = folder / "slow-esbuild.pids"
    script = folder / "slow-esbuild"
    script.write_text(SLOW_ESBUILD.format(real=real.resolve(), pids=pids), encoding="utf-8")
    script.chmod(0o755)
    return script, pids


def wait_for_pids(pids: Path, runs: int = 1, timeout: float = 30.0) -> list[int]:
    """The pids :data:`SLOW_ESBUILD` wrote, once ``runs`` of it have (each is running its
    ``sleep`` then)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pids.exists():
            lines = [line.split() for line in pids.read_text().splitlines()]
            if len(lines) >= runs and all(len(line) == 2 for line in lines):
                return [int(pid) for line in lines for pid in line]
        time.sleep(0.02)
    raise AssertionError(f"{runs} slow esbuild run(s) did not start within {timeout} s")


def alive(pid: int) -> bool:
    """Whether process ``pid`` runs (a zombie nobody has reaped yet counts as ended)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


def request(
    port: int,
    path: str,
    method: str = "GET",
    headers: Mapping[str, str] | None = None,
    host: str = "127.0.0.1",
) -> Response:
    """One HTTP request sent as written (no client-side path normalisation)."""
    conn = http.client.HTTPConnection(host, port, timeout=10)
    try:
        conn.putrequest(method, path, skip_accept_encoding=True)
        for name, value in (headers or {}).items():
            conn.putheader(name, value)
        conn.endheaders()
        resp = conn.getresponse()
        body = resp.read()
        return Response(resp.status, {k.lower(): v for k, v in resp.getheaders()}, body)
    finally:
        conn.close()


def raw_request(port: int, request_line: str) -> bytes:
    """Send a raw request line over a socket (for targets http.client would refuse)."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(f"{request_line}\r\nHost: x\r\nConnection: close\r\n\r\n".encode("latin-1"))
        chunks = []
        while True:
            data = sock.recv(65536)
            if not data:
                break
            chunks.append(data)
    return b"".join(chunks)


def poll(
    fetch: Callable[[], Response], until: Callable[[Response], bool], timeout: float
) -> Response:
    """Fetch repeatedly until ``until`` holds; fail with the last response after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        resp = fetch()
        if until(resp):
            return resp
        if time.monotonic() > deadline:
            raise AssertionError(
                f"condition not met within {timeout} s; "
                f"last response {resp.status}: {resp.text[:500]}"
            )
        time.sleep(0.02)


@contextmanager
def running(
    project: Path,
    build: BuildStep = toy_build,
    *,
    events: list[ServeEvent] | None = None,
    **options: object,
) -> Iterator[DevServer]:
    """A started :class:`DevServer` on a free loopback port, stopped afterwards."""
    opts = ServeOptions(port=0, **options)  # type: ignore[arg-type]
    sink = events.append if events is not None else None
    server = DevServer(project, build, opts, sink)
    server.start()
    try:
        yield server
    finally:
        server.stop()
