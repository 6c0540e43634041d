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
Faults: :meth:`FakeGitHub.fault` (status/body override, delay, connection reset, rate limits),
one-shot or sticky, per endpoint.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import socket
import string
import struct
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from fakes.github_data import (
    AUTHORIZE_ERRORS,
    BAD_CREDENTIALS,
    BAD_GATEWAY_HTML,
    INTERSTITIAL,
    NOT_FOUND_API,
    NOT_FOUND_HTML,
    REQUIRES_AUTH,
    encode,
    error_fields,
    negotiate,
    normalise_scopes,
    token_fields,
)

DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
CODE_TTL = 600
TOKEN_CAP = 10
_ALNUM = string.ascii_letters + string.digits


def _rand(n: int, alphabet: str = _ALNUM) -> str:
    return "".join(secrets.choice(alphabet) for _ in range(n))


@dataclass
class FakeUser:
    login: str = "octocat"
    id: int = 583231
    name: str = "The Octocat"
    email: str = "octocat@example.com"
    email_verified: bool = True


@dataclass
class FakeApp:
    client_id: str
    client_secret: str
    kind: str = "oauth_app"  # or "github_app"
    callbacks: list[str] = field(default_factory=lambda: ["http://127.0.0.1/oauth-test"])
    wildcard: bool = True
    device_flow_enabled: bool = False
    suspended: bool = False
    deleted: bool = False
    expiring_tokens: bool = False
    user: FakeUser = field(default_factory=FakeUser)


@dataclass
class CodeGrant:
    app: FakeApp
    redirect_uri: str | None
    challenge: str | None
    scopes: list[str]
    created: float
    used: bool = False


@dataclass
class DeviceGrant:
    app: FakeApp
    user_code: str
    scopes: list[str]
    created: float
    expires_in: int
    interval: int
    last_poll: float | None = None
    polls: int = 0
    status: str = "pending"  # pending | approved | denied | used


@dataclass
class TokenRecord:
    token: str
    app: FakeApp
    scopes: list[str]
    created: float
    expires_at: float | None = None
    refresh_token: str | None = None
    revoked: bool = False


