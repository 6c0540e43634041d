"""The client id and secret from the project's .env, for those neither given nor in the
environment; only those two names are read, and the secret is never shown."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from deskpro_cli.oauth.dotenv import read_dotenv

from fakes.github import FakeGitHub
from oauth.oauth_helpers import parse_json, secret_env

ID = "DESKPRO_OAUTH_CLIENT_ID"
SECRET = "DESKPRO_OAUTH_CLIENT_SECRET"


def project(tmp_path: Path, dotenv: str, mode: int = 0o600) -> Path:
    root = tmp_path / "app"
    root.mkdir()
    (root / "README.md").write_text("not an app; oauth-test only reads .env here\n")
    (root / ".env").write_text(dotenv)
    (root / ".env").chmod(mode)
    return root


def check_args(github: FakeGitHub, *extra: str) -> list[str]:
    return ["oauth-test", "--github-url", github.url, "--json", *extra]


def test_id_and_secret_from_the_projects_dotenv(cli, github: FakeGitHub, tmp_path: Path) -> None:
    app = github.add_app()
    root = project(
        tmp_path,
        f"# the OAuth App on github.com\nexport {ID}={app.client_id}\n"
        f'{SECRET}="{app.client_secret}"\nOTHER_SETTING=kept-out\n',
    )
    run = cli(*check_args(github), root, code=0)
    assert parse_json(run)["verdict"] == "credentials-valid"
    assert f"client id and client secret from {root / '.env'}" in run.stderr
    assert app.client_secret not in run.output
    assert "OTHER_SETTING" not in os.environ  # nothing else of the file reaches the environment
    (probe,) = github.requests_to("/login/oauth/access_token")
    assert probe.form["client_secret"] == app.client_secret


def test_the_environment_and_options_win_over_dotenv(
    cli, github: FakeGitHub, tmp_path: Path
) -> None:
    app = github.add_app()
    root = project(tmp_path, f"{ID}=Ov23liWrongWrongWrong\n{SECRET}={'0' * 40}\n")
    run = cli(
        *check_args(github, "--client-id", app.client_id),
        root,
        env=secret_env(app.client_secret),
        code=0,
    )
    assert parse_json(run)["verdict"] == "credentials-valid"
    assert ".env" not in run.stderr  # nothing was taken from it


def test_a_package_json_path_reads_the_dotenv_beside_it(
    cli, github: FakeGitHub, tmp_path: Path
) -> None:
    app = github.add_app()
    root = tmp_path / "gh"
    cli("init", root, "--template", "github-oauth", "--no-input")
    (root / ".env").write_text(f"{ID}={app.client_id}\r\n{SECRET}='{app.client_secret}'\r\n")
    (root / ".env").chmod(0o600)
    run = cli(*check_args(github), root / "package.json", code=0)
    assert parse_json(run)["verdict"] == "credentials-valid"


def test_a_dotenv_others_can_read_is_warned_about(cli, github: FakeGitHub, tmp_path: Path) -> None:
    app = github.add_app()
    root = project(tmp_path, f"{ID}={app.client_id}\n{SECRET}={app.client_secret}\n", 0o644)
    run = cli(*check_args(github), root, code=0)
    assert "can be read by other users" in run.stderr and "chmod 600" in run.stderr


def test_no_secret_anywhere_names_dotenv_in_the_error(cli, github: FakeGitHub, tmp_path) -> None:
    app = github.add_app()
    root = project(tmp_path, f"{ID}={app.client_id}\n")
    run = cli(*check_args(github), root, code=2)
    assert "no client secret" in run.stderr and ".env" in run.stderr


@pytest.mark.parametrize(
    ("line", "value"),
    [
        ("NAME=plain", "plain"),
        ("NAME = spaced  ", "spaced"),
        ("export NAME=exported", "exported"),
        ('NAME="double # not a comment"', "double # not a comment"),
        ("NAME='single'", "single"),
        ("NAME=value # a comment", "value"),
        ("NAME=a=b", "a=b"),
        ('NAME="unclosed', '"unclosed'),
    ],
)
def test_dotenv_lines(tmp_path: Path, line: str, value: str) -> None:
    (tmp_path / ".env").write_text(f"# comment\n\n{line}\nOTHER=x\n")
    (tmp_path / ".env").chmod(0o600)
    found = read_dotenv(tmp_path, ["NAME"])
    assert found.values == {"NAME": value} and found.warning is None


def test_dotenv_absent_empty_or_unreadable(tmp_path: Path) -> None:
    assert read_dotenv(tmp_path, ["NAME"]).values == {}
    (tmp_path / ".env").write_text("NAME=\n")
    assert read_dotenv(tmp_path, ["NAME"]).values == {}  # an empty value is no value
    (tmp_path / ".env").unlink()
    (tmp_path / ".env").mkdir()  # unreadable as a file, whoever runs the test
    found = read_dotenv(tmp_path, ["NAME"])
    assert found.values == {} and found.warning is not None and ".env" in found.warning
