"""``--mode web`` when the app's callback is not on this machine: paste the address back.

An OAuth App registered the way Deskpro's guide says has one callback, the helpdesk's
``https://HELPDESK/api/oauth/2.0/github/grant-access``. GitHub sends the browser there after the
user approves, with ``?code=...&state=...``, never to this command. So the authorize URL is
built with that callback as ``redirect_uri`` (with PKCE and ``state``, as the loopback flow);
the user approves, copies the address the browser lands on (the page there may show an error:
the helpdesk did not start this flow) and pastes it at a hidden prompt; the ``state`` is checked
and the code exchanged (spec/github-oauth.md §2.9).

A code works once. If the page behind the callback redeemed it first, GitHub answers the
exchange with ``bad_verification_code``, and the detail says so.
"""

from __future__ import annotations

import secrets
from urllib.parse import parse_qs

from deskpro_cli.oauth.context import Context
from deskpro_cli.oauth.github import Token
from deskpro_cli.oauth.loopback import CallbackResult
from deskpro_cli.oauth.verdicts import Stop, Verdict
from deskpro_cli.oauth.web import callback_stop, exchange_code, loopback_http_allowed, make_session

__all__ = ["obtain_token", "pasted_parameters"]


def obtain_token(ctx: Context) -> Token:
    """Show the authorize URL, read the pasted address, exchange its code; or raise Stop."""
    callback = (ctx.settings.callback_url or "").strip()
    state = secrets.token_urlsafe(24)
    session = make_session(ctx, callback, state)
    with loopback_http_allowed(ctx):
        url, _ = session.authorization_url(ctx.endpoints.authorize)
    ctx.reporter.step(
        f"The app's callback URL is {callback}, not on this machine: after you approve, GitHub "
        "sends your browser there (that page may show an error, as the helpdesk did not start "
        "this sign-in). Copy the whole address from the browser's address bar and paste it here."
    )
    opened = ctx.open_browser(url) if ctx.settings.open_browser else False
    ctx.reporter.authorize_url(url, opened)
    params = pasted_parameters(ctx.reporter.ask_redirect() or "")
    if not params:
        raise Stop(
            Verdict.OAUTH_ERROR,
            "nothing with code= or error= was pasted, so there was nothing to exchange",
            hint="paste the whole address the browser shows after you approve (it holds "
            "?code=...&state=...)",
        )
    if params.get("state") != state:
        raise Stop(
            Verdict.OAUTH_ERROR,
            "the pasted address is not from this run (its state does not match), so its code "
            "was not exchanged",
            hint="approve again at the URL this run printed and paste the address that follows",
        )
    if params.get("error"):
        result = CallbackResult(
            code=None,
            error=params["error"],
            error_description=params.get("error_description"),
            path="",
        )
        raise callback_stop(result, callback)
    code = params.get("code")
    if not code:
        raise Stop(Verdict.OAUTH_ERROR, "the pasted address has a state but no code")
    ctx.redactor.add(code)
    ctx.reporter.step("Exchanging the code for a token ...")
    try:
        return exchange_code(ctx, session, code)
    except Stop as stop:
        if stop.error_code != "bad_verification_code":
            raise
        raise Stop(
            Verdict.OAUTH_ERROR,
            "GitHub refused the code at the exchange (bad_verification_code): a code works "
            "once, and the page behind the callback URL (the helpdesk) most likely redeemed it "
            "before it was pasted here; or more than 10 minutes passed",
            hint="use --mode device, or register http://127.0.0.1/oauth-test as a second "
            "callback URL of the OAuth App and pass --callback-url http://127.0.0.1/oauth-test",
            error_code=stop.error_code,
        ) from None


def pasted_parameters(text: str) -> dict[str, str]:
    """The ``code``, ``state``, ``error`` and ``error_description`` of a pasted address (or of
    its query string alone); empty when it has neither a code nor an error."""
    text = text.strip().strip("'\"<>")
    query = text.split("?", 1)[1] if "?" in text else text
    query = query.split("#", 1)[0]
    values = parse_qs(query, keep_blank_values=False)
    wanted = ("code", "state", "error", "error_description")
    params = {k: values[k][0] for k in wanted if values.get(k)}
    return params if ("code" in params or "error" in params) else {}
