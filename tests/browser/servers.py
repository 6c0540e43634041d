"""Loopback HTTP servers for browser tests: a static folder server and a tiny router.

Real HTTP over 127.0.0.1 (a ``ThreadingHTTPServer`` in a daemon thread), so pages load the way a
helpdesk would load them. Each server records the requests it answered.
"""

from __future__ import annotations

import mimetypes
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".map": "application/json",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".md": "text/markdown; charset=utf-8",
}


@dataclass(frozen=True)
class Request:
    method: str
    path: str  # decoded path, without the query
    query: str
    headers: dict[str, str]
    body: bytes


@dataclass(frozen=True)
class Response:
    status: int
    body: bytes = b""
    content_type: str = "text/plain; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)


Handler = Callable[[Request], Response]


@dataclass(frozen=True)
class Served:
    """One request a server answered, for assertions (``method``, ``path``, ``status``)."""

    method: str
    path: str
    status: int


class LoopbackServer:
    """Serve ``handler`` on ``127.0.0.1`` at a free port until :meth:`close`."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.log: list[Served] = []
        outer = self

        class _RequestHandler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _handle(self) -> None:
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                request = Request(
                    method=self.command,
                    path=unquote(parts.path),
                    query=parts.query,
                    headers={k.lower(): v for k, v in self.headers.items()},
                    body=self.rfile.read(length) if length else b"",
                )
                try:
                    response = outer.handler(request)
                except Exception as exc:  # a bug in a test handler: show it in the page
                    response = Response(500, f"{type(exc).__name__}: {exc}".encode())
                outer.log.append(Served(request.method, request.path, response.status))
                self.send_response(response.status)
                self.send_header("Content-Type", response.content_type)
                self.send_header("Content-Length", str(len(response.body)))
                self.send_header("Cache-Control", "no-store")
                for name, value in response.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(response.body)

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _handle

            def log_message(self, format: str, *args: object) -> None:
                pass  # the log list above is the record; keep pytest output clean

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _RequestHandler)
        self._httpd.daemon_threads = True
        self.port: int = self._httpd.server_address[1]
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()

    def origin(self, host: str = "127.0.0.1") -> str:
        """``http://<host>:<port>``; pass ``"localhost"`` for a second, distinct origin."""
        return f"http://{host}:{self.port}"

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)


def content_type(path: Path) -> str:
    return CONTENT_TYPES.get(path.suffix.lower()) or (
        mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    )


def static_files(root: Path) -> Handler:
    """A handler serving the files under ``root`` (``/dir/`` serves ``dir/index.html``)."""
    base = root.resolve()

    def handle(request: Request) -> Response:
        if request.method not in ("GET", "HEAD"):
            return Response(405, b"method not allowed")
        rel = request.path.lstrip("/")
        if rel == "" or rel.endswith("/"):
            rel += "index.html"
        target = (base / rel).resolve()
        if not target.is_relative_to(base) or not target.is_file():
            return Response(404, f"not found: {request.path}".encode())
        return Response(200, target.read_bytes(), content_type(target))

    return handle
