"""The fake GitHub's request handler: routing, faults, and the web/OAuth role (the plumbing,
the device-flow and REST API roles are in their own modules)."""

from __future__ import annotations

import base64
import hashlib
import secrets
import socket
from collections.abc import Callable
from typing import TYPE_CHECKING

from fakes.github_api import ApiRole
from fakes.github_data import (
    AUTHORIZE_ERRORS,
    BAD_GATEWAY_HTML,
    INTERSTITIAL,
    NOT_FOUND_API,
    NOT_FOUND_HTML,
    error_fields,
    negotiate,
    normalise_scopes,
)
from fakes.github_device import DeviceRole
from fakes.github_state import (
    CODE_TTL,
    DEVICE_GRANT,
    CodeGrant,
    FakeApp,
    Recorded,
    _with_query,
    redirect_matches,
)

if TYPE_CHECKING:
    pass


class Handler(ApiRole, DeviceRole):
    """The whole fake: routing and faults here, the web/OAuth role, and the mixed-in roles."""

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
        if fault.kind == "truncate":
            # Headers promise more than is sent, then the connection closes mid-answer.
            self.send_response(200)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", "200")
            self.end_headers()
            self.wfile.write(b'{"access_token":"gho_')
            self.wfile.flush()
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
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

    def _refresh(self, rec: Recorded, app: FakeApp, kind: str) -> None:
        old = self.fake.refresh.pop(rec.form.get("refresh_token", ""), None)
        if old is None or old.app is not app:
            self._oauth_answer(kind, error_fields("bad_refresh_token"))
            return
        old.revoked = True
        self._grant(app, old.scopes, kind)


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
