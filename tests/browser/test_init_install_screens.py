"""The custom install screens of the github-oauth and react templates, packaged for real and run
by the installer page inside the stub Deskpro host."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from deskpro_cli import scaffold

from .a11y import low_contrast_text
from .apps import built_app

pytestmark = pytest.mark.browser

ANSWERS = scaffold.Answers("test-app", "Test App", "An app under test", "Ada", "ada@example.com")
CALLBACK = "https://helpdesk.example/api/oauth/2.0/github/grant-access"
TOKEN = {"access_token": "gho_install_check", "refresh_token": "", "expires": 0}


def _packaged(tmp_path: Path, template: str, esbuild: Path | None = None) -> Path:
    project = tmp_path / template
    scaffold.scaffold(project, template, ANSWERS)
    return built_app(project, tmp_path / "served", esbuild=esbuild)


def _open_github_screen(stub_host: Any, tmp_path: Path, **options: Any) -> Any:
    host = stub_host(_packaged(tmp_path, "github-oauth"), "html/install.html", **options)
    host.wait_ready()
    frame = host.frame
    frame.wait_for_selector(".github-install [name=githubClientId]")
    return host


def test_github_screen_registers_proves_and_installs(stub_host: Any, tmp_path: Path) -> None:
    host = _open_github_screen(stub_host, tmp_path, oauth_tokens={"github": TOKEN})
    frame = host.frame

    assert frame.inner_text(".github-install__callback code") == CALLBACK
    assert frame.get_by_label("Github authorization callback URL").input_value() == CALLBACK
    assert frame.get_by_label("Github Client Secret").get_attribute("type") == "password"
    # Masked, the secret's field keeps the form's look (the installer styles password fields):
    # the field and its Show button together are as wide as the other fields.
    secret_row = frame.locator(".dpi-field__secret").bounding_box()
    id_field = frame.get_by_label("Github Client ID").bounding_box()
    assert secret_row["width"] == id_field["width"] and secret_row["x"] == id_field["x"]
    secret_box = frame.get_by_label("Github Client Secret").bounding_box()
    assert secret_box["height"] == id_field["height"]
    assert secret_box["width"] > id_field["width"] * 0.7
    assert low_contrast_text(frame) == []
    frame.get_by_label("Github Client ID").fill("Iv1.0123456789abcdef")
    frame.get_by_label("Github Client Secret").fill("0123456789abcdef0123456789abcdef01234567")
    frame.get_by_role("button", name="Connect to GitHub and install").click()

    status = host.wait_install_status()
    assert status["status"] == "success"
    storage = host.storage()
    # The connection (with the real secret) is in the backend-only oauth:github item...
    assert storage["app:7/oauth:github"] == {
        "providerName": "github",
        "urlAuthorize": "https://github.com/login/oauth/authorize",
        "urlAccessToken": "https://github.com/login/oauth/access_token",
        "urlRedirect": CALLBACK,
        "clientId": "Iv1.0123456789abcdef",
        "clientSecret": "0123456789abcdef0123456789abcdef01234567",
    }
    # ...and the settings keep the secret masked.
    assert storage["app:7/githubClientId"] == "Iv1.0123456789abcdef"
    assert storage["app:7/githubClientSecret"] == "***"
    assert storage["app:7/githubCallbackURL"] == CALLBACK

    order = [
        r["eventName"]
        for r in host.records()
        if r["eventName"]
        in ("security.settings.oauth", "security.authenticate.oauth", "webapi.request.fetch")
    ]
    settings_at = order.index("security.settings.oauth")
    access_at = order.index("security.authenticate.oauth")
    assert settings_at < access_at
    # register (a storage PUT) comes before the access request, the settings batch after it
    fetches = [r["body"] for r in host.records("webapi.request.fetch")]
    assert fetches[0]["url"] == "apps/42/state/app:7/oauth:github"
    access = host.records("security.authenticate.oauth")[0]["body"]
    assert access == {"protocolVersion": "2.0", "provider": "github"}
    assert ("put", "apps/42") in [(c.method, c.path) for c in host.api_calls()]
    host.assert_clean()


def test_github_screen_stops_when_github_refuses(stub_host: Any, tmp_path: Path) -> None:
    refusal = {"security.authenticate.oauth": {"error": {"message": "bad_verification_code"}}}
    host = _open_github_screen(stub_host, tmp_path, events=refusal)
    frame = host.frame
    frame.get_by_label("Github Client ID").fill("Iv1.wrong")
    frame.get_by_label("Github Client Secret").fill("wrong-secret")
    button = frame.get_by_role("button", name="Connect to GitHub and install")
    button.click()

    error = frame.wait_for_selector(".github-install__error:not([hidden])")
    assert error.inner_text().startswith("GitHub did not grant access with these settings.")
    assert frame.get_by_role("alert").inner_text() == error.inner_text()
    assert low_contrast_text(frame) == []
    assert "bad_verification_code" in error.inner_text()
    assert button.is_enabled()
    storage = host.storage()
    assert "app:7/githubClientSecret" not in storage  # nothing was saved as settings
    assert host.records("app.install_status") == []
    assert ("put", "apps/42") not in [(c.method, c.path) for c in host.api_calls()]


def test_github_screen_on_update_asks_for_the_secret_again(stub_host: Any, tmp_path: Path) -> None:
    stored = {
        "app:7/githubClientId": "Iv1.old",
        "app:7/githubClientSecret": "***",
        "app:7/githubCallbackURL": CALLBACK,
    }
    host = _open_github_screen(
        stub_host,
        tmp_path,
        install_type="update",
        installed=True,
        storage=stored,
        oauth_tokens={"github": TOKEN},
    )
    frame = host.frame
    assert frame.get_by_label("Github Client ID").input_value() == "Iv1.old"
    assert frame.get_by_label("Github Client Secret").input_value() == ""
    frame.get_by_label("Github Client Secret").fill("the-new-secret")
    frame.get_by_role("button", name="Connect to GitHub and save").click()
    assert host.wait_install_status()["status"] == "success"
    assert host.storage()["app:7/oauth:github"]["clientSecret"] == "the-new-secret"
    assert host.storage()["app:7/githubClientSecret"] == "***"
    host.assert_clean()


@pytest.mark.node
def test_react_screen_saves_the_greeting(
    stub_host: Any, tmp_path: Path, esbuild_path: Path
) -> None:
    app = _packaged(tmp_path, "react", esbuild=esbuild_path)
    host = stub_host(app, "html/install.html")
    host.wait_ready()
    frame = host.frame
    frame.wait_for_selector(".install-screen [name=greeting]")
    assert "Install Test App" in frame.inner_text(".install-screen p")
    assert frame.get_by_label("Greeting shown to agents").input_value() == "Hello"
    assert low_contrast_text(frame) == []
    frame.get_by_label("Greeting shown to agents").fill("Ahoy")
    frame.get_by_role("button", name="Install").click()
    assert host.wait_install_status()["status"] == "success"
    assert host.storage()["app:7/greeting"] == "Ahoy"
    host.assert_clean()