@dataclass
class Recorded:
    """One request as the fake saw it (tests assert on what the CLI sent)."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes
    form: dict[str, str]


@dataclass
class Fault:
    kind: str  # status | delay | reset | rate_limit
    sticky: bool
    params: dict[str, Any]


class FakeGitHub:
    """The fake; use as a context manager (``with FakeGitHub() as gh:``)."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
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
        self._server = _Server(("127.0.0.1", 0), _Handler, self)
        self.port = self._server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
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
        (seconds), ``reset``, ``rate_limit`` (mode primary | retry_after | secondary)."""
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
        """Every secret value the fake knows or issued (for the tests' leak check)."""
        with self.lock:
            found = {a.client_secret for a in self.apps.values()}
            found |= set(self.tokens) | set(self.refresh) | set(self.codes) | set(self.devices)
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


def redirect_matches(app: FakeApp, uri: str) -> bool:
    """GitHub's redirect_uri rules (§2.4), loopback any-port exception included."""
    try:
        u = urlsplit(uri)
        u_port = u.port
    except ValueError:
        return False
    for callback in app.callbacks:
        if app.kind == "github_app":
            if uri == callback:
                return True
            continue
        c = urlsplit(callback)
        if u.scheme != c.scheme or not u.hostname or not c.hostname:
            continue
        loopback = c.hostname in ("127.0.0.1", "::1", "localhost")
        host_ok = u.hostname == c.hostname or (
            not loopback and u.hostname.endswith("." + c.hostname)
        )
        default = 443 if c.scheme == "https" else 80
        port_ok = loopback or (u_port or default) == (c.port or default)
        c_path = c.path or "/"
        u_path = u.path or "/"
        path_ok = u_path == c_path or (
            app.wildcard and (c_path == "/" or u_path.startswith(c_path.rstrip("/") + "/"))
        )
        if host_ok and port_ok and path_ok:
            return True
    return False


def _with_query(url: str, pairs: list[tuple[str, str]]) -> str:
    return url + ("&" if "?" in url else "?") + urlencode(pairs)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], handler: type, fake: FakeGitHub) -> None:
        self.fake = fake
        super().__init__(address, handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that hangs up mid-answer (a timeout test) is not an error of the fake.
        return None


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    server_version = "github.com"
    sys_version = ""
    timeout = 15

    def log_message(self, format: str, *args: object) -> None:
        return None  # never print: request lines may carry codes

    @property
    def fake(self) -> FakeGitHub:
        return self.server.fake

    # -- plumbing ----------------------------------------------------------------------------
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
        self.send_header("Server", "github.com")
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

    def _apply_fault(self, endpoint: str) -> bool:
        """Apply a pending fault; True when the answer has been given (or the socket reset)."""
        fault = self.fake.take_fault(endpoint)
        if fault is None:
            return False
        p = fault.params
        if fault.kind == "delay":
            self.fake._stopping.wait(float(p.get("seconds", 5)))
            return False
        if fault.kind == "reset":
            self._reset()
            return True
        if fault.kind == "status":
            status = int(p.get("status", 502))
            body = p.get("body", BAD_GATEWAY_HTML if status >= 500 else b"")
            body = body.encode() if isinstance(body, str) else body
            self._send(
                status, body, p.get("content_type", "text/html; charset=utf-8"), p.get("headers")
            )
            return True
        if fault.kind == "rate_limit":
            mode = p.get("mode", "primary")
            reset = str(int(self.fake.clock()) + int(p.get("reset_in", 1800)))
            headers = {
                "X-RateLimit-Limit": "5000",
                "X-RateLimit-Remaining": "0" if mode == "primary" else "4000",
                "X-RateLimit-Reset": reset,
                "X-RateLimit-Used": "5000" if mode == "primary" else "1000",
                "X-RateLimit-Resource": "core",
            }
            if mode == "retry_after":
                headers["Retry-After"] = str(p.get("retry_after", 60))
                status = 429
                message = "API rate limit exceeded"
            elif mode == "secondary":
                status = 403
                message = (
                    "You have exceeded a secondary rate limit. Please wait a few minutes before "
                    "you try again."
                )
            else:
                status = int(p.get("status", 403))
                message = "API rate limit exceeded for user ID 583231."
            self._json(
                status,
                {"message": message, "documentation_url": "https://docs.github.com/rest"},
                headers,
            )
            return True
        raise ValueError(f"unknown fault kind {fault.kind!r}")

    # -- routing -----------------------------------------------------------------------------
    def do_GET(self) -> None:
        self._route()

    def do_POST(self) -> None:
        self._route()

    def do_PATCH(self) -> None:
        self._route()

    def do_DELETE(self) -> None:
        self._route()

    def _route(self) -> None:
        rec = self._read()
        path = rec.path
        if path.startswith("/api/v3/"):
            path = path[len("/api/v3") :]
        routes: dict[tuple[str, str], tuple[str, Callable[[Recorded], None]]] = {
            ("GET", "/login/oauth/authorize"): ("authorize", self._authorize),
            ("POST", "/login/oauth/authorize"): ("authorize", self._consent_decision),
            ("POST", "/login/oauth/access_token"): ("token", self._token),
            ("POST", "/login/device/code"): ("device_code", self._device_code),
            ("GET", "/user"): ("user", self._user),
            ("GET", "/rate_limit"): ("rate_limit", self._rate_limit),
        }
        entry = routes.get((rec.method, path))
        if entry is None and path.startswith("/applications/"):
            entry = ("applications", lambda r: self._applications(r, path))
        if entry is None:
            if path.startswith("/login"):
                self._html(404, NOT_FOUND_HTML)
            else:
                self._json(404, NOT_FOUND_API)
            return
        endpoint, handler = entry
        if self._apply_fault(endpoint):
            return
        with self.fake.lock:
            handler(rec)

    # -- web role ----------------------------------------------------------------------------
    def _app(self, client_id: str | None) -> FakeApp | None:
        app = self.fake.apps.get(client_id or "")
        return None if app is None or app.deleted else app

    def _authorize(self, rec: Recorded) -> None:
        q = rec.query
        app = self._app(q.get("client_id"))
        if app is None:
            self._html(404, NOT_FOUND_HTML)
            return
        state = q.get("state")
        redirect_uri = q.get("redirect_uri")
        if redirect_uri is not None and not redirect_matches(app, redirect_uri):
            if self.fake.mismatch_mode == "interstitial":
                self._html(200, f"<!DOCTYPE html><html><body><p>{INTERSTITIAL}</p></body></html>")
            else:
                self._error_redirect(app.callbacks[0], "redirect_uri_mismatch", state)
            return
        if app.suspended:
            self._error_redirect(app.callbacks[0], "application_suspended", state)
            return
        if q.get("code_challenge") and q.get("code_challenge_method", "plain") != "S256":
            self._html(400, "<p>code_challenge_method must be S256</p>")
            return
        outcome = self.fake.authorize_outcome
        if outcome == "never":
            self._html(200, "<!DOCTYPE html><html><body><p>Sign in to GitHub</p></body></html>")
        elif outcome == "consent":
            request_id = secrets.token_hex(8)
            self.fake.pending_consent[request_id] = dict(q)
            self._html(200, _consent_page(app, request_id, q.get("scope", "")))
        else:
            self._decide(app, dict(q), approve=outcome == "approve")

    def _consent_decision(self, rec: Recorded) -> None:
        q = self.fake.pending_consent.pop(rec.form.get("request_id", ""), None)
        app = self._app(q.get("client_id")) if q else None
        if q is None or app is None:
            self._html(400, "<p>This authorization request is no longer valid.</p>")
            return
        self._decide(app, q, approve=rec.form.get("authorize") == "1")

    def _decide(self, app: FakeApp, q: dict[str, str], *, approve: bool) -> None:
        state = q.get("state")
        redirect_uri = q.get("redirect_uri")
        target = redirect_uri or app.callbacks[0]
        if not approve:
            where = app.callbacks[0] if self.fake.error_redirect_target == "registered" else target
            self._error_redirect(where, "access_denied", state)
            return
        code = secrets.token_hex(10)
        self.fake.codes[code] = CodeGrant(
            app,
            redirect_uri,
            q.get("code_challenge"),
            normalise_scopes(q.get("scope", "").split()),
            self.fake.clock(),
        )
        pairs: list[tuple[str, str]] = []
        if self.fake.browser_session_id:
            pairs.append(("browser_session_id", secrets.token_hex(8)))
        pairs.append(("code", code))
        if state is not None:
            pairs.append(("state", state))
        self._redirect(_with_query(target, pairs))

    def _error_redirect(self, target: str, error: str, state: str | None) -> None:
        desc, uri = AUTHORIZE_ERRORS[error]
        pairs = [("error", error), ("error_description", desc), ("error_uri", uri)]
        if state is not None:
            pairs.append(("state", state))
        self._redirect(_with_query(target, pairs))

    def _oauth_answer(self, kind: str, fields: list[tuple[str, object]], status: int = 200) -> None:
        body, ctype = encode(fields, kind)
        self._send(status, body, ctype, {"Cache-Control": "no-store"})

    def _client_credentials(self, rec: Recorded) -> tuple[str | None, str | None]:
        cid, secret = rec.form.get("client_id"), rec.form.get("client_secret")
        auth = rec.headers.get("authorization", "")
        if auth.lower().startswith("basic "):
            try:
                user, _, password = base64.b64decode(auth[6:]).decode().partition(":")
            except ValueError:
                user, password = "", ""
            cid = cid or user
            secret = secret or password
        return cid, secret

    def _token(self, rec: Recorded) -> None:
        kind = negotiate(rec.headers.get("accept"))
        if kind is None:
            self._send(406, b"", "text/plain; charset=utf-8")
            return
        grant_type = rec.form.get("grant_type", "")
        cid, secret = self._client_credentials(rec)
        app = self._app(cid)
        if app is None:
            self._html(404, NOT_FOUND_HTML)
            return
        if grant_type == DEVICE_GRANT:
            self._device_poll(rec, app, kind)
            return
        if grant_type not in ("", "authorization_code", "refresh_token"):
            self._oauth_answer(kind, error_fields("unsupported_grant_type"))
            return
        if secret != app.client_secret:
            self._oauth_answer(kind, error_fields("incorrect_client_credentials"))
            return
        if grant_type == "refresh_token":
            self._refresh(rec, app, kind)
            return
        code = rec.form.get("code")
        if not code:
            self._oauth_answer(kind, error_fields("redirect_uri_mismatch"))
            return
        grant = self.fake.codes.get(code)
        now = self.fake.clock()
        if grant is None or grant.used or grant.app is not app or now - grant.created > CODE_TTL:
            self._oauth_answer(kind, error_fields("bad_verification_code"))
            return
        grant.used = True  # single use, whatever happens next
        sent_redirect = rec.form.get("redirect_uri")
        if sent_redirect is not None and sent_redirect != (grant.redirect_uri or sent_redirect):
            self._oauth_answer(kind, error_fields("redirect_uri_mismatch"))
            return
        if grant.challenge is not None:
            verifier = rec.form.get("code_verifier", "")
            digest = hashlib.sha256(verifier.encode()).digest()
            computed = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
            ok = bool(verifier) and secrets.compare_digest(computed, grant.challenge)
            self.fake.pkce_checked.append(ok)
            if not ok:
                self._oauth_answer(kind, error_fields("bad_verification_code"))
                return
        if not app.user.email_verified:
            self._oauth_answer(kind, error_fields("unverified_user_email"))
            return
        self._grant(app, grant.scopes, kind)

    def _grant(self, app: FakeApp, scopes: list[str], kind: str) -> None:
        record = self.fake.issue_token(app, scopes)
        scope = "" if app.kind == "github_app" else ",".join(scopes)
        fields = token_fields(record.token, scope, kind, refresh_token=record.refresh_token)
        self._oauth_answer(kind, fields)

    def _refresh(self, rec: Recorded, app: FakeApp, kind: str) -> None:
        old = self.fake.refresh.pop(rec.form.get("refresh_token", ""), None)
        if old is None or old.app is not app:
            self._oauth_answer(kind, error_fields("bad_refresh_token"))
            return
        old.revoked = True
        self._grant(app, old.scopes, kind)

    def _device_code(self, rec: Recorded) -> None:
        kind = negotiate(rec.headers.get("accept"))
        if kind is None:
            self._send(406, b"", "text/plain; charset=utf-8")
            return
        app = self._app(rec.form.get("client_id"))
        if app is None:
            self._html(404, NOT_FOUND_HTML)
            return
        if not app.device_flow_enabled:
            self._oauth_answer(kind, error_fields("device_flow_disabled"), status=400)
            return
        device_code = secrets.token_hex(20)
        alphabet = "BCDFGHJKLMNPQRSTVWXZ" + string.digits
        user_code = _rand(4, alphabet) + "-" + _rand(4, alphabet)
        self.fake.devices[device_code] = DeviceGrant(
            app,
            user_code,
            normalise_scopes(rec.form.get("scope", "").split()),
            self.fake.clock(),
            self.fake.device_expires_in,
            self.fake.device_interval,
        )
        host = rec.headers.get("host", f"127.0.0.1:{self.fake.port}")
        fields: list[tuple[str, object]] = [
            ("device_code", device_code),
            ("user_code", user_code),
            ("verification_uri", f"http://{host}/login/device"),
            ("expires_in", self.fake.device_expires_in),
            ("interval", self.fake.device_interval),
        ]
        self._oauth_answer(kind, fields)

    def _device_poll(self, rec: Recorded, app: FakeApp, kind: str) -> None:
        if not app.device_flow_enabled:
            self._oauth_answer(kind, error_fields("device_flow_disabled"))
            return
        grant = self.fake.devices.get(rec.form.get("device_code", ""))
        if grant is None or grant.app is not app or grant.status == "used":
            self._oauth_answer(kind, error_fields("incorrect_device_code"))
            return
        now = self.fake.clock()
        if now - grant.created > grant.expires_in:
            self._oauth_answer(kind, error_fields("expired_token"))
            return
        previous = grant.last_poll if grant.last_poll is not None else grant.created
        grant.last_poll = now
        forced = self.fake.slow_down_polls > 0
        if forced:
            self.fake.slow_down_polls -= 1
        if forced or now - previous < grant.interval:
            grant.interval += self.fake.slow_down_increment
            interval: object = grant.interval if kind == "json" else str(grant.interval)
            self._oauth_answer(kind, error_fields("slow_down", interval=interval))
            return
        grant.polls += 1
        outcome = self.fake.device_outcome
        if (
            grant.status == "pending"
            and outcome
            and grant.polls >= self.fake.device_outcome_after_polls
        ):
            grant.status = "approved" if outcome == "approve" else "denied"
        if grant.status == "pending":
            self._oauth_answer(kind, error_fields("authorization_pending"))
        elif grant.status == "denied":
            self._oauth_answer(kind, error_fields("access_denied"))
        else:
            grant.status = "used"
            self._grant(app, grant.scopes, kind)

    # -- API role ----------------------------------------------------------------------------
    def _bearer(self, rec: Recorded) -> str | None:
        auth = rec.headers.get("authorization", "")
        scheme, _, value = auth.partition(" ")
        return value.strip() if scheme.lower() in ("bearer", "token") and value.strip() else None

    def _user(self, rec: Recorded) -> None:
        value = self._bearer(rec)
        if value is None:
            self._json(401, REQUIRES_AUTH)
            return
        record = self.fake.token_for(value)
        if record is None:
            self._json(401, BAD_CREDENTIALS)
            return
        user = record.app.user
        scopes = "" if record.app.kind == "github_app" else ", ".join(sorted(record.scopes))
        remaining = 5000 - sum(1 for r in self.fake.requests if r.path.endswith("/user"))
        headers = {
            "X-OAuth-Scopes": scopes,
            "X-Accepted-OAuth-Scopes": "",
            "X-OAuth-Client-Id": record.app.client_id,
            "X-GitHub-Api-Version-Selected": "2022-11-28",
            "X-GitHub-Media-Type": "github.v3; format=json",
            "X-RateLimit-Limit": "5000",
            "X-RateLimit-Remaining": str(remaining),
            "X-RateLimit-Reset": str(int(self.fake.clock()) + 3600),
            "X-RateLimit-Used": str(5000 - remaining),
            "X-RateLimit-Resource": "core",
        }
        base = f"https://github.com/{user.login}"
        self._json(
            200,
            {
                "login": user.login,
                "id": user.id,
                "node_id": "MDQ6VXNlcj" + str(user.id),
                "avatar_url": f"https://avatars.githubusercontent.com/u/{user.id}?v=4",
                "html_url": base,
                "type": "User",
                "site_admin": False,
                "name": user.name,
                "email": user.email,
            },
            headers,
        )

    def _basic_app(self, rec: Recorded) -> FakeApp | bool | None:
        """The app of a Basic header: None when absent, False when the pair is wrong."""
        auth = rec.headers.get("authorization", "")
        if not auth.lower().startswith("basic "):
            return None
        try:
            user, _, password = base64.b64decode(auth[6:]).decode().partition(":")
        except ValueError:
            return False
        app = self._app(user)
        return app if app is not None and app.client_secret == password else False

    def _applications(self, rec: Recorded, path: str) -> None:
        parts = path.strip("/").split("/")
        app = self._basic_app(rec)
        if app is None or len(parts) != 3:
            self._json(404, NOT_FOUND_API)
            return
        if app is False or app.client_id != parts[1]:
            self._json(401, BAD_CREDENTIALS)
            return
        value = rec.form.get("access_token")
        if not value:
            self._json(422, {"message": "Validation Failed", "status": "422"})
            return
        record = self.fake.token_for(value)
        if parts[2] == "grant" and rec.method == "DELETE":
            for t in self.fake.tokens.values():
                if t.app is app and record is not None and t.app.user is record.app.user:
                    t.revoked = True
            self._send(204)
            return
        if parts[2] != "token" or record is None or record.app is not app:
            self._json(404, NOT_FOUND_API)
            return
        if rec.method == "DELETE":
            record.revoked = True
            self._send(204)
        elif rec.method == "PATCH":
            record.revoked = True
            new = self.fake.issue_token(app, record.scopes)
            self._json(200, self._authorization(new))
        else:
            self._json(200, self._authorization(record))

    @staticmethod
    def _authorization(record: TokenRecord) -> dict[str, Any]:
        return {
            "id": 1,
            "scopes": record.scopes,
            "token": record.token,
            "token_last_eight": record.token[-8:],
            "app": {
                "client_id": record.app.client_id,
                "name": "fake",
                "url": "https://example.com",
            },
            "user": {"login": record.app.user.login, "id": record.app.user.id},
        }

    def _rate_limit(self, rec: Recorded) -> None:
        app = self._basic_app(rec)
        if app is False:
            self._json(401, BAD_CREDENTIALS)
            return
        limit = 5000 if app else 60
        core = {
            "limit": limit,
            "remaining": limit,
            "reset": int(self.fake.clock()) + 3600,
            "used": 0,
        }
        self._json(200, {"resources": {"core": core}, "rate": core})


def _consent_page(app: FakeApp, request_id: str, scope: str) -> str:
    scopes = ", ".join(scope.split()) or "(no scopes: public data only)"
    return f"""<!DOCTYPE html>
<html><head><title>Authorize application</title></head><body>
<h1>Authorize {app.client_id}</h1>
<p>This application will be able to access: {scopes}</p>
<form method="post" action="/login/oauth/authorize">
<input type="hidden" name="request_id" value="{request_id}">
<button type="submit" name="authorize" value="1" id="js-oauth-authorize-btn">Authorize</button>
<button type="submit" name="authorize" value="0" id="js-oauth-cancel-btn">Cancel</button>
</form></body></html>
"""
