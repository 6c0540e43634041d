"""``deskpro oauth-test --mode web``: the loopback flow against the fake, the browser played by a
robot (the Chromium test is in test_oauth_process.py)."""

from __future__ import annotations

import socket
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from fakes.github import FakeApp, FakeGitHub
from oauth.oauth_helpers import RobotBrowser, base_args, free_port, parse_json, secret_env


def web_args(github: FakeGitHub, client_id: str, *extra: str) -> list[str]:
    return base_args(github, client_id, "--mode", "web", "--timeout", "10", *extra)


@pytest.fixture
def web(cli, github: FakeGitHub, robot: RobotBrowser) -> Callable[..., tuple[Any, dict[str, Any]]]:
    """Run ``--mode web`` for ``app`` with its secret, the robot browser playing the user; the
    run and its JSON."""

    def run(app: FakeApp, *extra: str, code: int = 0) -> tuple[Any, dict[str, Any]]:
        result = cli(
            *web_args(github, app.client_id, *extra), env=secret_env(app.client_secret), code=code
        )
        robot.join()
        return result, parse_json(result)

    return run


def app_on_port(
    github: FakeGitHub, path: str = "/oauth-test", **kwargs: Any
) -> tuple[FakeApp, str]:
    """An app whose registered callback is on a free port (GitHub sends error redirects to the
    registered callback, so the CLI must listen there: pass the port with ``--port``)."""
    port = free_port()
    return github.add_app(callbacks=[f"http://127.0.0.1:{port}{path}"], **kwargs), str(port)


def test_token_obtained_reported_and_revoked(web, github: FakeGitHub, robot: RobotBrowser) -> None:
    app = github.add_app()
    github.browser_session_id = True  # GitHub may add parameters; the callback ignores them
    _, data = web(app, "--scope", "repo", "--scope", "user:email,user")
    assert (data["ok"], data["verdict"], data["mode"]) == (True, "token-obtained", "web")
    assert data["login"] == "octocat"
    assert data["scopes"] == ["repo", "user"]
    assert data["token_revoked"] is True
    assert data["token"].startswith("gho_") and "…" in data["token"]
    assert "revoked" in data["detail"]
    assert github.live_tokens() == []

    # the authorize URL: PKCE S256, state, loopback redirect with the registered path
    query = parse_qs(urlsplit(robot.urls[0]).query)
    assert query["code_challenge_method"] == ["S256"]
    assert len(query["state"][0]) >= 30
    redirect = query["redirect_uri"][0]
    assert redirect.startswith("http://127.0.0.1:") and redirect.endswith("/oauth-test")
    assert query["scope"] == ["repo user:email user"]
    # the exchange: credentials in the body, JSON asked for, verifier checked, same redirect_uri
    exchange = github.requests_to("/login/oauth/access_token")[-1]
    assert exchange.form["client_secret"] == app.client_secret
    assert exchange.form["redirect_uri"] == redirect
    assert exchange.headers["accept"] == "application/json"
    assert "authorization" not in exchange.headers
    assert github.pkce_checked == [True]
    (callback,) = robot.callback_answers
    assert callback.status_code == 200 and "Authorization received" in callback.text
    # the port is closed once the run is over
    port = urlsplit(redirect).port
    with socket.socket() as s, pytest.raises(ConnectionRefusedError):
        s.connect(("127.0.0.1", port))


def test_ctrl_c_while_waiting_closes_the_port(cli, github: FakeGitHub, monkeypatch) -> None:
    """In-process, so the port is seen closed by the code (a dead process closes it anyway):
    Ctrl-C in the wait leaves through the server's ``with`` block, and --json gets its object."""
    import json

    from deskpro_cli.oauth.loopback import CallbackServer

    ports: list[int] = []

    def interrupted(self: CallbackServer, *args: object) -> None:
        ports.append(self.port)
        with socket.socket() as s:
            assert s.connect_ex(("127.0.0.1", self.port)) == 0  # listening while it waits
        raise KeyboardInterrupt

    monkeypatch.setattr(CallbackServer, "wait", interrupted)
    app = github.add_app()
    run = cli(
        *web_args(github, app.client_id, "--no-browser"),
        env=secret_env(app.client_secret),
        code=130,
    )
    assert "Traceback" not in run.output and "interrupted" in run.stderr
    assert json.loads(run.stdout)["exit_code"] == 130
    with socket.socket() as s:
        assert s.connect_ex(("127.0.0.1", ports[0])) != 0
    assert github.tokens == {}


def test_keep_token(web, github: FakeGitHub) -> None:
    app = github.add_app()
    _, data = web(app, "--keep-token")
    assert data["token_revoked"] is False
    assert len(github.live_tokens()) == 1
    assert "kept" in data["detail"]


def test_probe_runs_first_and_stops_a_bad_pair(
    cli, github: FakeGitHub, robot: RobotBrowser
) -> None:
    app = github.add_app()
    run = cli(*web_args(github, app.client_id), env=secret_env("1" * 40), code=1)
    assert parse_json(run)["verdict"] == "credentials-invalid"
    assert robot.urls == []  # the browser never opened


