"""The pages ``deskpro init`` generates, run in headless Chromium inside the stub Deskpro host.

The real SDK build (``@deskpro/apps-sdk-core`` 2.0.0, loaded through the pinned CDN URL with its
SRI hash, routed to ``tests/node``) runs in each page; the GitHub API behind Deskpro's proxy is a
canned upstream that also checks the proxy put the agent's token in the request.
"""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from deskpro_cli import scaffold

from .a11y import low_contrast_text
from .apps import built_app
from conftest import npm_install

pytestmark = pytest.mark.browser

ANSWERS = scaffold.Answers("test-app", "Test App", "An app under test", "Ada", "ada@example.com")
TICKET = {
    "data": {
        "id": 101,
        "subject": "Printer <b>on fire</b>",
        "person_email": "grace@example.com",
    }
}
TOKEN = "gho_valid_token_1234"
NEW_TOKEN = "gho_new_token_5678"
REPOS = [
    {
        "name": "cobol",
        "full_name": "gracehopper/cobol",
        "html_url": "https://github.com/gracehopper/cobol",
        "description": "Common business-oriented language",
    },
    {
        "name": "flow-matic",
        "full_name": "gracehopper/flow-matic",
        "html_url": "https://github.com/gracehopper/flow-matic",
        "description": None,
    },
]


def _project(tmp_path: Path, template: str) -> Path:
    project = tmp_path / template
    scaffold.scaffold(project, template, ANSWERS)
    return project


def _visible_text(frame: Any, role: str) -> str:
    text: str = frame.inner_text(f'[data-role="{role}"]:not([hidden])')
    return text


# -- vanilla ------------------------------------------------------------------------------------
def test_vanilla_sidebar_shows_the_ticket(stub_host: Any, tmp_path: Path) -> None:
    app = built_app(_project(tmp_path, "vanilla"), tmp_path / "built")
    host = stub_host(app, tab=TICKET, me={"id": 1, "name": "Linus"})
    host.wait_ready()
    frame = host.frame
    frame.wait_for_selector('[data-role="details"]:not([hidden])')

    assert _visible_text(frame, "title") == "Test App"
    assert _visible_text(frame, "greeting") == "Hello, Linus."
    details = frame.eval_on_selector_all(
        '[data-role="details"] dt, [data-role="details"] dd', "els => els.map(e => e.textContent)"
    )
    assert details == [
        "Ticket",
        "#101",
        "Subject",
        "Printer <b>on fire</b>",  # text, never HTML
        "Owner's e-mail",
        "grace@example.com",
    ]
    assert frame.eval_on_selector('[data-role="error"]', "e => e.hidden") is True
    assert low_contrast_text(frame) == []
    asked = [r["body"]["path"] for r in host.records("context.property.get")]
    assert ["data", "subject"] in asked and ["data", "person_email"] in asked

    # Refresh asks the helpdesk again.
    frame.click('[data-role="refresh"]')
    host.page.wait_for_function(
        "() => window.__records.filter(r => r.eventName === 'context.property.get').length >= 4"
    )
    host.assert_clean()


def test_vanilla_sidebar_outside_a_ticket(stub_host: Any, tmp_path: Path) -> None:
    app = built_app(_project(tmp_path, "vanilla"), tmp_path / "built")
    host = stub_host(
        app,
        context_props={"type": "person", "locationId": "person-sidebar", "entityId": "5"},
    )
    host.wait_ready()
    host.frame.wait_for_selector('[data-role="details"]:not([hidden])')
    assert host.records("context.property.get") == []
    host.assert_clean()


def test_vanilla_sidebar_reports_a_failed_connection(stub_host: Any, tmp_path: Path) -> None:
    app = built_app(_project(tmp_path, "vanilla"), tmp_path / "built")
    host = stub_host(app, context_props={"tabId": None})  # the SDK refuses to start
    host.wait_ready()
    error = host.frame.wait_for_selector('[data-role="error"]:not([hidden])')
    assert error.inner_text() == "Could not connect to Deskpro: context is missing the tab id"
    # An alert: screen readers say it as soon as it appears.
    assert host.frame.get_by_role("alert").inner_text() == error.inner_text()
    assert low_contrast_text(host.frame) == []


