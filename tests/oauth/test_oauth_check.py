"""``deskpro oauth-test --mode check`` against the fake: every verdict, exit code and JSON shape."""

from __future__ import annotations

import socket

import pytest

from fakes.github import FakeGitHub
from oauth.oauth_helpers import base_args, parse_json, secret_env


def test_valid_pair(cli, github: FakeGitHub) -> None:
    app = github.add_app()
    run = cli(*base_args(github, app.client_id), env=secret_env(app.client_secret), code=0)
    data = parse_json(run)
    assert data["ok"] is True
    assert data["verdict"] == "credentials-valid"
    assert data["mode"] == "check"
    assert data["github_url"] == github.url
    assert data["api_url"] == github.url + "/api/v3"
    assert data["client_id"] == app.client_id
    assert data["login"] is None and data["scopes"] is None
    assert "bad_verification_code" in data["detail"]
    # The probe: credentials in the body, JSON asked for, our User-Agent, no token minted.
    (probe,) = github.requests_to("/login/oauth/access_token")
    assert probe.form["client_id"] == app.client_id
    assert probe.form["client_secret"] == app.client_secret
    assert "authorization" not in probe.headers
    assert probe.headers["accept"] == "application/json"
    assert probe.headers["user-agent"].startswith("deskpro-cli/")
    assert github.tokens == {}


@pytest.mark.parametrize("quiet", [[], ["-q"]], ids=["normal", "quiet"])
def test_valid_pair_text_output(cli, github: FakeGitHub, quiet: list[str]) -> None:
    app = github.add_app()
    args = ["oauth-test", "--github-url", github.url, "--client-id", app.client_id]
    run = cli(*quiet, *args, env=secret_env(app.client_secret), code=0)
    assert run.stdout.startswith("credentials-valid: ")  # the verdict is the result, even with -q
    assert ("Checking the client id" in run.stderr) is not quiet
    assert "Traceback" not in run.output


def test_wrong_secret(cli, github: FakeGitHub) -> None:
    app = github.add_app()
    run = cli(*base_args(github, app.client_id), env=secret_env("0" * 40), code=1)
    data = parse_json(run)
    assert (data["ok"], data["verdict"]) == (False, "credentials-invalid")
    assert data["error_code"] == "incorrect_client_credentials"
    assert "secret" in data["hint"]
    assert "credentials-invalid" in run.stderr


@pytest.mark.parametrize("deleted", [False, True], ids=["unknown-client-id", "deleted-app"])
def test_unknown_or_deleted_app(cli, github: FakeGitHub, deleted: bool) -> None:
    app = github.add_app(deleted=deleted)
    client_id = app.client_id if deleted else "Ov23liNoSuchApp12345"
    run = cli(*base_args(github, client_id), env=secret_env(app.client_secret), code=1)
    data = parse_json(run)
    assert data["verdict"] == "app-not-found"
    assert client_id in data["detail"] and "404" in data["detail"]


def test_swapped_id_and_secret_are_called_out(cli, github: FakeGitHub) -> None:
    app = github.add_app()
    run = cli(*base_args(github, app.client_secret), env=secret_env(app.client_id), code=1)
    data = parse_json(run)
    assert data["verdict"] == "app-not-found"
    # the hint says what to do, not only that the app may have been deleted
    assert data["hint"].startswith("the client id and secret look swapped: pass the Client ID")
    assert "swapped" in run.stderr


@pytest.mark.parametrize(
    ("pasted", "warning", "code"),
    [
        ("{secret}\n", "removed whitespace (spaces or a line break) around the client secret", 0),
        ('"{secret}"', "wrapped in quotes", 1),
        ("{secret} x", "a space or line break inside", 1),
        ("{short}", "it is 39 characters long", 1),
    ],
    ids=["newline", "quotes", "inner-space", "truncated"],
)
def test_a_badly_pasted_secret_is_explained(
    cli, github: FakeGitHub, pasted: str, warning: str, code: int
) -> None:
    app = github.add_app()
    value = pasted.format(secret=app.client_secret, short=app.client_secret[:-1])
    run = cli(*base_args(github, app.client_id), env=secret_env(value), code=code)
    assert warning in run.stderr
    data = parse_json(run)
    assert data["verdict"] == ("credentials-valid" if code == 0 else "credentials-invalid")
    if code:  # the rejection's hint names the likely cause
        assert data["hint"].startswith("the client secret as given ")


