"""``--mode web``: the authorization-code flow with PKCE (S256) and ``state`` over loopback.

Steps (spec/github-oauth.md §2, §5, §6): bind the callback server first; build the authorize URL
with requests-oauthlib (the same :class:`OAuth2Session` later adds the PKCE verifier to the
exchange); show the URL and open the browser; wait for one callback with our ``state``; exchange
the code with the client credentials in the body and ``Accept: application/json`` (never retried:
the code is single-use). GitHub's quirks are handled in a compliance hook that sees the raw answer
first: HTTP 200 error bodies, form vs JSON, comma-separated scopes, HTML pages from proxies.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import urlsplit

import requests

from deskpro_cli.errors import UsageError
from deskpro_cli.http import Session as HttpSession
from deskpro_cli.http import is_loopback_host
from deskpro_cli.oauth.context import DEFAULT_CALLBACK_URL, Context
from deskpro_cli.oauth.github import Token, error_text, judge_oauth_response, token_from_body
from deskpro_cli.oauth.loopback import CallbackResult, CallbackServer
from deskpro_cli.oauth.network import log_answer, network_errors
from deskpro_cli.oauth.verdicts import Stop, Verdict, verdict_for_error

if TYPE_CHECKING:
    from requests_oauthlib import OAuth2Session

_DEVICE_HINT = (
    'run `deskpro oauth-test --mode device` instead (tick "Enable Device Flow" on the OAuth '
    "App's page), or register a second callback URL http://127.0.0.1/oauth-test on the OAuth "
    "App (any port matches a loopback callback) and pass --callback-url http://127.0.0.1/oauth-test"
)
_PASTE_HINT = (
    "; or run this command in a terminal: it then asks you to paste the address GitHub sends "
    "your browser to"
)


def is_paste_callback(value: str | None) -> bool:
    """Whether the callback is an https URL on another machine (Deskpro's ``grant-access``):
    the browser lands there, and the address it lands on can be pasted back (paste mode)."""
    try:
        parts = urlsplit((value or "").strip())
        parts.port  # noqa: B018 - validates the port
    except ValueError:
        return False
    return parts.scheme == "https" and not is_loopback_host(parts.hostname or "")


def parse_callback_url(value: str | None) -> tuple[str, int | None, str]:
    """``(host, port or None, path)`` of the registered callback; it must be loopback http.

    The Deskpro callback (``https://HELPDESK/api/oauth/2.0/github/grant-access``) cannot reach a
    server on this machine: that is a usage error pointing at ``--mode device``.
    """
    text = (value or DEFAULT_CALLBACK_URL).strip()
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        raise UsageError(f"--callback-url: not a valid URL: {text!r}") from None
    host = parts.hostname or ""
    if not is_loopback_host(host):
        deskpro = "/oauth/" in parts.path and parts.path.rstrip("/").endswith("grant-access")
        what = "the Deskpro one" if deskpro else "not a loopback address"
        raise UsageError(
            f"the app's callback URL {text} is {what}: after you approve, GitHub sends the "
            f"browser there, never to this command, so --mode web cannot finish here",
            hint=_DEVICE_HINT + (_PASTE_HINT if parts.scheme == "https" else ""),
        )
    if parts.scheme != "http":
        raise UsageError(
            f"--callback-url {text}: a loopback callback must use http:// (GitHub allows plain "
            f"http on loopback, and this command serves no TLS)"
        )
    if parts.query or parts.fragment:
        raise UsageError(f"--callback-url {text} must not have a query or a fragment")
    return host, port, parts.path or "/"


@contextmanager
def loopback_http_allowed(ctx: Context) -> Iterator[None]:
    """Let oauthlib use plain http, only when every endpoint is loopback (the tests' fake).

    oauthlib refuses non-https URLs unless OAUTHLIB_INSECURE_TRANSPORT is set; the endpoints
    were already checked (http only on loopback), so it is set for this block only.
    """
    if not ctx.endpoints.is_loopback_http:
        yield
        return
    name = "OAUTHLIB_INSECURE_TRANSPORT"
    previous = os.environ.get(name)
    os.environ[name] = "1"
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = previous


def make_session(ctx: Context, redirect_uri: str, state: str) -> OAuth2Session:
    from requests_oauthlib import OAuth2Session

    class GitHubOAuth2Session(OAuth2Session, HttpSession):  # type: ignore[misc]
        """requests-oauthlib's session on top of the project's HTTP seam (UA, timeout)."""

    session: OAuth2Session = cast(Any, GitHubOAuth2Session)(
        ctx.client_id,
        redirect_uri=redirect_uri,
        scope=ctx.settings.scopes or None,
        state=state,
        pkce="S256",
    )
    session.default_timeout = ctx.settings.http_timeout
    session.register_compliance_hook("access_token_response", _github_compliance(ctx))
    return session


def _github_compliance(ctx: Context) -> Any:
    """The ``access_token_response`` hook: judge the raw answer before oauthlib parses it."""
    import json

    what = "exchanging the code for a token"

    def hook(response: requests.Response) -> requests.Response:
        log_answer(response)
        body = judge_oauth_response(response, what, ctx.client_id)
        if body.get("error"):
            raise _exchange_stop(body)
        if isinstance(body.get("scope"), str):
            # GitHub joins scopes with commas; oauthlib splits on spaces.
            body["scope"] = " ".join(s for s in body["scope"].split(",") if s)
        response._content = json.dumps(body).encode("utf-8")
        response.headers["Content-Type"] = "application/json; charset=utf-8"
        return response

    return hook


def _exchange_stop(body: dict[str, Any]) -> Stop:
    code = str(body.get("error"))
    if code == "bad_verification_code":
        return Stop(
            Verdict.OAUTH_ERROR,
            "GitHub refused the authorization code at the exchange (bad_verification_code): "
            "it expired, was already used, or its PKCE verifier did not match",
            hint="run the command again and approve within 10 minutes",
            error_code=code,
        )
    if code == "redirect_uri_mismatch":
        return Stop(
            Verdict.REDIRECT_URI_MISMATCH,
            "GitHub refused the redirect URI at the exchange (redirect_uri_mismatch)",
            hint=_DEVICE_HINT,
            error_code=code,
        )
    if code == "unverified_user_email":
        return Stop(
            Verdict.OAUTH_ERROR,
            "GitHub refused to issue a token: the account has no verified primary email "
            "(unverified_user_email)",
            hint="verify the primary email address of that GitHub account, then run again",
            error_code=code,
        )
    if code == "incorrect_client_credentials":
        return Stop(
            Verdict.CREDENTIALS_INVALID,
            "GitHub rejected the client id and secret at the exchange "
            "(incorrect_client_credentials)",
            hint="generate a new client secret on the OAuth App's page on GitHub",
            error_code=code,
        )
    return Stop(
        verdict_for_error(code),
        f"GitHub refused the exchange: {error_text(body)}",
        error_code=code,
    )


def callback_stop(result: CallbackResult, redirect_uri: str) -> Stop:
    code = result.error or ""
    said = f": {result.error_description}" if result.error_description else ""
    if code == "access_denied":
        return Stop(
            Verdict.ACCESS_DENIED,
            f"access was denied in the browser (access_denied){said}",
            hint="run again and press Authorize on GitHub's page",
            error_code=code,
        )
    if code == "redirect_uri_mismatch":
        return Stop(
            Verdict.REDIRECT_URI_MISMATCH,
            f"GitHub refused the redirect URI {redirect_uri} (redirect_uri_mismatch){said}",
            hint=_DEVICE_HINT,
            error_code=code,
        )
    if code == "application_suspended":
        return Stop(
            Verdict.OAUTH_ERROR,
            f"the OAuth App is suspended (application_suspended){said}",
            hint="contact GitHub support about the app",
            error_code=code,
        )
    return Stop(
        verdict_for_error(code), f"GitHub redirected with error {code}{said}", error_code=code
    )


def _timeout_stop(ctx: Context, server: CallbackServer) -> Stop:
    waited = f"{ctx.settings.user_timeout:g} s"
    detail = (
        f"no answer from the browser reached {server.redirect_uri} within {waited}. The usual "
        f'cause is a redirect URI GitHub does not accept for this app: GitHub then shows "The '
        f'redirect_uri is not associated with this application" or sends the browser to the '
        f"registered callback instead; or the tab was closed without approving. The redirect URI "
        f"sent was {server.redirect_uri}"
    )
    if server.refused:
        detail += (
            f"; {server.refused} callback(s) with a state that did not match this run were "
            f"refused (a tab left from an earlier run?)"
        )
    return Stop(
        Verdict.TIMEOUT,
        detail,
        hint="register http://127.0.0.1/oauth-test as a callback URL of the OAuth App (or pass "
        "the registered loopback URL with --callback-url), approve in the browser within "
        "--timeout, or use --mode device",
    )


def obtain_token(ctx: Context) -> Token:
    """Run the browser round trip and the exchange; return the token or raise :class:`Stop`."""
    if is_paste_callback(ctx.settings.callback_url) and ctx.reporter.can_ask():
        from deskpro_cli.oauth import paste

        return paste.obtain_token(ctx)
    host, registered_port, path = parse_callback_url(ctx.settings.callback_url)
    port = ctx.settings.port if ctx.settings.port is not None else (registered_port or 0)
    state = secrets.token_urlsafe(24)
    with CallbackServer(host=host, port=port, path=path, state=state) as server:
        session = make_session(ctx, server.redirect_uri, state)
        with loopback_http_allowed(ctx):
            url, _ = session.authorization_url(ctx.endpoints.authorize)
        registered = (ctx.settings.callback_url or DEFAULT_CALLBACK_URL).strip()
        ctx.reporter.step(
            f"GitHub can only send the browser back to {server.redirect_uri} if the OAuth App "
            f"has {registered} among its callback URLs (any port matches). If it has only "
            f"Deskpro's, GitHub will say the redirect_uri is not associated with the app: add "
            f"that callback URL on GitHub, or press Ctrl-C and use --mode device."
        )
        ctx.reporter.step(f"Waiting for GitHub's answer on {server.redirect_uri} ...")
        opened = ctx.open_browser(url) if ctx.settings.open_browser else False
        ctx.reporter.authorize_url(url, opened)
        result = server.wait(ctx.settings.user_timeout, ctx.monotonic)
    if result is None:
        raise _timeout_stop(ctx, server)
    if result.error:
        raise callback_stop(result, server.redirect_uri)
    if not result.code:  # pragma: no cover - the server completes only with a code or an error
        raise Stop(Verdict.OAUTH_ERROR, "GitHub's redirect carried no code")
    ctx.reporter.step("Exchanging the code for a token ...")
    return exchange_code(ctx, session, result.code)


def exchange_code(ctx: Context, session: OAuth2Session, code: str) -> Token:
    from oauthlib.oauth2.rfc6749.errors import OAuth2Error

    what = "exchanging the code for a token"
    timeout = ctx.settings.http_timeout
    token: Any = None
    with loopback_http_allowed(ctx), network_errors(ctx.endpoints.token, what, timeout):
        try:
            token = session.fetch_token(
                ctx.endpoints.token,
                code=code,
                client_secret=ctx.credentials.secret,
                include_client_id=True,
                timeout=timeout,
            )
        except Warning as changed:
            # oauthlib raises a bare Warning when the granted scopes differ from the requested
            # ones (GitHub normalises them); the token is on the exception.
            token = getattr(changed, "token", None)
        except OAuth2Error as exc:
            raise Stop(
                verdict_for_error(exc.error)
                if exc.error != "missing_token"
                else Verdict.SERVER_ERROR,
                f"the exchange failed: {exc.error}",
                error_code=exc.error,
            ) from None
    if not isinstance(token, dict):
        raise Stop(Verdict.SERVER_ERROR, "GitHub's answer to the exchange held no token")
    body = dict(token)
    if isinstance(body.get("scope"), list):
        body["scope"] = ",".join(str(s) for s in body["scope"])
    return token_from_body(body, what)
