"""One ``oauth-test`` run from settings to :class:`~deskpro_cli.oauth.verdicts.Outcome`.

The only entry point the click layer calls. Usage errors (bad URL, no client id) are raised as
:class:`~deskpro_cli.errors.UsageError` before anything is sent; everything after that ends in an
outcome, whose ``detail`` and ``hint`` are scrubbed of the secret and the token.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from deskpro_cli.oauth import check, scopes
from deskpro_cli.oauth.context import Context, Reporter, Settings, SilentReporter
from deskpro_cli.oauth.credentials import (
    SWAPPED_HINT,
    Credentials,
    clean,
    is_github_app_id,
)
from deskpro_cli.oauth.endpoints import endpoints as derive_endpoints
from deskpro_cli.oauth.github import Token, get_user, revoke_token
from deskpro_cli.oauth.redact import Redactor, mask
from deskpro_cli.oauth.verdicts import Outcome, Stop, Verdict

log = logging.getLogger(__name__)


@dataclass
class _TokenReport:
    masked: str | None = None
    revoked: bool | None = None
    notes: list[str] = field(default_factory=list)


def run_oauth_test(
    settings: Settings,
    reporter: Reporter | None = None,
    *,
    open_browser: Callable[[str], bool] | None = None,
) -> Outcome:
    """Check the OAuth App as ``settings`` say; never raises for a verdict, only for usage."""
    from deskpro_cli.http import session as http_session

    reporter = reporter or SilentReporter()
    endpoints = derive_endpoints(settings.github_url, settings.api_url)
    credentials = clean(
        settings.client_id, settings.secret, secret_required=settings.mode != "device"
    )
    if settings.mode == "web":
        from deskpro_cli.oauth.web import is_paste_callback, parse_callback_url

        if not (is_paste_callback(settings.callback_url) and reporter.can_ask()):
            parse_callback_url(settings.callback_url)  # a usage error before anything is sent
    redactor = Redactor()
    redactor.add(credentials.secret)
    if credentials.id_looks_like_secret:
        # Most likely the secret given as the id: never echo it.
        redactor.add(credentials.client_id)
    for warning in credentials.warnings:
        reporter.warning(warning)
    if settings.mode == "device" and credentials.secret is None:
        reporter.warning(
            "no client secret given: the device flow proves the client id and your account, not "
            "the secret, and the token cannot be revoked by this command",
            hint="set DESKPRO_OAUTH_CLIENT_SECRET to check the secret and revoke the token too",
        )
    app_info = _read_app(settings, endpoints.api, reporter)

    session = http_session(timeout=settings.http_timeout)
    ctx = Context(settings, endpoints, credentials, session, redactor, reporter)
    if open_browser is not None:
        ctx.open_browser = open_browser
    report = _TokenReport()
    with redactor.guard_logging(), session:
        try:
            outcome = _run(ctx, report)
        except Stop as stop:
            outcome = _outcome(ctx, stop.verdict, stop.detail, hint=stop.hint)
            outcome.error_code = stop.error_code
            outcome.hint = _rejection_hint(outcome, credentials) or outcome.hint
    outcome.token = report.masked
    outcome.token_revoked = report.revoked
    outcome.notes.extend(report.notes)
    outcome.app = app_info
    outcome.client_id = redactor.scrub(outcome.client_id)
    outcome.detail = redactor.scrub(outcome.detail)
    outcome.hint = redactor.scrub_opt(outcome.hint)
    outcome.notes = [redactor.scrub(n) for n in outcome.notes]
    return outcome


def _rejection_hint(outcome: Outcome, credentials: Credentials) -> str | None:
    """A hint naming the likely cause when GitHub rejected credentials that looked wrong."""
    if outcome.verdict not in (Verdict.APP_NOT_FOUND, Verdict.CREDENTIALS_INVALID):
        return None
    if credentials.look_swapped:
        return SWAPPED_HINT
    if outcome.verdict is Verdict.CREDENTIALS_INVALID and credentials.secret_shape:
        return (
            f"the client secret as given {credentials.secret_shape}: that is the likely cause; "
            f"copy it again from the OAuth App's page on GitHub (or generate a new one)"
        )
    return None


def _outcome(ctx: Context, verdict: Verdict, detail: str, *, hint: str | None = None) -> Outcome:
    return Outcome(
        verdict=verdict,
        mode=ctx.settings.mode,
        github_url=ctx.endpoints.web,
        api_url=ctx.endpoints.api,
        client_id=ctx.client_id,
        detail=detail,
        hint=hint,
    )


def _run(ctx: Context, report: _TokenReport) -> Outcome:
    mode = ctx.settings.mode
    probe_detail: str | None = None
    if ctx.credentials.secret is not None:
        probe_detail = check.probe(ctx)
    if mode == "check":
        assert probe_detail is not None
        return _outcome(ctx, Verdict.CREDENTIALS_VALID, probe_detail)
    if mode == "web":
        from deskpro_cli.oauth import web

        token = web.obtain_token(ctx)
    else:
        from deskpro_cli.oauth import device

        token = device.obtain_token(ctx)
    return _finish(ctx, token, report)


def _finish(ctx: Context, token: Token, report: _TokenReport) -> Outcome:
    """Read ``/user`` with the new token, then revoke it (always, unless ``--keep-token``)."""
    ctx.redactor.add(token.access_token)
    report.masked = mask(token.access_token)
    try:
        ctx.reporter.step("Reading the GitHub user behind the token ...")
        user = get_user(ctx.session, ctx.endpoints, token.access_token)
        if user.client_id is not None and user.client_id.lower() != ctx.client_id.lower():
            raise Stop(
                Verdict.CREDENTIALS_INVALID,
                f"the token belongs to another OAuth App (X-OAuth-Client-Id {user.client_id}, "
                f"not {ctx.client_id})",
                hint="something between you and GitHub is answering for another app; check "
                "--github-url and --api-url",
            )
    finally:
        _revoke(ctx, token, report)
    granted = user.scopes if user.scopes is not None else (token.scopes or [])
    outcome = _outcome(ctx, Verdict.TOKEN_OBTAINED, "")
    outcome.login = user.login
    outcome.scopes = sorted(granted)
    flow = "the device flow" if ctx.settings.mode == "device" else "the web flow (PKCE)"
    scope_text = ", ".join(outcome.scopes) if outcome.scopes else "none"
    if user.scopes == [] and is_github_app_id(ctx.client_id):
        scope_text = "none (a GitHub App token has permissions, not scopes)"
    parts = [f"GitHub issued a token to {user.login} through {flow}; scopes: {scope_text}"]
    lacking = scopes.missing(ctx.settings.scopes, granted)
    if lacking:
        parts.append(f"requested but not granted: {', '.join(lacking)}")
    if token.expires_in:
        parts.append(f"the token expires in {token.expires_in} s")
    if report.revoked:
        parts.append(f"token {report.masked} revoked")
    elif ctx.settings.keep_token:
        parts.append(f"token {report.masked} kept (--keep-token)")
    outcome.detail = "; ".join(parts)
    return outcome


def _revoke(ctx: Context, token: Token, report: _TokenReport) -> None:
    if ctx.settings.keep_token:
        report.revoked = False
        return
    secret = ctx.credentials.secret
    if secret is None:
        report.revoked = False
        report.notes.append(
            f"token {report.masked} was not revoked (no client secret); revoke it under GitHub → "
            f"Settings → Applications → Authorized OAuth Apps"
        )
        return
    ctx.reporter.step("Revoking the token ...")
    failure = revoke_token(ctx.session, ctx.endpoints, ctx.client_id, secret, token.access_token)
    report.revoked = failure is None
    if failure is not None:
        note = f"could not revoke token {report.masked}: {failure}"
        report.notes.append(note)
        ctx.reporter.warning(
            note, hint="revoke it under GitHub → Settings → Applications → Authorized OAuth Apps"
        )


def _read_app(settings: Settings, api_url: str, reporter: Reporter) -> dict[str, object] | None:
    """What the app at PATH says about OAuth (None when PATH is not an app using it).

    Reports the providers and whether the whitelist admits the API host under test; scopes the
    app declares become the requested ones when no ``--scope`` was given.
    """
    if settings.path is None:
        return None
    from urllib.parse import urlsplit

    from deskpro_cli.oauth.app import read_app

    app, why = read_app(settings.path, api_url)
    if why is not None:
        reporter.warning(why, hint="the credential check goes on without it")
    if app is None:
        return None
    reporter.step(f"App {app.file} uses OAuth for: {', '.join(app.providers)}")
    if "github" not in app.providers:
        reporter.warning(
            f"the app sets up OAuth for {', '.join(app.providers)}, not GitHub; oauth-test checks "
            f"GitHub OAuth Apps only"
        )
        return app.to_json()  # its whitelist has no reason to admit GitHub's API
    for problem in app.problems:
        reporter.warning(problem)
    parts = urlsplit(api_url)
    host = parts.hostname or api_url
    if parts.scheme == "http":  # a bare host is whitelisted for https only
        host = f"http://{host}"
    if app.api_covered:
        reporter.step(f"The app's {app.whitelist_key} admits {app.probe_url}")
    else:
        reporter.warning(
            f"the app's whitelist ({app.whitelist_key} in {app.file}) does not admit "
            f"{app.probe_url}: Deskpro's proxy would refuse the app's calls to the GitHub API",
            hint=f"run `deskpro domains add {host}`",
        )
    if app.scopes and not settings.scopes:
        settings.scopes = list(app.scopes)
        if settings.mode != "check":
            reporter.step(f"Requesting the scopes the app declares: {' '.join(app.scopes)}")
    return app.to_json()