@pytest.mark.parametrize(
    ("fault", "params", "status_text"),
    [
        ("status", {"status": 502}, "HTTP 502"),
        (
            "status",
            {"status": 503, "body": '{"message":"x"}', "content_type": "application/json"},
            "HTTP 503",
        ),
    ],
)
def test_server_error(cli, github: FakeGitHub, fault: str, params: dict, status_text: str) -> None:
    app = github.add_app()
    github.fault("token", fault, **params)
    run = cli(*base_args(github, app.client_id), env=secret_env(app.client_secret), code=3)
    data = parse_json(run)
    assert data["verdict"] == "server-error"
    assert status_text in data["detail"] and "X-GitHub-Request-Id" in data["detail"]


@pytest.mark.parametrize(
    ("status", "error", "verdict", "code"),
    [
        (401, "invalid_client", "credentials-invalid", 1),  # RFC 6749's status and code
        (400, "incorrect_client_credentials", "credentials-invalid", 1),
        (200, "unauthorized_client", "oauth-error", 1),  # not "device flow disabled" here
        (401, None, "server-error", 3),  # no error code: the status is all there is
    ],
)
def test_the_error_code_decides_not_the_http_status(
    cli, github: FakeGitHub, status: int, error: str | None, verdict: str, code: int
) -> None:
    import json

    app = github.add_app()
    body = json.dumps({"error": error, "error_description": "x"}) if error else ""
    github.fault("token", "status", status=status, body=body, content_type="application/json")
    run = cli(*base_args(github, app.client_id), env=secret_env(app.client_secret), code=code)
    data = parse_json(run)
    assert (data["verdict"], data["error_code"]) == (verdict, error)


def test_html_page_with_status_200_is_a_server_error(cli, github: FakeGitHub) -> None:
    app = github.add_app()
    github.fault("token", "status", status=200, body="<html>proxy login</html>")
    run = cli(*base_args(github, app.client_id), env=secret_env(app.client_secret), code=3)
    data = parse_json(run)
    assert data["verdict"] == "server-error" and "text/html" in data["detail"]


def test_timeout(cli, github: FakeGitHub) -> None:
    app = github.add_app()
    github.fault("token", "delay", seconds=5)
    run = cli(
        *base_args(github, app.client_id, "--timeout", "0.5"),
        env=secret_env(app.client_secret),
        code=3,
    )
    data = parse_json(run)
    assert data["verdict"] == "timeout"
    assert "did not answer within 0.5 s" in data["detail"]


@pytest.mark.parametrize(
    ("fault", "said"),
    [("reset", "closed the connection"), ("truncate", "broke in the middle of the answer")],
)
def test_connection_cut(cli, github: FakeGitHub, fault: str, said: str) -> None:
    app = github.add_app()
    github.fault("token", fault)
    run = cli(*base_args(github, app.client_id), env=secret_env(app.client_secret), code=3)
    data = parse_json(run)
    assert data["verdict"] == "unreachable"
    assert said in data["detail"]


def test_refused_connection(cli) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    args = [
        "oauth-test",
        "--github-url",
        f"http://127.0.0.1:{port}",
        "--client-id",
        "Ov23liAbcdefghijklmn",
        "--json",
    ]
    run = cli(*args, env=secret_env("a" * 40), code=3)
    data = parse_json(run)
    assert data["verdict"] == "unreachable"
    assert "refused" in data["detail"]


