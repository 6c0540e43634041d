"""A fake GitHub for the tests: a real threaded HTTP server on 127.0.0.1 (spec/github-oauth.md §8).

One server plays both roles: the web/OAuth endpoints under ``/login/...`` and the REST API under
``/api/v3/...`` (GHES style; the same routes answer at the root too, so ``--api-url`` can point at
either). State lives in memory, one instance per test. The browser step has no HTML UI unless
``authorize_outcome="consent"`` (used by the Chromium test); otherwise a knob decides it.

Knobs (plain attributes): ``authorize_outcome`` (approve | deny | never | consent),
``mismatch_mode`` (interstitial | redirect), ``error_redirect_target`` (registered | redirect_uri),
``browser_session_id``, ``device_interval``, ``device_expires_in``, ``slow_down_increment``,
``device_outcome`` + ``device_outcome_after_polls`` (approve | deny, decided by the Nth poll),
``slow_down_polls``.
Faults: :meth:`FakeGitHub.fault` (status/body override, delay, connection reset, an answer cut
off mid-body, rate limits), one-shot or sticky, per endpoint.
"""

from __future__ import annotations

import base64
import secrets
import ssl
import threading
import time
from collections.abc import Callable
from http.server import ThreadingHTTPServer
from typing import Any

from fakes.github_handler import Handler
from fakes.github_state import (
    DEVICE_GRANT,
    TOKEN_CAP,
    CodeGrant,
    DeviceGrant,
    FakeApp,
    FakeUser,
    Fault,
    Recorded,
    TokenRecord,
    _rand,
    redirect_matches,
)

__all__ = [
    "DEVICE_GRANT",
    "CodeGrant",
    "DeviceGrant",
    "FakeApp",
    "FakeGitHub",
    "FakeUser",
    "Fault",
    "Handler",
    "Recorded",
    "TokenRecord",
    "redirect_matches",
]