# -- react --------------------------------------------------------------------------------------
def test_react_sidebar_shows_the_ticket(stub_host: Any, tmp_path: Path, esbuild_path: Path) -> None:
    project = _project(tmp_path, "react")
    app = built_app(project, tmp_path / "built", esbuild=esbuild_path)
    host = stub_host(
        app, tab=TICKET, me={"id": 1, "name": "Linus"}, storage={"app:7/greeting": "Ahoy"}
    )
    host.wait_ready()
    frame = host.frame
    frame.wait_for_selector("dl.dp-details")

    assert frame.inner_text("h1") == "Test App"
    assert frame.inner_text("main > p") == "Ahoy, Linus."
    details = frame.eval_on_selector_all("dl dt, dl dd", "els => els.map(e => e.textContent)")
    assert details == [
        "Ticket",
        "#101",
        "Subject",
        "Printer <b>on fire</b>",
        "Owner's e-mail",
        "grace@example.com",
    ]
    assert low_contrast_text(frame) == []
    # React came from the pinned CDN URLs (routed to tests/node), not from the app's files.
    assert frame.evaluate("() => window.React.version") == "18.3.1"
    frame.click("button")
    host.page.wait_for_function(
        "() => window.__records.filter(r => r.eventName === 'context.property.get').length >= 4"
    )
    frame.wait_for_selector("button:not([disabled])")
    host.assert_clean()


