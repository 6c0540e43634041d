"""The dev server's HTTP handling: Dev Mode paths, CORS, no caching, pages and events.

What is served (everything else is 404):

- ``/manifest.json`` and ``/v<appVersion>/files/<path>``: the current build in ``target/``;
- ``/``: an index of the app's targets;
- ``/__deskpro/socket`` (a WebSocket the reload script listens on), ``/__deskpro/events`` (the
  same announcements as server-sent events), ``/__deskpro/reload.js``, ``/__deskpro/status``.

Every response carries the CORS headers of the old tool's server (spec/deskpro-apps-v1.md §3) and
``Cache-Control: no-store``; ``OPTIONS`` answers a preflight with 204. While the latest build is
failing, every HTML page under ``/v*/files/`` is replaced by a page explaining the failure. Every
HTML page the server writes itself (the error, waiting, index and 404 pages) carries the reload
script, like the app's pages; a 404 is HTML only when a page was asked for.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import select
import struct
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any
from urllib.parse import unquote

from deskpro_cli.devserver import pages, websocket
from deskpro_cli.devserver.paths import content_type, is_html, request_segments

if TYPE_CHECKING:
    from deskpro_cli.devserver.listen import DevHTTPServer
    from deskpro_cli.devserver.state import BuildState

log = logging.getLogger(__name__)

CORS_HEADERS: tuple[tuple[str, str], ...] = (
    ("Access-Control-Allow-Origin", "*"),
    ("Access-Control-Allow-Methods", "GET, HEAD, POST, PUT, DELETE, CONNECT, OPTIONS, TRACE"),
    ("Access-Control-Allow-Headers", "Origin, X-Agent-Request"),
)
#: Files up to this size are sent with one read and one write; larger ones with sendfile().
SMALL_FILE = 1 << 20
#: Seconds between keep-alive messages on an idle event stream or socket.
EVENT_PING_SECONDS = 15.0
#: Seconds between checks whether an event stream's or socket's client has left.
CLIENT_CHECK_SECONDS = 1.0


class DevRequestHandler(BaseHTTPRequestHandler):
    """One connection to the dev server (HTTP/1.1 with keep-alive)."""

    protocol_version = "HTTP/1.1"
    server_version = "deskpro-serve"
    sys_version = ""
    # No socket timeout: it would put every socket in non-blocking mode behind a poll() per call
    # (measurably slower); idle keep-alive connections are closed by the server on stop.
    timeout = None
    # Headers and body go out in separate writes; with Nagle's algorithm on, the body of a
    # keep-alive response waits for the client's delayed ACK (~40 ms a request).
    disable_nagle_algorithm = True
    server: DevHTTPServer

    # -- plumbing ---------------------------------------------------------------------------
    def setup(self) -> None:
        super().setup()
        self.server.track(self.connection)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.untrack(self.connection)

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s %s", self.address_string(), format % args)

    def version_string(self) -> str:
        return self.server_version

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """http.server's own refusals (a malformed request, a URI too long, an unknown method)
        with the same headers as every other answer and a one-line plain-text body."""
        self.close_connection = True
        # A request line refused before its version was read counts as HTTP/0.9, which would
        # send the body with no status line or headers at all.
        self.request_version = self.protocol_version
        reason = message or self.responses.get(code, ("error",))[0]
        body = f"{code} {reason}\n".encode("utf-8", "replace")
        self._send_bytes(
            code,
            body,
            "text/plain; charset=utf-8",
            head=self.command == "HEAD",
            extra={"Connection": "close"},
        )

    def _common_headers(self) -> None:
        for name, value in CORS_HEADERS:
            self.send_header(name, value)
        # No request headers yet when http.server refuses a request line.
        headers = getattr(self, "headers", None)
        if (
            headers is not None
            and headers.get("Access-Control-Request-Private-Network", "").lower() == "true"
        ):
            # Chrome's Private Network Access: a helpdesk on the internet asking for localhost.
            self.send_header("Access-Control-Allow-Private-Network", "true")
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")

    def _send_bytes(
        self,
        status: int,
        body: bytes,
        ctype: str,
        *,
        head: bool,
        extra: dict[str, str] | None = None,
    ) -> None:
        self.send_response(status)
        self._common_headers()
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (extra or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def _not_found(self, head: bool, message: str = "Not found") -> None:
        """404: an HTML page with the reload script when a browser asked for a page (so it
        appears by itself once a build makes it), else one line of plain text."""
        if self._wants_html():
            state = self.server.app.board.current()
            body = pages.not_found_html(message, state)
            self._send_bytes(HTTPStatus.NOT_FOUND, body, "text/html; charset=utf-8", head=head)
            return
        self._send_bytes(
            HTTPStatus.NOT_FOUND,
            pages.not_found_page(message),
            "text/plain; charset=utf-8",
            head=head,
        )

    def _wants_html(self) -> bool:
        """Whether the request is for a page: an ``.html``/``.htm`` path, or a browser
        navigating (its ``Accept`` names ``text/html``; scripts, styles and images do not)."""
        path = unquote(self.path.split("?", 1)[0].split("#", 1)[0])
        if is_html(path.rsplit("/", 1)[-1]):
            return True
        return "text/html" in self.headers.get("Accept", "").lower()

    # -- methods ----------------------------------------------------------------------------
    def do_GET(self) -> None:
        self._serve(head=False)

    def do_HEAD(self) -> None:
        self._serve(head=True)

    def do_OPTIONS(self) -> None:
        self.send_response(HTTPStatus.NO_CONTENT)
        self._common_headers()
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _not_allowed(self) -> None:
        # The body (if any) is not read, so the connection cannot be reused.
        self.close_connection = True
        body = b"The dev server only answers GET, HEAD and OPTIONS.\n"
        self._send_bytes(
            HTTPStatus.METHOD_NOT_ALLOWED,
            body,
            "text/plain; charset=utf-8",
            head=False,
            extra={"Allow": "GET, HEAD, OPTIONS", "Connection": "close"},
        )

    do_POST = do_PUT = do_DELETE = do_PATCH = do_TRACE = do_CONNECT = _not_allowed

    # -- routing ----------------------------------------------------------------------------
    def _serve(self, *, head: bool) -> None:
        segments = request_segments(self.path)
        if segments is None:
            self._not_found(head)
            return
        app = self.server.app
        state = app.board.current()
        if not segments:
            body = pages.index_page(state, app.base_url)
            self._send_bytes(HTTPStatus.OK, body, "text/html; charset=utf-8", head=head)
            return
        if segments[0] == "__deskpro":
            self._serve_internal(segments[1:], head=head)
            return
        in_files = len(segments) >= 3 and segments[0].startswith("v") and segments[1] == "files"
        if not in_files and segments != ["manifest.json"]:
            self._not_found(head)
            return
        if in_files and is_html(segments[-1]) and state.ok is False:
            self._send_bytes(
                HTTPStatus.INTERNAL_SERVER_ERROR,
                pages.error_page(state),
                "text/html; charset=utf-8",
                head=head,
            )
            return
        if state.built is None:
            if in_files and is_html(segments[-1]):
                body = pages.waiting_page(state)
                self._send_bytes(
                    HTTPStatus.SERVICE_UNAVAILABLE,
                    body,
                    "text/html; charset=utf-8",
                    head=head,
                    extra={"Retry-After": "1"},
                )
            else:
                self._not_found(head, "The first build has not finished yet.")
            return
        if in_files and segments[0] != f"v{state.built.app_version}":
            self._not_found(
                head,
                f"This server serves version {state.built.app_version} of the app, at "
                f"{state.built.files_prefix}/; this request asked for {segments[0]}. Bring the "
                f"app in the helpdesk to version {state.built.app_version} (deskpro package, then "
                "upload dist/app.zip), or put the old version back in the manifest.",
            )
            return
        self._serve_file(segments, head=head, state=state)

    def _serve_file(self, segments: list[str], *, head: bool, state: BuildState) -> None:
        opened = self.server.app.target.open_file(segments)
        if opened is None:
            self._not_found(head)
            return
        path, handle = opened
        with handle:
            if is_html(path.name):
                body = pages.inject_reload(handle.read(), state.id, state.run)
                self._send_bytes(HTTPStatus.OK, body, content_type(path.name), head=head)
                return
            self._send_stream(path, handle, head=head)

    def _send_stream(self, path: Path, handle: IO[bytes], *, head: bool) -> None:
        size = os.fstat(handle.fileno()).st_size
        self.send_response(HTTPStatus.OK)
        self._common_headers()
        self.send_header("Content-Type", content_type(path.name))
        self.send_header("Content-Length", str(size))
        self.end_headers()
        if head or not size:
            return
        if size <= SMALL_FILE:
            self.wfile.write(handle.read())
        else:
            self.connection.sendfile(handle, 0, size)

    def _serve_internal(self, rest: list[str], *, head: bool) -> None:
        app = self.server.app
        if rest == ["events"]:
            if head:
                self._send_bytes(HTTPStatus.OK, b"", "text/event-stream", head=True)
            else:
                self._serve_events()
        elif rest == ["socket"] and not head:
            self._serve_socket()
        elif rest == ["reload.js"]:
            self._send_bytes(
                HTTPStatus.OK, pages.RELOAD_JS, "text/javascript; charset=utf-8", head=head
            )
        elif rest == ["status"]:
            body = json.dumps(app.board.current().to_json()).encode("utf-8")
            self._send_bytes(HTTPStatus.OK, body, "application/json", head=head)
        else:
            self._not_found(head)

    def _serve_events(self) -> None:
        """Server-sent events: one ``build`` event per finished build (the current one first),
        until the client leaves or the server stops."""
        self.close_connection = True
        self.send_response(HTTPStatus.OK)
        self._common_headers()
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(b"retry: 1000\n\n")

        def client_spoke() -> bool:
            return bool(self.rfile.read1(4096))  # nothing is expected; b"" means it left

        self._follow_builds(
            lambda state: self.wfile.write(pages.event_message(state)),
            lambda: self.wfile.write(b": ping\n\n"),
            client_spoke,
        )

    def _serve_socket(self) -> None:
        """The same announcements over a WebSocket (what the reload script uses; see
        :mod:`.websocket` for why)."""
        accept = websocket.accept_key(self.headers.get)
        if accept is None:
            self._send_bytes(
                HTTPStatus.BAD_REQUEST,
                b"This address speaks WebSocket only.\n",
                "text/plain; charset=utf-8",
                head=False,
            )
            return
        self.close_connection = True
        self.send_response(HTTPStatus.SWITCHING_PROTOCOLS)
        self.send_header("Upgrade", "websocket")
        self.send_header("Connection", "Upgrade")
        self.send_header("Sec-WebSocket-Accept", accept)
        self.end_headers()

        def client_spoke() -> bool:
            got = websocket.read_frame(self.rfile.read)
            if got is None or got[0] == websocket.CLOSE:
                with contextlib.suppress(OSError):
                    self.wfile.write(websocket.frame(websocket.CLOSE))
                return False
            if got[0] == websocket.PING:
                self.wfile.write(websocket.frame(websocket.PONG, got[1]))
            return True

        self._follow_builds(
            lambda state: self.wfile.write(
                websocket.frame(websocket.TEXT, pages.state_json(state))
            ),
            lambda: self.wfile.write(websocket.frame(websocket.PING)),
            client_spoke,
        )
        with contextlib.suppress(OSError):
            if self.server.app.board.is_closed():
                self.wfile.write(websocket.frame(websocket.CLOSE, struct.pack("!H", 1001)))

    def _follow_builds(
        self,
        send: Callable[[BuildState], object],
        keepalive: Callable[[], object],
        client_spoke: Callable[[], bool],
    ) -> None:
        """Call ``send`` with the current build state and each new one, until the server stops
        or ``client_spoke`` (called when the client sent something, or closed) says it left.

        The client is checked every :data:`CLIENT_CHECK_SECONDS`, so a closed page frees its
        thread within about a second.
        """
        board = self.server.app.board
        seen, quiet = -1, 0.0
        try:
            while True:
                state = board.wait_change(seen, CLIENT_CHECK_SECONDS)
                if board.is_closed():
                    return
                if state.id != seen:
                    seen, quiet = state.id, 0.0
                    send(state)
                    continue
                readable, _, _ = select.select([self.connection], [], [], 0)
                if readable and not client_spoke():
                    return
                quiet += CLIENT_CHECK_SECONDS
                if quiet >= EVENT_PING_SECONDS:
                    quiet = 0.0
                    keepalive()
        except (TimeoutError, ConnectionError, OSError, ValueError):
            log.debug("build announcements to %s ended", self.address_string())