def test_user_denies(web, github: FakeGitHub) -> None:
    # GitHub sends the error to the *registered* callback: register the port the CLI listens on.
    app, port = app_on_port(github)
    github.authorize_outcome = "deny"
    _, data = web(app, "--port", port, code=1)
    assert data["verdict"] == "access-denied"
    assert data["error_code"] == "access_denied"
    assert "The user has denied your application access." in data["detail"]
    assert github.tokens == {}


def test_suspended_app(web, github: FakeGitHub) -> None:
    app, port = app_on_port(github, suspended=True)
    _, data = web(app, "--port", port, code=1)
    assert (data["verdict"], data["error_code"]) == ("oauth-error", "application_suspended")
    assert "suspended" in data["detail"] and "support" in data["hint"]


def test_redirect_mismatch_by_redirect(web, github: FakeGitHub) -> None:
    app, port = app_on_port(github, "/registered-elsewhere")
    github.mismatch_mode = "redirect"
    _, data = web(app, "--port", port, code=1)
    assert data["verdict"] == "redirect-uri-mismatch"
    assert f"http://127.0.0.1:{port}/oauth-test" in data["detail"]
    assert "--mode device" in data["hint"]


def test_redirect_mismatch_interstitial_times_out_naming_the_redirect_uri(
    cli, github: FakeGitHub, robot: RobotBrowser
) -> None:
    app = github.add_app(callbacks=["http://127.0.0.1/registered-elsewhere"])
    run = cli(
        *base_args(github, app.client_id, "--mode", "web", "--timeout", "1.5"),
        env=secret_env(app.client_secret),
        code=3,
    )
    robot.join()
    data = parse_json(run)
    assert data["verdict"] == "timeout"
    assert robot.redirect_uri() in data["detail"]
    assert "redirect_uri is not associated" in data["detail"]
    assert "The redirect_uri is not associated" in robot.fake_answers[0].text


def test_exchange_redirect_mismatch(web, github: FakeGitHub, monkeypatch) -> None:
    """The code is bound to the redirect_uri it was issued for; a different one at the exchange
    gives redirect_uri_mismatch (the CLI always reuses the exact string; forced here)."""
    app = github.add_app()
    from fakes import github_handler as fake_module

    real = fake_module.CodeGrant

    def grant(app_, redirect_uri, *rest):  # the code remembers another redirect_uri
        return real(app_, "http://127.0.0.1:1/elsewhere", *rest)

    monkeypatch.setattr(fake_module, "CodeGrant", grant)
    _, data = web(app, code=1)
    assert data["verdict"] == "redirect-uri-mismatch"
    assert "exchange" in data["detail"]


def test_state_mismatch_is_refused_then_the_real_callback_wins(
    web, github: FakeGitHub, robot: RobotBrowser
) -> None:
    robot.forge_first = True
    app = github.add_app()
    run, _ = web(app)
    forged, real = robot.callback_answers
    assert forged.status_code == 400 and "does not match" in forged.text
    assert real.status_code == 200
    assert parse_json(run)["verdict"] == "token-obtained"
    codes = [r.form.get("code") for r in github.requests_to("/login/oauth/access_token")]
    assert "0123456789abcdef0123" not in codes  # the forged code was never exchanged


def test_state_mismatch_alone_times_out_and_says_so(
    cli, github: FakeGitHub, robot: RobotBrowser
) -> None:
    robot.forge_first = True
    robot.follow = False
    app = github.add_app()
    run = cli(
        *base_args(github, app.client_id, "--mode", "web", "--timeout", "1.5"),
        env=secret_env(app.client_secret),
        code=3,
    )
    robot.join()
    data = parse_json(run)
    assert data["verdict"] == "timeout"
    assert "1 callback(s) with a state that did not match" in data["detail"]
    assert github.tokens == {}


def test_no_browser_prints_the_url_and_times_out(
    cli, github: FakeGitHub, robot: RobotBrowser
) -> None:
    app = github.add_app()
    run = cli(
        *base_args(github, app.client_id, "--mode", "web", "--no-browser", "--timeout", "1"),
        env=secret_env(app.client_secret),
        code=3,
    )
    assert robot.urls == []
    assert "Open this URL in a browser" in run.stderr
    # before the wait: which callback GitHub must know, and what to do when it is Deskpro's
    assert "has http://127.0.0.1/oauth-test among its callback URLs" in run.stderr
    assert "use --mode device" in run.stderr
    assert (
        f"{github.url}/login/oauth/authorize?response_type=code&client_id={app.client_id}"
        in run.stderr
    )
    assert parse_json(run)["verdict"] == "timeout"