@pytest.mark.node
@pytest.mark.slow
def test_react_app_after_npm_install_runs_in_chromium(
    stub_host: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The way a developer gets there: npm install in the app, then package with the esbuild
    that put in node_modules/.bin (no --esbuild, no DESKPRO_ESBUILD)."""
    monkeypatch.delenv("DESKPRO_ESBUILD", raising=False)
    project = _project(tmp_path, "react")
    npm_install(project)
    app = built_app(project, tmp_path / "built")

    host = stub_host(app, tab=TICKET, me={"id": 1, "name": "Linus"})
    host.wait_ready()
    host.frame.wait_for_selector("dl.dp-details")
    assert host.frame.inner_text("main > p") == "Hello, Linus."
    host.assert_clean()

    installer = stub_host(app, "html/install.html")
    installer.wait_ready()
    installer.frame.get_by_label("Greeting shown to agents").fill("Ahoy")
    installer.frame.get_by_role("button", name="Install").click()
    assert installer.wait_install_status()["status"] == "success"
    assert installer.storage()["app:7/greeting"] == "Ahoy"
    installer.assert_clean()


# -- github-oauth: the sidebar ------------------------------------------------------------------
def _github(
    valid_tokens: set[str], users: dict[str, str]
) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """A canned api.github.com: /user, /search/users and /users/:login/repos, token-checked."""

    def answer(request: dict[str, Any]) -> dict[str, Any]:
        url = urllib.parse.urlsplit(request["url"])
        auth = request["headers"].get("Authorization", "")
        if url.scheme != "https" or url.netloc != "api.github.com":
            return {"status": 599, "body": {"message": f"unexpected host {url.netloc}"}}
        if request["method"] != "GET":
            return {"status": 405, "body": {"message": "GET only"}}
        if not auth.startswith("token ") or auth.removeprefix("token ") not in valid_tokens:
            return {"status": 401, "body": {"message": "Bad credentials"}}
        if url.path == "/user":
            return {"status": 200, "body": {"login": "agent-login", "id": 9}}
        if url.path == "/search/users":
            query = urllib.parse.parse_qs(url.query)["q"][0]
            email = query.removesuffix(" in:email")
            login = users.get(email)
            items = [{"login": login, "id": 1}] if login else []
            return {"status": 200, "body": {"total_count": len(items), "items": items}}
        if url.path == f"/users/{next(iter(users.values()), '')}/repos":
            return {"status": 200, "body": REPOS}
        return {"status": 404, "body": {"message": "Not Found"}}

    return answer


def _connection() -> dict[str, Any]:
    return {
        "providerName": "github",
        "urlAuthorize": "https://github.com/login/oauth/authorize",
        "urlAccessToken": "https://github.com/login/oauth/access_token",
        "urlRedirect": "https://helpdesk.example/api/oauth/2.0/github/grant-access",
        "clientId": "Iv1.client",
        "clientSecret": "client-secret",
    }


def _repositories(frame: Any) -> list[list[str]]:
    frame.wait_for_selector('[data-role="repositories"]:not([hidden])')
    rows: list[list[str]] = frame.eval_on_selector_all(
        '[data-role="repositories"] li',
        "items => items.map(li => [li.querySelector('a').textContent, "
        "li.querySelector('a').href, li.querySelector('a').rel, "
        "(li.querySelector('p') || {}).textContent || ''])",
    )
    return rows


EXPECTED_ROWS = [
    [
        "gracehopper/cobol",
        "https://github.com/gracehopper/cobol",
        "noopener noreferrer",
        "Common business-oriented language",
    ],
    [
        "gracehopper/flow-matic",
        "https://github.com/gracehopper/flow-matic",
        "noopener noreferrer",
        "",
    ],
]


def test_github_sidebar_lists_the_owners_repositories(stub_host: Any, tmp_path: Path) -> None:
    app = built_app(_project(tmp_path, "github-oauth"), tmp_path / "built")
    host = stub_host(
        app,
        tab=TICKET,
        storage={"app:7/oauth:github": _connection(), "app:7/oauth:github:tokens": TOKEN},
        upstream=_github({TOKEN}, {"grace@example.com": "gracehopper"}),
    )
    host.wait_ready()

    assert _repositories(host.frame) == EXPECTED_ROWS
    assert _visible_text(host.frame, "owner") == "grace@example.com is gracehopper on GitHub."
    assert low_contrast_text(host.frame) == []

    calls = host.upstream_log()
    assert [c["request"]["url"] for c in calls] == [
        "https://api.github.com/user",
        "https://api.github.com/search/users?q=grace%40example.com%20in%3Aemail",
        "https://api.github.com/users/gracehopper/repos?sort=updated&per_page=30",
    ]
    # The proxy put the stored token in; the page itself only ever sent the placeholder.
    assert {c["request"]["headers"]["Authorization"] for c in calls} == {f"token {TOKEN}"}
    sent = [r["body"] for r in host.records("webapi.request.fetch")]
    assert all(s["init"]["mode"] == "cors" for s in sent)
    assert {s["init"]["headers"]["Authorization"] for s in sent} == {
        "token {{oauth:github:tokens}}"
    }
    assert TOKEN not in json.dumps(host.records())
    # Every call passed the app's own whitelist (from the resolved manifest.json).
    assert [entry["allowed"] for entry in host.proxy_log()] == [True, True, True]
    assert host.records("security.authenticate.oauth") == []
    host.assert_clean()


def test_github_sidebar_gets_a_new_token_when_github_refuses_the_old_one(
    stub_host: Any, tmp_path: Path
) -> None:
    app = built_app(_project(tmp_path, "github-oauth"), tmp_path / "built")
    host = stub_host(
        app,
        tab=TICKET,
        storage={"app:7/oauth:github": _connection(), "app:7/oauth:github:tokens": "gho_revoked"},
        oauth_tokens={"github": {"access_token": NEW_TOKEN, "refresh_token": "", "expires": 0}},
        upstream=_github({NEW_TOKEN}, {"grace@example.com": "gracehopper"}),
    )
    host.wait_ready()

    assert _repositories(host.frame) == EXPECTED_ROWS
    statuses = [c["response"]["status"] for c in host.upstream_log()]
    assert statuses == [401, 200, 200, 200]
    access = host.records("security.authenticate.oauth")
    assert len(access) == 1
    assert access[0]["body"]["provider"] == "github"
    assert host.storage()["app:7/oauth:github:tokens"] == NEW_TOKEN
    host.assert_clean()


def test_github_sidebar_when_nobody_has_that_email(stub_host: Any, tmp_path: Path) -> None:
    app = built_app(_project(tmp_path, "github-oauth"), tmp_path / "built")
    host = stub_host(
        app,
        tab=TICKET,
        storage={"app:7/oauth:github": _connection(), "app:7/oauth:github:tokens": TOKEN},
        upstream=_github({TOKEN}, {"someone@else.example": "someone"}),
    )
    host.wait_ready()
    host.frame.wait_for_function(
        "() => document.querySelector('[data-role=\"status\"]').textContent.startsWith('No ')"
    )
    assert _visible_text(host.frame, "status") == (
        "No GitHub user shows this e-mail address publicly."
    )
    assert len(host.upstream_log()) == 2  # /user and the search: no repository call
    host.assert_clean()


def test_github_sidebar_shows_errors_and_retries(stub_host: Any, tmp_path: Path) -> None:
    app = built_app(_project(tmp_path, "github-oauth"), tmp_path / "built")
    outage = {"on": True}
    working = _github({TOKEN}, {"grace@example.com": "gracehopper"})

    def flaky(request: dict[str, Any]) -> dict[str, Any]:
        if outage["on"]:
            return {"status": 503, "body": {"message": "Service Unavailable"}}
        return working(request)

    host = stub_host(
        app,
        tab=TICKET,
        storage={"app:7/oauth:github": _connection(), "app:7/oauth:github:tokens": TOKEN},
        upstream=flaky,
    )
    host.wait_ready()
    error = host.frame.wait_for_selector('[data-role="error"]:not([hidden])')
    assert error.inner_text() == (
        "Could not load GitHub data: GitHub answered /user: Service Unavailable"
    )
    assert host.frame.get_by_role("alert").inner_text() == error.inner_text()
    assert _visible_text(host.frame, "retry") == "Try again"
    assert low_contrast_text(host.frame) == []
    assert host.records("security.authenticate.oauth") == []  # a 503 is not a bad token

    outage["on"] = False
    host.frame.click('[data-role="retry"]')
    assert _repositories(host.frame) == EXPECTED_ROWS
    assert host.frame.eval_on_selector('[data-role="error"]', "e => e.hidden") is True
    host.assert_clean()
