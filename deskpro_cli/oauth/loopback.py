"""The one-shot callback server of ``--mode web``, on a loopback address.

It is bound (and listening) when :class:`CallbackServer` is created, before any browser is opened
(oauth2c#83: a browser faster than the listener gets "connection refused"). It completes the flow
once: on the callback path with our ``state`` and a ``code``, or on any path with our ``state`` and
an ``error`` (GitHub sends error redirects to the *registered* callback, which may differ from
ours in path). A request with a missing or wrong ``state`` is refused (HTTP 400, nothing is
exchanged) and the wait goes on: it is a stale tab from an earlier run or a forged request.
Unknown query parameters (``browser_session_id``...) are ignored. Leaving the ``with`` block, by
success, timeout or Ctrl-C, closes the port.
"""

from __future__ import annotations

import errno
import html
import logging
import secrets
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from urllib.parse import parse_qs, urlsplit

from deskpro_cli.errors import UsageError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CallbackResult:
    """What the browser brought back: a ``code``, or GitHub's ``error`` and its description."""

    code: str | None
    error: str | None
    error_description: str | None
    path: str


_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>body{{font-family:system-ui,sans-serif;max-width:40em;margin:4em auto}}</style>
</head><body><h1>{title}</h1><p>{text}</p></body></html>
"""


def _page(title: str, text: str) -> bytes:
    return _PAGE.format(title=html.escape(title), text=html.escape(text)).encode("utf-8")


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    # A speculative connection that never sends a request must not hold a thread for long.
    timeout = 10
    server_version = "deskpro-cli-callback"
    sys_version = ""

    def log_message(self, format: str, *args: object) -> None:
        # The request line carries the authorization code: log the path only.
        log.debug("callback server: %s %s", self.command, urlsplit(self.path).path)

    def _send(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("Referrer-Policy", "no-referrer")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_HEAD(self) -> None:
        self._send(405, b"")

    def do_POST(self) -> None:
        self._send(405, _page("Not allowed", "This address only takes GitHub's redirect."))

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        server = self.server
        on_callback_path = parts.path == server.callback_path
        has_oauth_params = any(k in query for k in ("code", "error", "state"))
        if not on_callback_path and not ("error" in query and "state" in query):
            self._send(404, _page("Not found", "Nothing here."))
            return
        if not has_oauth_params:
            self._send(400, _page("Waiting for GitHub", "This address takes GitHub's redirect."))
            return
        state = query.get("state", "")
        if not secrets.compare_digest(state.encode(), server.expected_state.encode()):
            with server.lock:
                server.refused += 1
            log.warning("refused a callback whose state did not match this run")
            self._send(
                400,
                _page(
                    "Not for this run",
                    "This sign-in answer does not belong to the command that is waiting (its "
                    "state does not match), so it was refused and nothing was exchanged. It may "
                    "come from a tab left open by an earlier run; go back to the terminal.",
                ),
            )
            return
        with server.lock:
            already = server.result is not None
            if not already:
                server.result = CallbackResult(
                    code=query.get("code") or None,
                    error=query.get("error") or None,
                    error_description=query.get("error_description") or None,
                    path=parts.path,
                )
        if already:
            self._send(200, _page("Already done", "This run already has its answer."))
        elif query.get("error"):
            desc = query.get("error_description") or query["error"]
            self._send(200, _page("GitHub said no", f"{desc} Go back to the terminal."))
        elif query.get("code"):
            self._send(
                200,
                _page(
                    "Authorization received",
                    "deskpro oauth-test got GitHub's answer. You may close this tab and go "
                    "back to the terminal.",
                ),
            )
        else:
            self._send(
                400, _page("No code", "GitHub's redirect carried neither a code nor an error.")
            )
        if not already:
            server.done.set()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # A rerun on the same --port must not fail on the last run's TIME_WAIT connections; a port
    # that something still listens on is refused all the same.
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], callback_path: str, state: str) -> None:
        self.callback_path = callback_path
        self.expected_state = state
        self.result: CallbackResult | None = None
        self.refused = 0
        self.lock = threading.Lock()
        self.done = threading.Event()
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, _Handler)


def bind_address(host: str) -> str:
    """The address to listen on for a loopback host named in a redirect URI."""
    host = host.strip("[]").lower()
    if host in ("localhost", "127.0.0.1") or host.endswith(".localhost"):
        return "127.0.0.1"
    return host


class CallbackServer:
    """A listening one-shot callback server; use it as a context manager.

    ``redirect_uri`` is the exact string to send at authorize and at the exchange.
    """

    def __init__(self, *, host: str, port: int, path: str, state: str) -> None:
        self.host = host
        self.path = path or "/"
        address = bind_address(host)
        try:
            self._server = _Server((address, port), self.path, state)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise UsageError(
                    f"port {port} on {address} is already in use, so the callback server cannot "
                    f"listen there",
                    hint="stop what uses it, or pick another --port (or none for a free one)",
                ) from None
            if exc.errno in (errno.EACCES, errno.EPERM):
                raise UsageError(
                    f"no permission to listen on port {port}",
                    hint="use a port above 1023, or none for a free one",
                ) from None
            raise UsageError(f"cannot listen on {address}:{port}: {exc.strerror}") from None
        self.port: int = self._server.server_address[1]
        url_host = f"[{host.strip('[]')}]" if ":" in host.strip("[]") else host
        self.redirect_uri = f"http://{url_host}:{self.port}{self.path}"
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.1},
            name="oauth-callback",
            daemon=True,
        )
        self._thread.start()

    @property
    def refused(self) -> int:
        """How many callbacks were refused for a missing or wrong ``state``."""
        return self._server.refused

    def wait(
        self, timeout: float, monotonic: Callable[[], float] = time.monotonic
    ) -> CallbackResult | None:
        """Wait up to ``timeout`` seconds for the callback; None on timeout.

        Waits in short slices so Ctrl-C (KeyboardInterrupt) is seen at once.
        """
        deadline = monotonic() + timeout
        while True:
            left = deadline - monotonic()
            if left <= 0:
                return None
            if self._server.done.wait(min(left, 0.2)):
                return self._server.result

    def close(self) -> None:
        """Stop serving and close the listening socket (idempotent)."""
        if self._thread.is_alive():
            self._server.shutdown()
            self._thread.join(timeout=5)
        self._server.server_close()

    def __enter__(self) -> CallbackServer:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
