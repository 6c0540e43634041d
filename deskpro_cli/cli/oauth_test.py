"""``deskpro oauth-test``: check an OAuth App's credentials against GitHub (spec/cli.md)."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from deskpro_cli.cli._common import json_option, path_argument, ui
from deskpro_cli.errors import Interrupted
from deskpro_cli.ui import UI

if TYPE_CHECKING:
    from deskpro_cli.oauth.verdicts import Outcome

SECRET_ENV = "DESKPRO_OAUTH_CLIENT_SECRET"  # noqa: S105 - a variable name, not a secret
ID_ENV = "DESKPRO_OAUTH_CLIENT_ID"


def stdin_is_terminal() -> bool:
    """Whether the user can be asked (a seam for tests)."""
    try:
        return sys.stdin.isatty()
    except (AttributeError, ValueError):
        return False


class _CliReporter:
    """Shows the run's progress on stderr; the URL and the device code always."""

    def __init__(self, out: UI) -> None:
        self.ui = out

    def step(self, text: str) -> None:
        self.ui.info(text)

    def warning(self, text: str, hint: str | None = None) -> None:
        self.ui.warning(text, hint)

    def authorize_url(self, url: str, opened: bool) -> None:
        lead = "A browser was opened at" if opened else "Open this URL in a browser"
        click.echo(f"{lead} to approve the app (then come back here):\n\n  {url}\n", err=True)

    def device_code(self, user_code: str, verification_uri: str, opened: bool) -> None:
        click.echo(
            f"Enter the one-time code {click.style(user_code, bold=True)} at {verification_uri}"
            + (" (a browser was opened)" if opened else "")
            + " and approve the app; waiting ...",
            err=True,
            color=self.ui.color,
        )

    def can_ask(self) -> bool:
        return stdin_is_terminal()

    def ask_redirect(self) -> str | None:
        answer = _prompt(
            "Address the browser landed on (hidden)",
            hide_input=True,
            interrupted="interrupted at the prompt; no code was exchanged, so no token was made",
        )
        return answer or None


def _prompt(
    text: str,
    *,
    interrupted: str = "interrupted at the prompt; nothing was sent to GitHub",
    **kwargs: Any,
) -> str:
    """``click.prompt`` on stderr; Ctrl-C (or end of input) there is an interruption (130),
    said as ``interrupted``."""
    try:
        answer: str = click.prompt(text, err=True, **kwargs)
    except click.Abort:
        raise Interrupted(interrupted) from None
    return answer


def _from_dotenv(path: Path, client_id: str | None, secret: str | None, out: UI) -> dict[str, str]:
    """The id and secret the project's ``.env`` holds, for those neither given nor in the
    environment (the option and the environment win over the file)."""
    from deskpro_cli.oauth.dotenv import dotenv_folder, read_dotenv

    missing = [ID_ENV] if client_id is None else []
    if secret is None and not os.environ.get(SECRET_ENV):
        missing.append(SECRET_ENV)
    if not missing:
        return {}
    found = read_dotenv(dotenv_folder(path), missing)
    if found.warning:
        out.warning(found.warning)
    if found.values and found.path is not None:
        what = " and ".join(
            label
            for name, label in ((ID_ENV, "client id"), (SECRET_ENV, "client secret"))
            if name in found.values
        )
        out.info(f"{what} from {found.path}")
    return found.values


def _secret(option_value: str | None, mode: str, out: UI, dotenv: dict[str, str]) -> str | None:
    env_value = os.environ.get(SECRET_ENV) or dotenv.get(SECRET_ENV)
    if option_value is not None:
        out.warning(
            "--client-secret puts the secret in your shell history and the process list",
            hint=f"set {SECRET_ENV} instead, or leave both out to be asked",
        )
        return option_value
    if env_value:
        return env_value
    if stdin_is_terminal():
        if mode == "device":
            value = _prompt(
                "Client secret (Enter to skip: the device flow does not need it)",
                default="",
                show_default=False,
                hide_input=True,
            )
            return value or None
        return _prompt("Client secret", hide_input=True)
    return None


#: Options that only some modes use -> those modes.
_MODES_USING = {
    "port": ("web",),
    "callback_url": ("web",),
    "no_browser": ("web", "device"),
    "scopes": ("web", "device"),
    "keep_token": ("web", "device"),
}


def _ignored_options(ctx: click.Context, mode: str) -> list[str]:
    """Options typed on the command line that ``mode`` does not use."""
    from click.core import ParameterSource

    return [
        param.opts[0]
        for param in ctx.command.params
        if param.name in _MODES_USING
        and mode not in _MODES_USING[param.name]
        and ctx.get_parameter_source(param.name) is ParameterSource.COMMANDLINE
    ]


def _client_id(value: str | None) -> str | None:
    if value or not stdin_is_terminal():
        return value
    return _prompt("Client ID")


