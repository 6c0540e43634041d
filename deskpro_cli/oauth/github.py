"""What GitHub's answers mean, and the calls that need no flow (``/user``, revocation).

Requests go through :func:`deskpro_cli.oauth.network.send` (network failures become verdicts).
Answers of the ``/login/*`` endpoints are judged by :func:`judge_oauth_response`: rate limits and
5xx first, then a 404 (no such app), then the body, which is parsed by its ``Content-Type``
(GitHub answers OAuth errors with HTTP 200 and an ``error`` field; spec/github-oauth.md §0.1).
Nothing here puts a secret or a token into a message.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

import requests

from deskpro_cli.oauth.endpoints import Endpoints
from deskpro_cli.oauth.network import send
from deskpro_cli.oauth.verdicts import Stop, Verdict

#: Asked of every ``/login/*`` endpoint: their default answer is form-encoded (§2.5).
ACCEPT_JSON = {"Accept": "application/json"}
API_HEADERS = {"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28"}


def _request_id(response: requests.Response) -> str:
    rid = response.headers.get("X-GitHub-Request-Id")
    return f" (X-GitHub-Request-Id {rid})" if rid else ""


def _json_message(response: requests.Response) -> str:
    try:
        data = response.json()
    except ValueError:
        return ""
    return str(data.get("message", "")) if isinstance(data, dict) else ""


def rate_limit_stop(response: requests.Response, what: str) -> Stop | None:
    """A :class:`Stop` when the answer is a primary or secondary rate limit, else None."""
    if response.status_code not in (403, 429):
        return None
    headers = response.headers
    remaining = headers.get("x-ratelimit-remaining")
    retry_after = headers.get("retry-after")
    message = _json_message(response)
    limited = (
        response.status_code == 429
        or remaining == "0"
        or retry_after is not None
        or "rate limit" in message.lower()
    )
    if not limited:
        return None
    when = ""
    if retry_after and retry_after.strip().isdigit():
        when = f"; retry after {int(retry_after)} s"
    else:
        reset = headers.get("x-ratelimit-reset", "")
        if reset.strip().isdigit():
            wait = max(0, int(reset) - int(time.time()))
            stamp = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(int(reset)))
            when = f"; the limit resets at {stamp} (in {wait} s)"
    kind = "secondary rate limit" if "secondary" in message.lower() else "rate limit"
    return Stop(
        Verdict.RATE_LIMITED,
        f"GitHub's {kind} was hit (HTTP {response.status_code}) while {what}{when}"
        f"{_request_id(response)}",
        hint="wait until the limit resets, then run the command again; do not loop on it",
    )


def server_error_stop(response: requests.Response, what: str) -> Stop | None:
    """A :class:`Stop` for a 5xx answer, else None."""
    if response.status_code < 500:
        return None
    reason = f" {response.reason}" if response.reason else ""
    return Stop(
        Verdict.SERVER_ERROR,
        f"GitHub answered HTTP {response.status_code}{reason} while {what}{_request_id(response)}",
        hint="GitHub (or a proxy in front of it) failed; try again later, and check "
        "https://www.githubstatus.com for github.com",
    )


def parse_body(response: requests.Response, what: str) -> dict[str, str | Any]:
    """An OAuth answer's fields, read as JSON or form by ``Content-Type``.

    Anything else (an HTML page from a proxy, XML, garbage) is a ``server-error`` naming the
    status and type, never a crash.
    """
    ctype = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
    text = response.text
    data: Any = None
    if ctype in ("application/json", "") or ctype.endswith("+json"):
        try:
            data = json.loads(text)
        except ValueError:
            data = None
    if data is None and ctype in ("application/x-www-form-urlencoded", "text/plain", ""):
        pairs = parse_qsl(text, keep_blank_values=True)
        data = dict(pairs) if pairs else None
    if not isinstance(data, dict):
        raise Stop(
            Verdict.SERVER_ERROR,
            f"unexpected answer while {what}: HTTP {response.status_code} "
            f"{ctype or 'without a content type'}{_request_id(response)}",
            hint="a proxy or a GitHub outage may be answering instead of GitHub",
        )
    return data


def judge_oauth_response(response: requests.Response, what: str, client_id: str) -> dict[str, Any]:
    """Judge an answer of a ``/login/*`` endpoint; return its fields (which may hold ``error``).

    Order: rate limit, 5xx, 404 (no such OAuth App), 406, then the body. GitHub answers OAuth
    errors with HTTP 200 (400 for ``device_flow_disabled``), but the verdict is keyed on the
    ``error`` code, never on the status: any other 4xx whose body carries an ``error`` is judged
    by that code too. A 4xx without one is a ``server-error`` naming the status.
    """
    stop = rate_limit_stop(response, what) or server_error_stop(response, what)
    if stop is not None:
        raise stop
    status = response.status_code
    if status == 404:
        raise Stop(
            Verdict.APP_NOT_FOUND,
            f"GitHub knows no OAuth App with client id {client_id} (HTTP 404 while {what})",
            hint="copy the Client ID again from the app's settings page on GitHub (Settings → "
            "Developer settings → OAuth Apps); the app may have been deleted, or the id and "
            "secret swapped",
        )
    if status == 406:
        raise Stop(
            Verdict.SERVER_ERROR,
            f"GitHub refused the request format (HTTP 406 Not Acceptable) while {what}",
            hint="this is a bug in deskpro-cli; please report it",
        )
    if status == 200:
        return parse_body(response, what)
    try:
        body = parse_body(response, what)
    except Stop:
        body = {}
    if status < 400 or not body.get("error"):
        raise Stop(
            Verdict.SERVER_ERROR,
            f"unexpected HTTP {status} while {what}{_request_id(response)}",
            hint="a proxy or a GitHub outage may be answering instead of GitHub; try again later",
        )
    return body


def post_oauth(
    session: requests.Session, url: str, data: dict[str, str], *, what: str, client_id: str
) -> dict[str, Any]:
    """POST a form to a ``/login/*`` endpoint asking for JSON; the judged answer's fields.

    Network failures and answers that are not OAuth answers raise :class:`Stop`; an OAuth error
    comes back as the ``error`` field for the caller to judge (its meaning depends on the step).
    """
    response = send(session, "POST", url, what=what, data=data, headers=ACCEPT_JSON)
    return judge_oauth_response(response, what, client_id)


def error_text(body: dict[str, Any]) -> str:
    """``error_code: description`` from an OAuth error body (the description is GitHub's prose)."""
    code = str(body.get("error", ""))
    desc = body.get("error_description")
    return f"{code}: {desc}" if desc else code


@dataclass
class UserInfo:
    """What ``GET /user`` told about a token."""

    login: str
    #: ``X-OAuth-Scopes`` split; None when the header is absent, [] when empty (GitHub App token).
    scopes: list[str] | None
    client_id: str | None


def get_user(session: requests.Session, endpoints: Endpoints, token: str) -> UserInfo:
    """``GET /user`` with the token: the login, the granted scopes and the minting app."""
    what = "reading the user behind the token (GET /user)"
    response = send(
        session,
        "GET",
        endpoints.user,
        what=what,
        headers={**API_HEADERS, "Authorization": f"Bearer {token}"},
    )
    stop = rate_limit_stop(response, what) or server_error_stop(response, what)
    if stop is not None:
        raise stop
    if response.status_code == 401:
        raise Stop(
            Verdict.OAUTH_ERROR,
            f"GitHub rejected the token it had just issued (HTTP 401 at {endpoints.user})",
            hint="the token was revoked in the meantime (an 11th token for the same app, user "
            "and scopes revokes the oldest); run the command again",
        )
    if response.status_code != 200:
        raise Stop(
            Verdict.SERVER_ERROR,
            f"unexpected HTTP {response.status_code} from {endpoints.user}{_request_id(response)}",
            hint="check --api-url (GitHub Enterprise Server: https://HOST/api/v3)",
        )
    try:
        data = response.json()
    except ValueError:
        data = None
    if not isinstance(data, dict) or not isinstance(data.get("login"), str):
        raise Stop(
            Verdict.SERVER_ERROR,
            f"{endpoints.user} did not answer with a GitHub user{_request_id(response)}",
            hint="check --api-url (GitHub Enterprise Server: https://HOST/api/v3)",
        )
    header = response.headers.get("X-OAuth-Scopes")
    scopes = None if header is None else sorted(s.strip() for s in header.split(",") if s.strip())
    return UserInfo(
        login=data["login"], scopes=scopes, client_id=response.headers.get("X-OAuth-Client-Id")
    )


def revoke_token(
    session: requests.Session, endpoints: Endpoints, client_id: str, secret: str, token: str
) -> str | None:
    """Revoke one token (``DELETE /applications/{client_id}/token``); None on success.

    Returns a short reason when it failed; a failure never changes the verdict (the token was
    obtained), it is reported as a warning.
    """
    what = "revoking the token"
    try:
        response = send(
            session,
            "DELETE",
            endpoints.application_token(client_id),
            what=what,
            headers=API_HEADERS,
            auth=(client_id, secret),
            json={"access_token": token},
        )
    except Stop as stop:
        return stop.detail
    if response.status_code == 204:
        return None
    return f"HTTP {response.status_code} from {endpoints.application_token(client_id)}"


@dataclass
class Token:
    """An access token GitHub issued, and what came with it."""

    access_token: str
    #: The ``scope`` field split (GitHub joins with commas); None when absent.
    scopes: list[str] | None
    expires_in: int | None = None
    has_refresh_token: bool = False


def token_from_body(body: dict[str, Any], what: str) -> Token:
    """The :class:`Token` of a successful token-endpoint body (else ``server-error``)."""
    access = body.get("access_token")
    if not isinstance(access, str) or not access:
        raise Stop(
            Verdict.SERVER_ERROR,
            f"GitHub's answer while {what} had neither a token nor an error",
            hint="a proxy may be answering instead of GitHub",
        )
    raw_scope = body.get("scope")
    scopes: list[str] | None = None
    if isinstance(raw_scope, str):
        scopes = [s for s in raw_scope.replace(",", " ").split() if s]
    elif isinstance(raw_scope, list):
        scopes = [str(s) for s in raw_scope if s]
    expires = body.get("expires_in")
    return Token(
        access_token=access,
        scopes=scopes,
        expires_in=int(str(expires)) if str(expires or "").isdigit() else None,
        has_refresh_token=bool(body.get("refresh_token")),
    )