def test_dns_failure(cli) -> None:
    args = [
        "oauth-test",
        "--github-url",
        "https://github.invalid",
        "--client-id",
        "Ov23liAbcdefghijklmn",
        "--json",
    ]
    run = cli(*args, env=secret_env("a" * 40), code=3)
    data = parse_json(run)
    assert data["verdict"] == "unreachable"
    assert "cannot resolve github.invalid" in data["detail"]
    assert data["api_url"] == "https://github.invalid/api/v3"


def test_proxy_failure_names_the_proxy_not_its_password(cli, monkeypatch) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens there once closed
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTPS_PROXY", f"http://me:pr0xy-pw@127.0.0.1:{port}")
    args = ["oauth-test", "--client-id", "Ov23liAbcdefghijklmn", "--json"]
    run = cli(*args, env=secret_env("a" * 40), code=3)
    data = parse_json(run)
    assert data["verdict"] == "unreachable"
    assert f"the proxy 127.0.0.1:{port} refused" in data["detail"]
    assert "HTTPS_PROXY" in data["hint"]
    assert "pr0xy-pw" not in run.output


@pytest.mark.parametrize("mode", ["primary", "retry_after", "secondary"])
def test_rate_limited(cli, github: FakeGitHub, mode: str) -> None:
    app = github.add_app()
    github.fault("token", "rate_limit", mode=mode)
    run = cli(*base_args(github, app.client_id), env=secret_env(app.client_secret), code=3)
    data = parse_json(run)
    assert data["verdict"] == "rate-limited"
    if mode == "retry_after":
        assert "retry after 60 s" in data["detail"]
    elif mode == "primary":
        assert "resets at" in data["detail"]
    else:
        assert "secondary rate limit" in data["detail"]


def test_options_the_mode_does_not_use_are_called_out(cli, github: FakeGitHub) -> None:
    app = github.add_app()
    args = base_args(github, app.client_id, "--scope", "repo", "--port", "8123", "--keep-token")
    run = cli(*args, env=secret_env(app.client_secret))
    assert "--scope, --port, --keep-token ignored: --mode check does not use them" in run.stderr
    assert parse_json(run)["verdict"] == "credentials-valid"


def test_secret_option_warns_about_shell_history(cli, github: FakeGitHub) -> None:
    app = github.add_app()
    run = cli(*base_args(github, app.client_id, "--client-secret", app.client_secret), code=0)
    assert parse_json(run)["verdict"] == "credentials-valid"
    assert "shell history" in run.stderr


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (["--client-id", "Ov23liAbcdefghijklmn"], {}, "no client secret"),
        ([], {"DESKPRO_OAUTH_CLIENT_SECRET": "a" * 40}, "no client id"),
        (["--client-id", "   "], {"DESKPRO_OAUTH_CLIENT_SECRET": "a" * 40}, "no client id"),
        (
            ["--client-id", "x", "--github-url", "http://github.com"],
            {"DESKPRO_OAUTH_CLIENT_SECRET": "a" * 40},
            "only for loopback",
        ),
        (
            ["--client-id", "x", "--github-url", "https://user:pw@github.com"],
            {"DESKPRO_OAUTH_CLIENT_SECRET": "a" * 40},
            "must not contain a user name or password",
        ),
        (["--mode", "nope"], {}, "Invalid value"),
    ],
)
def test_usage_errors_exit_2_before_any_request(cli, args, env, message) -> None:
    run = cli("oauth-test", *args, env=env, code=2)
    assert message in run.stderr
    assert "Traceback" not in run.output
    assert "pw" not in run.output


def test_env_client_id_and_api_url_override(cli, github: FakeGitHub) -> None:
    app = github.add_app()
    run = cli(
        "oauth-test",
        "--github-url",
        github.url,
        "--api-url",
        github.url + "/",
        "--json",
        env={"DESKPRO_OAUTH_CLIENT_ID": app.client_id, **secret_env(app.client_secret)},
    )
    data = parse_json(run)
    assert data["api_url"] == github.url
    assert data["client_id"] == app.client_id
