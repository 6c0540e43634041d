"""``--mode web`` with the Deskpro callback: the address the browser lands on is pasted back.

The robot browser approves on the fake and stops at the fake's redirect (the helpdesk is not
reachable); the prompt seam returns the address from that redirect, as a user would paste it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from deskpro_cli.oauth.paste import pasted_parameters

from fakes.github import FakeApp, FakeGitHub
from oauth.oauth_helpers import RobotBrowser, base_args, parse_json, secret_env

DESKPRO = "https://help.example.com/api/oauth/2.0/github/grant-access"


@pytest.fixture
def paste(
    cli, github: FakeGitHub, robot: RobotBrowser, monkeypatch: pytest.MonkeyPatch
) -> Callable[..., tuple[Any, dict[str, Any]]]:
    """Run ``--mode web --callback-url DESKPRO`` at a terminal; ``change`` edits the pasted
    address (the landing address by default); ``before_paste`` runs before it is pasted."""

    def run(
        app: FakeApp,
        *,
        code: int = 0,
        change: Callable[[str], str] = lambda url: url,
        before_paste: Callable[[str], None] = lambda url: None,
    ) -> tuple[Any, dict[str, Any]]:
        robot.follow = False  # the browser lands on the helpdesk, not on this machine
        asked: list[str] = []

        def prompt(text: str, **kwargs: Any) -> str:
            asked.append(text)
            assert kwargs.get("hide_input") is True  # the address holds a code
            robot.join()
            landed = robot.fake_answers[0].headers["Location"]
            before_paste(landed)
            return change(landed)

        monkeypatch.setattr("deskpro_cli.cli.oauth_test.stdin_is_terminal", lambda: True)
        monkeypatch.setattr("deskpro_cli.cli.oauth_test._prompt", prompt)
        args = base_args(github, app.client_id, "--mode", "web", "--callback-url", DESKPRO)
        result = cli(*args, env=secret_env(app.client_secret), code=code)
        assert len(asked) == 1
        return result, parse_json(result)

    return run


def test_token_obtained_through_the_deskpro_callback(
    paste, github: FakeGitHub, robot: RobotBrowser
) -> None:
    app = github.add_app(callbacks=[DESKPRO])
    run, data = paste(app)
    assert data["verdict"] == "token-obtained" and data["login"] == app.user.login
    assert data["token_revoked"] is True and github.live_tokens() == []
    query = parse_qs(urlsplit(robot.urls[0]).query)
    assert query["redirect_uri"] == [DESKPRO]
    assert query["code_challenge_method"] == ["S256"]
    (_, exchange) = github.requests_to("/login/oauth/access_token")  # the probe, then this
    assert exchange.form["redirect_uri"] == DESKPRO and exchange.form["code_verifier"]
    assert "paste it here" in run.stderr and DESKPRO in run.stderr


@pytest.mark.parametrize(
    "change",
    [
        lambda url: url.split("?", 1)[1],  # only the query
        lambda url: f"  '{url}'\n",  # quoted, with spaces
        lambda url: url + "#fragment",
    ],
    ids=["query-only", "quoted", "fragment"],
)
def test_what_users_paste(paste, github: FakeGitHub, change: Callable[[str], str]) -> None:
    _, data = paste(github.add_app(callbacks=[DESKPRO]), change=change)
    assert data["verdict"] == "token-obtained"


def test_an_address_from_another_run_is_refused(paste, github: FakeGitHub) -> None:
    app = github.add_app(callbacks=[DESKPRO])
    _, data = paste(app, code=1, change=lambda url: url.replace("state=", "state=another-run-"))
    assert data["verdict"] == "oauth-error" and "not from this run" in data["detail"]
    assert len(github.requests_to("/login/oauth/access_token")) == 1  # the probe only


def test_a_code_the_helpdesk_redeemed_first(paste, github: FakeGitHub) -> None:
    app = github.add_app(callbacks=[DESKPRO])

    def helpdesk_redeems(landed: str) -> None:
        code = parse_qs(urlsplit(landed).query)["code"][0]
        github.codes[code].used = True

    _, data = paste(app, code=1, before_paste=helpdesk_redeems)
    assert data["verdict"] == "oauth-error" and data["error_code"] == "bad_verification_code"
    assert "redeemed" in data["detail"] and "--mode device" in data["hint"]


def test_denied_in_the_browser(paste, github: FakeGitHub) -> None:
    github.authorize_outcome = "deny"
    _, data = paste(github.add_app(callbacks=[DESKPRO]), code=1)
    assert data["verdict"] == "access-denied"


def test_nothing_usable_pasted(paste, github: FakeGitHub) -> None:
    _, data = paste(github.add_app(callbacks=[DESKPRO]), code=1, change=lambda url: "oops")
    assert data["verdict"] == "oauth-error" and "nothing with code=" in data["detail"]


def test_without_a_terminal_it_is_a_usage_error_naming_both_ways(cli, github: FakeGitHub) -> None:
    app = github.add_app(callbacks=[DESKPRO])
    args = base_args(github, app.client_id, "--mode", "web", "--callback-url", DESKPRO)
    run = cli(*args, env=secret_env(app.client_secret), code=2)
    assert "--mode device" in run.stderr and "paste the address" in run.stderr
    assert github.requests == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"{DESKPRO}?code=abc&state=xyz", {"code": "abc", "state": "xyz"}),
        ("code=abc&state=xyz", {"code": "abc", "state": "xyz"}),
        (
            f"{DESKPRO}?error=access_denied&error_description=The+user+said+no&state=s",
            {"error": "access_denied", "error_description": "The user said no", "state": "s"},
        ),
        (f"<{DESKPRO}?code=abc&state=xyz#top>", {"code": "abc", "state": "xyz"}),
        (DESKPRO, {}),
        ("", {}),
        ("state=only", {}),
    ],
)
def test_pasted_parameters(text: str, expected: dict[str, str]) -> None:
    assert pasted_parameters(text) == expected


def test_ctrl_c_at_the_paste_prompt(
    cli, github: FakeGitHub, robot: RobotBrowser, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The probe already went to GitHub: the message must not say nothing was sent."""
    import click

    def abort(*_args: Any, **_kwargs: Any) -> str:
        robot.join()
        raise click.Abort

    robot.follow = False
    monkeypatch.setattr("deskpro_cli.cli.oauth_test.stdin_is_terminal", lambda: True)
    monkeypatch.setattr("click.prompt", abort)
    app = github.add_app(callbacks=[DESKPRO])
    args = base_args(github, app.client_id, "--mode", "web", "--callback-url", DESKPRO)
    run = cli(*args, env=secret_env(app.client_secret), code=130)
    assert "no token was made" in run.stderr and "nothing was sent" not in run.stderr
    assert github.live_tokens() == []
