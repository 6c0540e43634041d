"""What the fake GitHub says: the exact strings and body encodings of spec/github-oauth.md.

Kept apart from the server so the fidelity tests can name the strings they replay.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from urllib.parse import urlencode
from xml.sax.saxutils import escape

DOCS = "https://docs.github.com/apps/managing-oauth-apps/"
AUTHZ_DOCS = DOCS + "troubleshooting-authorization-request-errors/"
TOKEN_DOCS = DOCS + "troubleshooting-oauth-app-access-token-request-errors/"
DEVICE_DOCS = (
    "https://docs.github.com/developers/apps/authorizing-oauth-apps#error-codes-for-the-device-flow"
)

#: error -> (error_description, error_uri) at the token and device endpoints (§2.7, §3.1, §3.3).
TOKEN_ERRORS: dict[str, tuple[str, str]] = {
    "incorrect_client_credentials": (
        "The client_id and/or client_secret passed are incorrect.",
        TOKEN_DOCS + "#incorrect-client-credentials",
    ),
    "redirect_uri_mismatch": (
        "The redirect_uri MUST match the registered callback URL for this application.",
        AUTHZ_DOCS + "#redirect-uri-mismatch2",
    ),
    "bad_verification_code": (
        "The code passed is incorrect or expired.",
        TOKEN_DOCS + "#bad-verification-code",
    ),
    # [unverified] live form not seen; docs give a relative URI.
    "unverified_user_email": (
        "The user must have a verified primary email.",
        TOKEN_DOCS + "#unverified_user_email",
    ),
    # [unverified] text.
    "bad_refresh_token": (
        "The refresh token passed is incorrect or expired.",
        TOKEN_DOCS + "#bad-refresh-token",
    ),
    "authorization_pending": ("The authorization request is still pending.", DEVICE_DOCS),
    "slow_down": (
        "Too many requests have been made in the same timeframe.",
        "https://docs.github.com",
    ),
    # [unverified] not captured live.
    "expired_token": ("The device_code has expired.", DEVICE_DOCS),
    "incorrect_device_code": ("The device_code provided is not valid.", DEVICE_DOCS),
    # [unverified] not captured live.
    "access_denied": ("The authorization request was denied.", DEVICE_DOCS),
    "unsupported_grant_type": ("The grant type is not supported.", DEVICE_DOCS),
    "device_flow_disabled": (
        "Device Flow must be explicitly enabled for this App",
        "https://docs.github.com",
    ),
}

#: error -> (error_description, error_uri) of the authorize error redirects (§2.3).
AUTHORIZE_ERRORS: dict[str, tuple[str, str]] = {
    "access_denied": (
        "The user has denied your application access.",
        AUTHZ_DOCS + "#access-denied",
    ),
    "redirect_uri_mismatch": (
        "The redirect_uri MUST match the registered callback URL for this application.",
        AUTHZ_DOCS + "#redirect-uri-mismatch",
    ),
    "application_suspended": (
        "Your application has been suspended. Contact support@github.com.",
        AUTHZ_DOCS + "#application-suspended",
    ),
}

INTERSTITIAL = (
    "Be careful! The redirect_uri is not associated with this application. The application "
    "might be misconfigured or could be trying to redirect you to a website you weren't expecting."
)

BAD_CREDENTIALS = {
    "message": "Bad credentials",
    "documentation_url": "https://docs.github.com/rest",
    "status": "401",
}
REQUIRES_AUTH = {
    "message": "Requires authentication",
    "documentation_url": "https://docs.github.com/rest/users/users#get-the-authenticated-user",
    "status": "401",
}
NOT_FOUND_API = {
    "message": "Not Found",
    "documentation_url": "https://docs.github.com/rest",
    "status": "404",
}

NOT_FOUND_HTML = (
    b"<!DOCTYPE html>\n<html><head><title>Page not found &middot; GitHub</title></head>"
    b"<body><h1>404</h1><p>This is not the web page you are looking for.</p></body></html>\n"
)
BAD_GATEWAY_HTML = (
    b"<!DOCTYPE html>\n<html><head><title>Unicorn! &middot; GitHub</title></head><body>"
    b"<p>No server is currently available to service your request.</p></body></html>\n"
)

FORM = "application/x-www-form-urlencoded; charset=utf-8"
JSON = "application/json; charset=utf-8"
XML = "application/xml; charset=utf-8"


def negotiate(accept: str | None) -> str | None:
    """``json``, ``xml`` or ``form`` for an Accept header; None for a 406 (§2.5)."""
    value = (accept or "").lower()
    if "application/vnd.github" in value:
        return None
    if "application/json" in value:
        return "json"
    if "application/xml" in value:
        return "xml"
    return "form"


def encode(fields: Sequence[tuple[str, object]], kind: str) -> tuple[bytes, str]:
    """A body in GitHub's encodings: form (urlencode, ``+`` for space), compact JSON, or XML."""
    if kind == "json":
        return json.dumps(dict(fields), separators=(",", ":")).encode(), JSON
    if kind == "xml":
        inner = "".join(f"<{k}>{escape(str(v))}</{k}>" for k, v in fields)
        return f"<OAuth>{inner}</OAuth>".encode(), XML
    return urlencode([(k, str(v)) for k, v in fields]).encode(), FORM


def error_fields(error: str, **extra: object) -> list[tuple[str, object]]:
    """``error``, ``error_description``, ``error_uri`` (+ extras such as ``interval``)."""
    desc, uri = TOKEN_ERRORS[error]
    return [("error", error), ("error_description", desc), ("error_uri", uri), *extra.items()]


def token_fields(
    access_token: str,
    scope: str,
    kind: str,
    *,
    refresh_token: str | None = None,
) -> list[tuple[str, object]]:
    """A success body: JSON/XML in GitHub's order; form keys sorted, as github.com sends them."""
    if kind == "xml":
        return [("token_type", "bearer"), ("scope", scope), ("access_token", access_token)]
    fields: list[tuple[str, object]] = [
        ("access_token", access_token),
        ("token_type", "bearer"),
        ("scope", scope),
    ]
    if refresh_token is not None:
        fields += [
            ("expires_in", 28800),
            ("refresh_token", refresh_token),
            ("refresh_token_expires_in", 15811200),
        ]
    if kind == "form":
        fields.sort(key=lambda kv: kv[0])
    return fields


#: scope -> scopes it includes, to normalise a granted scope list (§2.6: ``user gist user:email``
#: is granted as ``user,gist``).
IMPLIES: dict[str, set[str]] = {
    "repo": {"repo:status", "repo_deployment", "public_repo", "repo:invite", "security_events"},
    "user": {"read:user", "user:email", "user:follow"},
    "admin:org": {"write:org", "read:org"},
    "write:org": {"read:org"},
    "write:packages": {"read:packages"},
}


def normalise_scopes(requested: Iterable[str]) -> list[str]:
    wanted = list(dict.fromkeys(s for s in requested if s))
    return [s for s in wanted if not any(s in IMPLIES.get(o, set()) for o in wanted if o != s)]
