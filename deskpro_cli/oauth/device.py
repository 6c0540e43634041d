"""``--mode device``: GitHub's device flow (spec/github-oauth.md §3).

Ask ``/login/device/code`` for a user code, show it with the verification page, then poll the token
endpoint: wait ``interval`` seconds between polls (times 1.2, as cli/oauth does, because fast VM
clocks otherwise earn ``slow_down``), take the new ``interval`` from a ``slow_down`` answer (or add
5 s) and widen the margin by 0.2x, and give up at ``expires_in`` or ``--timeout``, whichever is
first. The device flow uses no client secret, so it proves the client id and the user, not the
secret.

Both requests are plain POSTs through the HTTP seam rather than oauthlib's ``DeviceClient``:
its code request puts the parameters in a query string, and its poll parser drops the
``interval`` of a ``slow_down`` answer.
"""

from __future__ import annotations

from typing import Any

from deskpro_cli.oauth.context import Context
from deskpro_cli.oauth.github import Token, error_text, post_oauth, token_from_body
from deskpro_cli.oauth.verdicts import Stop, Verdict, verdict_for_error

DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
#: Extra wait on top of ``interval`` (cli/oauth's 1.2x; a fast clock must not poll early).
POLL_FACTOR = 1.2
SLOW_DOWN_STEP = 5.0
#: Added to the factor after each ``slow_down`` (cli/oauth goes from 1.2x to 1.4x).
DRIFT_STEP = 0.2

_ENABLE_HINT = (
    'tick "Enable Device Flow" on the OAuth App\'s page on GitHub (Settings → Developer '
    "settings → OAuth Apps → your app), or use --mode web"
)


def _number(value: Any, default: float) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return default
    return number if number >= 0 else default


def request_code(ctx: Context) -> dict[str, Any]:
    """POST ``/login/device/code``; the body with ``device_code``, ``user_code`` and timings."""
    what = "asking for a device code"
    data = {"client_id": ctx.client_id}
    if ctx.settings.scopes:
        data["scope"] = " ".join(ctx.settings.scopes)
    body = post_oauth(
        ctx.session, ctx.endpoints.device_code, data, what=what, client_id=ctx.client_id
    )
    error = body.get("error")
    if error in ("device_flow_disabled", "unauthorized_client"):
        old = (
            " (older GitHub Enterprise Server versions have no device flow)"
            if error == ("unauthorized_client")
            else ""
        )
        raise Stop(
            Verdict.DEVICE_FLOW_DISABLED,
            f"the device flow is not enabled for this OAuth App ({error}){old}",
            hint=_ENABLE_HINT,
            error_code=str(error),
        )
    if error:
        raise Stop(
            verdict_for_error(str(error)), f"GitHub refused a device code: {error_text(body)}"
        )
    if not body.get("device_code") or not body.get("user_code"):
        raise Stop(
            Verdict.SERVER_ERROR,
            "GitHub's device-code answer had no device_code or user_code",
            hint="a proxy may be answering instead of GitHub",
        )
    return body


def obtain_token(ctx: Context) -> Token:
    """Run the device flow to a token, or raise :class:`Stop`."""
    code = request_code(ctx)
    device_code = str(code["device_code"])
    ctx.redactor.add(device_code)
    uri = str(code.get("verification_uri") or ctx.endpoints.device_page)
    interval = _number(code.get("interval"), 5.0)
    expires_in = _number(code.get("expires_in"), 900.0)
    opened = ctx.open_browser(uri) if ctx.settings.open_browser else False
    ctx.reporter.device_code(str(code["user_code"]), uri, opened)

    start = ctx.monotonic()
    deadline = start + min(expires_in, ctx.settings.user_timeout)
    slow_downs = 0
    what = "waiting for the device to be approved"
    while True:
        # Each slow_down widens the margin too: a clock that runs fast stays early otherwise,
        # and GitHub would answer slow_down forever (cli/cli#9370).
        wait = interval * (POLL_FACTOR + DRIFT_STEP * slow_downs)
        if ctx.monotonic() + wait > deadline:
            _expired(ctx, expires_in)
        ctx.sleep(wait)
        body = post_oauth(
            ctx.session,
            ctx.endpoints.token,
            {"client_id": ctx.client_id, "device_code": device_code, "grant_type": DEVICE_GRANT},
            what=what,
            client_id=ctx.client_id,
        )
        error = body.get("error")
        if not error:
            return token_from_body(body, what)
        if error == "authorization_pending":
            continue
        if error == "slow_down":
            slow_downs += 1
            interval = max(_number(body.get("interval"), interval + SLOW_DOWN_STEP), interval)
            if slow_downs == 2:
                ctx.reporter.warning(
                    f"GitHub asked twice to poll more slowly (now every {interval:g} s)",
                    hint="a fast system clock (WSL, VMs) makes polls early; the flow goes on",
                )
            continue
        _fail(str(error), body)


def _expired(ctx: Context, expires_in: float) -> None:
    user_wait = ctx.settings.user_timeout
    if user_wait < expires_in:
        detail = f"the device was not approved within --timeout {user_wait:g} s"
    else:
        detail = f"the device code expired before it was approved ({expires_in:g} s)"
    raise Stop(Verdict.TIMEOUT, detail, hint="run the command again and enter the code in time")


def _fail(error: str, body: dict[str, Any]) -> None:
    if error == "expired_token":
        raise Stop(
            Verdict.TIMEOUT,
            "the device code expired before it was approved (expired_token)",
            hint="run the command again and enter the code in time",
            error_code=error,
        )
    if error == "access_denied":
        raise Stop(
            Verdict.ACCESS_DENIED,
            "access was denied on GitHub's device page (access_denied)",
            hint="run again and press Authorize after entering the code",
            error_code=error,
        )
    if error == "device_flow_disabled":
        raise Stop(
            Verdict.DEVICE_FLOW_DISABLED,
            "the device flow is not enabled for this OAuth App (device_flow_disabled)",
            hint=_ENABLE_HINT,
            error_code=error,
        )
    if error == "incorrect_device_code":
        raise Stop(
            Verdict.OAUTH_ERROR,
            "GitHub no longer knows the device code (incorrect_device_code)",
            hint="this sometimes happens right after approving; run the command again",
            error_code=error,
        )
    if error == "incorrect_client_credentials":
        raise Stop(
            Verdict.CREDENTIALS_INVALID,
            "GitHub rejected the client id while polling (incorrect_client_credentials)",
            hint="copy the Client ID again from the OAuth App's page",
            error_code=error,
        )
    raise Stop(
        verdict_for_error(error),
        f"GitHub ended the device flow with {error_text(body)}",
        error_code=error,
    )
