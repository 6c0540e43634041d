"""The fake GitHub's request plumbing: reading requests, writing answers, the app registry.

The roles (web/OAuth in :mod:`fakes.github_handler`, device flow in :mod:`fakes.github_device`,
REST API in :mod:`fakes.github_api`) build on this base; :class:`fakes.github_handler.Handler`
puts them together.
"""

from __future__ import annotations

import json
import secrets
import socket
import struct
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlsplit

from fakes.github_data import encode, token_fields
from fakes.github_state import FakeApp, Recorded

if TYPE_CHECKING:
    from fakes.github import FakeGitHub, _Server


class Plumbing(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    server_version = "github.com"
    sys_version = ""
    timeout = 15

    def log_message(self, format: str, *args: object) -> None:
        return None  # never print: request lines may carry codes

    def version_string(self) -> str:
        return "github.com"  # one ``Server: github.com`` header, as GitHub sends

    @property
    def fake(self) -> FakeGitHub:
        return self.server.fake

    def _read(self) -> Recorded:
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        form: dict[str, str] = {}
        if ctype == "application/json" and body:
            try:
                data = json.loads(body)
                if isinstance(data, dict):
                    form = {k: str(v) for k, v in data.items() if v is not None}
            except ValueError:
                form = {}
        elif body:
            form = dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
        rec = Recorded(
            self.command,
            parts.path,
            dict(parse_qsl(parts.query, keep_blank_values=True)),
            {k.lower(): v for k, v in self.headers.items()},
            body,
            form,
        )
        with self.fake.lock:
            self.fake.requests.append(rec)
        return rec

    def _send(
        self,
        status: int,
        body: bytes = b"",
        content_type: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.send_response(status)
        self.send_header("X-GitHub-Request-Id", self._request_id())
        if content_type:
            self.send_header("Content-Type", content_type)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    @staticmethod
    def _request_id() -> str:
        return ":".join(secrets.token_hex(n).upper() for n in (2, 3, 3, 4, 4))

    def _json(self, status: int, obj: Any, headers: dict[str, str] | None = None) -> None:
        self._send(status, json.dumps(obj).encode(), "application/json; charset=utf-8", headers)

    def _html(self, status: int, html: bytes | str) -> None:
        data = html.encode() if isinstance(html, str) else html
        self._send(status, data, "text/html; charset=utf-8")

    def _redirect(self, location: str) -> None:
        self._send(302, b"", "text/html; charset=utf-8", {"Location": location})

    def _reset(self) -> None:
        # RST instead of FIN: the client sees "connection reset by peer".
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.close_connection = True
        self.connection.close()

    def _app(self, client_id: str | None) -> FakeApp | None:
        app = self.fake.apps.get(client_id or "")
        return None if app is None or app.deleted else app

    def _oauth_answer(self, kind: str, fields: list[tuple[str, object]], status: int = 200) -> None:
        body, ctype = encode(fields, kind)
        self._send(status, body, ctype, {"Cache-Control": "no-store"})

    def _grant(self, app: FakeApp, scopes: list[str], kind: str) -> None:
        record = self.fake.issue_token(app, scopes)
        scope = "" if app.kind == "github_app" else ",".join(scopes)
        fields = token_fields(record.token, scope, kind, refresh_token=record.refresh_token)
        self._oauth_answer(kind, fields)