class FakeGitHub:
    """The fake; use as a context manager (``with FakeGitHub() as gh:``)."""

    def __init__(
        self, clock: Callable[[], float] = time.time, *, tls: ssl.SSLContext | None = None
    ) -> None:
        """``tls``: serve https with this server context (a GitHub Enterprise Server with a
        certificate from a private CA); plain http otherwise."""
        self.clock = clock
        self.apps: dict[str, FakeApp] = {}
        self.codes: dict[str, CodeGrant] = {}
        self.devices: dict[str, DeviceGrant] = {}
        self.tokens: dict[str, TokenRecord] = {}
        self.refresh: dict[str, TokenRecord] = {}
        self.requests: list[Recorded] = []
        self.faults: dict[str, list[Fault]] = {}
        self.pkce_checked: list[bool] = []
        self.pending_consent: dict[str, dict[str, str]] = {}
        # knobs
        self.authorize_outcome = "approve"
        self.mismatch_mode = "interstitial"
        self.error_redirect_target = "registered"
        self.browser_session_id = False
        self.device_interval = 5
        self.device_expires_in = 899
        self.slow_down_increment = 5
        self.device_outcome: str | None = None
        self.device_outcome_after_polls = 1
        #: Answer the next N polls with slow_down whatever their timing (what GitHub does to a
        #: client whose clock runs fast, cli/cli#9370).
        self.slow_down_polls = 0
        self.lock = threading.RLock()
        self._stopping = threading.Event()
        self._server = _Server(("127.0.0.1", 0), Handler, self, tls)
        self.port = self._server.server_address[1]
        self.url = f"{'https' if tls else 'http'}://127.0.0.1:{self.port}"
        self.api_url = self.url + "/api/v3"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    # -- lifecycle ---------------------------------------------------------------------------
    def start(self) -> FakeGitHub:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> FakeGitHub:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- registry ----------------------------------------------------------------------------
    def add_app(self, **kwargs: Any) -> FakeApp:
        """Register an app; a new-style ``Ov23li…`` id and a 40-hex secret unless given."""
        kind = kwargs.get("kind", "oauth_app")
        kwargs.setdefault("client_id", ("Iv23li" if kind == "github_app" else "Ov23li") + _rand(14))
        kwargs.setdefault("client_secret", secrets.token_hex(20))
        app = FakeApp(**kwargs)
        with self.lock:
            self.apps[app.client_id] = app
        return app

    def fault(self, endpoint: str, kind: str, *, sticky: bool = False, **params: Any) -> None:
        """Inject a fault at ``endpoint`` (authorize, token, device_code, user, applications,
        rate_limit or ``*``): ``status`` (status, body, content_type, headers), ``delay``
        (seconds), ``reset`` (RST before any answer), ``truncate`` (the answer cut off after
        its headers), ``rate_limit`` (mode primary | retry_after | secondary)."""
        with self.lock:
            self.faults.setdefault(endpoint, []).append(Fault(kind, sticky, params))

    def take_fault(self, endpoint: str) -> Fault | None:
        with self.lock:
            for key in (endpoint, "*"):
                queue = self.faults.get(key)
                if queue:
                    fault = queue[0]
                    if not fault.sticky:
                        queue.pop(0)
                    return fault
        return None

    def approve_device(self, user_code: str) -> None:
        self._set_device(user_code, "approved")

    def deny_device(self, user_code: str) -> None:
        self._set_device(user_code, "denied")

    def _set_device(self, user_code: str, status: str) -> None:
        with self.lock:
            for grant in self.devices.values():
                if grant.user_code == user_code:
                    grant.status = status
                    return
        raise KeyError(user_code)

    def secrets(self) -> set[str]:
        """Every secret value the fake knows, issued or was sent (for the tests' leak check):
        client secrets (also as the Basic header carries them), tokens, refresh tokens, codes,
        device codes and PKCE verifiers."""
        with self.lock:
            found = {a.client_secret for a in self.apps.values()}
            found |= {
                base64.b64encode(f"{a.client_id}:{a.client_secret}".encode()).decode()
                for a in self.apps.values()
            }
            found |= set(self.tokens) | set(self.refresh) | set(self.codes) | set(self.devices)
            found |= {r.form["code_verifier"] for r in self.requests if r.form.get("code_verifier")}
        return found

    def live_tokens(self) -> list[TokenRecord]:
        with self.lock:
            return [t for t in self.tokens.values() if not t.revoked]

    def requests_to(self, path: str) -> list[Recorded]:
        return [r for r in self.requests if r.path == path]

    # -- helpers for the handler -------------------------------------------------------------
    def issue_token(self, app: FakeApp, scopes: list[str]) -> TokenRecord:
        prefix = "ghu_" if app.kind == "github_app" else "gho_"
        now = self.clock()
        record = TokenRecord(prefix + _rand(36), app, scopes, now)
        if app.expiring_tokens:
            record.expires_at = now + 28800
            record.refresh_token = "ghr_" + _rand(76)
            self.refresh[record.refresh_token] = record
        self.tokens[record.token] = record
        # At most 10 live tokens per user/app/scopes: the 11th revokes the oldest (§2.6).
        same = [
            t
            for t in self.tokens.values()
            if t.app is app and sorted(t.scopes) == sorted(scopes) and not t.revoked
        ]
        for old in sorted(same, key=lambda t: t.created)[:-TOKEN_CAP]:
            old.revoked = True
        return record

    def token_for(self, value: str) -> TokenRecord | None:
        record = self.tokens.get(value)
        if record is None or record.revoked:
            return None
        if record.expires_at is not None and self.clock() > record.expires_at:
            return None
        return record


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(
        self,
        address: tuple[str, int],
        handler: type,
        fake: FakeGitHub,
        tls: ssl.SSLContext | None = None,
    ) -> None:
        self.fake = fake
        self.tls = tls
        super().__init__(address, handler)

    def get_request(self) -> tuple[Any, Any]:
        sock, address = super().get_request()
        if self.tls is not None:
            # The handshake happens on the handler's thread, at its first read: a client that
            # refuses the certificate must not block the accepting thread.
            sock = self.tls.wrap_socket(sock, server_side=True, do_handshake_on_connect=False)
        return sock, address

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that hangs up mid-answer (a timeout test) is not an error of the fake.
        return None