@click.command(
    "oauth-test",
    epilog="Each run of --mode web or device mints a real token (revoked at the end unless "
    "--keep-token). GitHub keeps at most 10 live tokens per user, app and scopes: an 11th "
    "revokes the oldest, which may be the one a real install of your app uses.",
)
@path_argument()
@click.option(
    "--client-id",
    envvar="DESKPRO_OAUTH_CLIENT_ID",
    help="The OAuth App's Client ID [env: DESKPRO_OAUTH_CLIENT_ID, or that line of the "
    "project's .env].",
)
@click.option(
    "--client-secret",
    help=f"The client secret (lands in shell history: prefer {SECRET_ENV}, in the environment "
    "or the project's .env, or the prompt).",
)
@click.option(
    "--github-url",
    metavar="URL",
    help="GitHub's web address [default: https://github.com]; GitHub Enterprise works too.",
)
@click.option(
    "--api-url",
    metavar="URL",
    help="The REST API [default: api.github.com, api.SUB.ghe.com, or URL/api/v3].",
)
@click.option(
    "--mode",
    type=click.Choice(["check", "web", "device"]),
    default="check",
    show_default=True,
    help="check: the id/secret pair, no user; web: the browser, back through a loopback "
    "callback or a pasted address; device: the device flow.",
)
@click.option(
    "--scope", "scopes", multiple=True, metavar="S", help="A scope to request (repeatable)."
)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    help="Callback port for --mode web [default: a free one].",
)
@click.option(
    "--callback-url",
    envvar="DESKPRO_OAUTH_CALLBACK_URL",
    metavar="URL",
    help="The callback URL registered for the app: loopback (the browser comes back here) or "
    "Deskpro's (paste the address the browser lands on) [default: http://127.0.0.1/oauth-test].",
)
@click.option("--no-browser", is_flag=True, help="Print the URL; do not open a browser.")
@click.option(
    "--timeout",
    type=click.FloatRange(min=0, min_open=True),
    metavar="SECONDS",
    help="Longest wait for a GitHub answer and for your approval [default: 30 s, 300 s].",
)
@click.option("--keep-token", is_flag=True, help="Do not revoke the token at the end.")
@json_option
def command(
    path: Path,
    client_id: str | None,
    client_secret: str | None,
    github_url: str | None,
    api_url: str | None,
    mode: str,
    scopes: tuple[str, ...],
    port: int | None,
    callback_url: str | None,
    no_browser: bool,
    timeout: float | None,
    keep_token: bool,
    as_json: bool,  # noqa: ARG001 - read through the UI object (json_option)
) -> None:
    """Check an OAuth App's credentials against GitHub, before the app is installed.

    --mode check (the default) proves the client id and secret without a user and creates no
    token. --mode web runs the authorization-code flow with PKCE in your browser and reports the
    GitHub login and scopes; --mode device does the same with a one-time code.

    Exit status: 0 the credentials work, 1 they do not (rejected, unknown app, denied, redirect
    mismatch), 2 usage error, 3 network, timeout, GitHub error or rate limit, 130 interrupted.
    """
    from deskpro_cli.oauth.context import Settings
    from deskpro_cli.oauth.runner import run_oauth_test

    out = ui()
    _warn_ignored(out, click.get_current_context(), mode)
    dotenv = _from_dotenv(path, client_id, client_secret, out)
    settings = Settings(
        client_id=_client_id(client_id or dotenv.get(ID_ENV)),
        secret=_secret(client_secret, mode, out, dotenv),
        mode=mode,  # type: ignore[arg-type]
        github_url=github_url,
        api_url=api_url,
        scopes=[s for scope in scopes for s in scope.replace(",", " ").split()],
        port=port,
        callback_url=callback_url,
        open_browser=not no_browser,
        timeout=timeout,
        keep_token=keep_token,
        path=path,
    )
    outcome = run_oauth_test(settings, _CliReporter(out))
    _render(out, outcome)
    click.get_current_context().exit(outcome.exit_code)


def _warn_ignored(out: UI, ctx: click.Context, mode: str) -> None:
    ignored = _ignored_options(ctx, mode)
    if ignored:
        out.warning(
            f"{', '.join(ignored)} ignored: --mode {mode} does not use "
            f"{'it' if len(ignored) == 1 else 'them'}",
            hint="--mode check proves the id and secret only; scopes, the browser and the token "
            "belong to --mode web and --mode device"
            if mode == "check"
            else None,
        )


def _render(out: UI, outcome: Outcome) -> None:
    """The verdict on stdout (or the JSON object), notes and failures on stderr."""
    if out.json:
        out.emit_json(outcome.to_json())
    for note in outcome.notes:
        out.warning(note)
    if not outcome.ok:
        out.error(f"{outcome.verdict.value}: {outcome.detail}", outcome.hint)
        return
    verdict = f"{outcome.verdict.value}: {outcome.detail}"
    if out.json:
        out.success(verdict)
    else:
        out.result(verdict, fg="green")  # the result itself: shown with -q too
    if outcome.login is not None:
        out.result(f"login:  {outcome.login}")
        out.result(f"scopes: {', '.join(outcome.scopes or []) or '(none)'}")
