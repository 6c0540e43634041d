"""The fake GitHub's data model: apps, users, codes, device grants, tokens, recorded requests."""

from __future__ import annotations

import secrets
import string
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit

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
