"""``deskpro oauth-test PATH`` on an app using ``oauth:github``: what the manifest offers."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from fakes.github import FakeGitHub
from oauth.oauth_helpers import RobotBrowser, base_args, parse_json, secret_env

GITHUB_WHITELIST = "/^https?://([^.]+\\.)*github.com/?.*$/"  # the official OAuth example's entry


def app_tree(
    tree, *, whitelist: list[str], storage_provider: str = "github", settings=None
) -> Path:
    deskpro = {
        "version": "2.3.0",
        "title": "OAuth app",
        "isSingle": True,
        "scope": "agent",
        "targets": [{"target": "ticket-sidebar", "url": "html/index.html"}],
        "storage": [
            {
                "name": f"oauth:{storage_provider}",
                "isBackendOnly": True,
                "permRead": "EVERYBODY",
                "permWrite": "OWNER",
            }
        ],
        "settings": settings or [],
        "customFields": [],
        "deskproApiTags": [],
        "externalApis": whitelist,
    }
    package = {
        "name": "oauth-app",
        "version": "0.1.0",
        "description": "x",
        "author": {"name": "A", "email": "a@example.com"},
        "deskpro": deskpro,
    }
    return tree({"package.json": json.dumps(package, indent=2) + "\n"})


def test_official_example_whitelist_covers_api_github_com(cli, github: FakeGitHub, tree) -> None:
    app = github.add_app()
    path = app_tree(tree, whitelist=[GITHUB_WHITELIST])
    run = cli(
        *base_args(github, app.client_id, str(path), "--api-url", "https://api.github.com"),
        env=secret_env(app.client_secret),
    )
    data = parse_json(run)
    assert data["verdict"] == "credentials-valid"
    assert data["app"]["providers"] == ["github"]
    assert data["app"]["api_covered"] is True
    assert data["app"]["probe_url"] == "https://api.github.com/user"
    assert "does not admit" not in run.stderr
    assert "admits https://api.github.com/user" in run.stderr


def test_whitelist_missing_the_api_host_is_a_warning(cli, github: FakeGitHub, tree) -> None:
    app = github.add_app()
    path = app_tree(tree, whitelist=["/^https:\\/\\/github\\.com(\\/.*)?$/"])
    run = cli(
        *base_args(github, app.client_id, str(path), "--api-url", "https://api.github.com"),
        env=secret_env(app.client_secret),
        code=0,  # the credentials are fine; the whitelist is a warning
    )
    data = parse_json(run)
    assert data["app"]["api_covered"] is False
    assert "does not admit https://api.github.com/user" in run.stderr
    assert "deskpro domains add api.github.com" in run.stderr


def test_enterprise_api_host_is_checked_not_github_com(cli, github: FakeGitHub, tree) -> None:
    app = github.add_app()
    path = app_tree(tree, whitelist=[GITHUB_WHITELIST])
    run = cli(*base_args(github, app.client_id, str(path)), env=secret_env(app.client_secret))
    data = parse_json(run)
    assert data["app"]["probe_url"] == f"{github.url}/api/v3/user"
    assert data["app"]["api_covered"] is False
    # the API is plain http here, so the hint keeps the scheme (a bare host means https only)
    assert "run `deskpro domains add http://127.0.0.1`" in run.stderr
    cli("domains", "add", "http://127.0.0.1", path)  # the hint, followed, fixes the warning
    run = cli(*base_args(github, app.client_id, str(path)), env=secret_env(app.client_secret))
    assert parse_json(run)["app"]["api_covered"] is True


def test_declared_scopes_are_requested(cli, github: FakeGitHub, tree, robot: RobotBrowser) -> None:
    app = github.add_app()
    settings = [
        {
            "name": "githubScopes",
            "title": "Scopes",
            "type": "text",
            "required": False,
            "defaultValue": "repo, read:org",
        }
    ]
    path = app_tree(tree, whitelist=[GITHUB_WHITELIST], settings=settings)
    run = cli(
        *base_args(github, app.client_id, str(path), "--mode", "web", "--timeout", "10"),
        env=secret_env(app.client_secret),
    )
    robot.join()
    data = parse_json(run)
    assert data["app"]["scopes"] == ["repo", "read:org"]
    assert parse_qs(urlsplit(robot.urls[0]).query)["scope"] == ["repo read:org"]
    assert data["scopes"] == ["read:org", "repo"]


def test_explicit_scope_wins_over_declared(
    cli, github: FakeGitHub, tree, robot: RobotBrowser
) -> None:
    app = github.add_app()
    settings = [
        {
            "name": "githubScopes",
            "title": "S",
            "type": "text",
            "required": False,
            "defaultValue": "repo",
        }
    ]
    path = app_tree(tree, whitelist=[GITHUB_WHITELIST], settings=settings)
    cli(
        *base_args(
            github, app.client_id, str(path), "--mode", "web", "--timeout", "10", "--scope", "gist"
        ),
        env=secret_env(app.client_secret),
    )
    robot.join()
    assert parse_qs(urlsplit(robot.urls[0]).query)["scope"] == ["gist"]


def test_other_provider_is_called_out(cli, github: FakeGitHub, tree) -> None:
    app = github.add_app()
    path = app_tree(tree, whitelist=[], storage_provider="gitlab")
    run = cli(*base_args(github, app.client_id, str(path)), env=secret_env(app.client_secret))
    assert parse_json(run)["app"]["providers"] == ["gitlab"]
    assert "not GitHub" in run.stderr
    assert "whitelist" not in run.stderr  # a GitLab app has no reason to admit GitHub's API


def test_unreadable_manifest_is_only_a_warning(cli, github: FakeGitHub, tree) -> None:
    app = github.add_app()
    path = tree({"package.json": '{"name": "x",\n "deskpro": {'})
    run = cli(*base_args(github, app.client_id, str(path)), env=secret_env(app.client_secret))
    data = parse_json(run)
    assert data["verdict"] == "credentials-valid" and data["app"] is None
    assert "could not read the app's manifest: " in run.stderr
    assert "package.json:2:" in run.stderr  # where: file, line and column


def test_manifest_without_read_permission_is_only_a_warning(
    cli, github: FakeGitHub, tree, monkeypatch
) -> None:
    app = github.add_app()
    path = app_tree(tree, whitelist=[])
    from deskpro_cli.manifest import source

    real_read = source._read_bytes

    def refuse(name: str) -> bytes:  # as for a file of another user (the tests run as root)
        if Path(name).name == "package.json":
            raise PermissionError(13, "Permission denied", name)
        return real_read(name)

    monkeypatch.setattr(source, "_read_bytes", refuse)
    run = cli(*base_args(github, app.client_id, str(path)), env=secret_env(app.client_secret))
    assert parse_json(run)["verdict"] == "credentials-valid"
    assert "could not read the app's manifest at" in run.stderr
    assert "Permission denied" in run.stderr


@pytest.mark.parametrize(
    "files",
    [{"notes.txt": "hello"}, {"package.json": '{"name": "some-node-project"}'}],
    ids=["no-manifest", "node-project"],
)
def test_not_an_app_says_nothing(cli, github: FakeGitHub, tree, files) -> None:
    app = github.add_app()
    path = tree(files)
    run = cli(*base_args(github, app.client_id, str(path)), env=secret_env(app.client_secret))
    assert parse_json(run)["app"] is None
    assert "manifest" not in run.stderr