def test_code_already_used(web, github: FakeGitHub, monkeypatch) -> None:
    """A code redeemed by someone else first (bad_verification_code at the exchange)."""
    app = github.add_app()
    real_decide = None
    from fakes import github_handler as fake_module

    real_decide = fake_module.Handler._decide

    def decide(self, app_, q, *, approve):
        real_decide(self, app_, q, approve=approve)
        for grant in self.fake.codes.values():
            grant.used = True

    monkeypatch.setattr(fake_module.Handler, "_decide", decide)
    _, data = web(app, code=1)
    assert (data["verdict"], data["error_code"]) == ("oauth-error", "bad_verification_code")


def test_unverified_email(web, github: FakeGitHub) -> None:
    app = github.add_app()
    app.user.email_verified = False
    _, data = web(app, code=1)
    assert data["error_code"] == "unverified_user_email"
    assert "primary email" in data["hint"]


def test_server_error_at_the_exchange_is_not_retried(web, github: FakeGitHub) -> None:
    app = github.add_app()
    github.fault("token", "status", status=200)  # the probe passes through untouched? no: one-shot
    github.faults.clear()
    probe_then_fail = []

    original = github.take_fault

    def take(endpoint):
        if endpoint == "token":
            probe_then_fail.append(endpoint)
            if len(probe_then_fail) == 2:
                from fakes.github import Fault

                return Fault("status", False, {"status": 502})
        return original(endpoint)

    github.take_fault = take  # type: ignore[method-assign]
    _, data = web(app, code=3)
    assert data["verdict"] == "server-error" and "HTTP 502" in data["detail"]
    assert len(github.requests_to("/login/oauth/access_token")) == 2  # probe + one exchange


def test_rate_limited_at_user(web, github: FakeGitHub) -> None:
    app = github.add_app()
    github.fault("user", "rate_limit", mode="retry_after", retry_after=42)
    _, data = web(app, code=3)
    assert data["verdict"] == "rate-limited" and "42 s" in data["detail"]
    assert data["token_revoked"] is True  # revoked even though /user failed
    assert github.live_tokens() == []


def test_token_from_another_app_is_refused(web, github: FakeGitHub, monkeypatch) -> None:
    app = github.add_app()
    other = github.add_app()
    from fakes import github as fake_module

    real_issue = fake_module.FakeGitHub.issue_token

    def issue(self, app_, scopes):
        record = real_issue(self, app_, scopes)
        record.app = other  # /user will name the other app in X-OAuth-Client-Id
        return record

    monkeypatch.setattr(fake_module.FakeGitHub, "issue_token", issue)
    _, data = web(app, code=1)
    assert data["verdict"] == "credentials-invalid"
    assert other.client_id in data["detail"]


@pytest.mark.parametrize(
    ("callback", "message"),
    [
        ("https://help.example.com/api/oauth/2.0/github/grant-access", "is the Deskpro one"),
        ("https://example.com/cb", "not a loopback address"),
        ("https://127.0.0.1/cb", "must use http://"),
    ],
)
def test_non_loopback_callback_points_to_device_mode(
    cli, github: FakeGitHub, callback: str, message: str
) -> None:
    app = github.add_app()
    run = cli(
        *web_args(github, app.client_id, "--callback-url", callback),
        env=secret_env(app.client_secret),
        code=2,
    )
    assert message in run.stderr
    if "loopback" in message or "Deskpro" in message:
        assert "--mode device" in run.stderr
    assert github.requests == []  # refused before anything was sent


def test_port_in_use_is_a_usage_error(cli, github: FakeGitHub) -> None:
    app = github.add_app()
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        run = cli(
            *web_args(github, app.client_id, "--port", str(port)),
            env=secret_env(app.client_secret),
            code=2,
        )
    assert f"port {port}" in run.stderr and "in use" in run.stderr


def test_custom_callback_path_and_registered_port(
    web, github: FakeGitHub, robot: RobotBrowser
) -> None:
    app, port = app_on_port(github, "/cb", wildcard=False)
    _, data = web(app, "--callback-url", f"http://127.0.0.1:{port}/cb")
    assert robot.redirect_uri() == f"http://127.0.0.1:{port}/cb"
    assert data["verdict"] == "token-obtained"


def test_github_app_token_has_no_scopes(web, github: FakeGitHub) -> None:
    # GitHub Apps match redirect URIs exactly: register the one the CLI will use.
    app, port = app_on_port(github, kind="github_app")
    _, data = web(app, "--port", port)
    assert data["scopes"] == []
    assert "permissions, not scopes" in data["detail"]


def test_debug_logging_keeps_secrets_out(cli, github: FakeGitHub, robot: RobotBrowser) -> None:
    """With -vv every logger of the run is at DEBUG (requests-oauthlib would log the request body
    with the secret, and the token): the leak guard of this suite checks all of it."""
    app = github.add_app()
    run = cli("-vv", *web_args(github, app.client_id), env=secret_env(app.client_secret))
    robot.join()
    assert parse_json(run)["verdict"] == "token-obtained"
    assert "DEBUG" in run.stderr or "INFO" in run.stderr
