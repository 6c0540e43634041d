"""End to end: `deskpro package`, unzip the zip as a helpdesk would, run its pages in Chromium.

The installer page of the built zip must show every setting of the manifest and send what the
user typed to the (stub) helpdesk; the sidebar page must load every file it references from the
zip itself.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from package.apps import vanilla_app

pytestmark = pytest.mark.browser

SETTINGS = [
    {
        "name": "apiUrl",
        "title": "API URL",
        "type": "text",
        "required": True,
        "defaultValue": "",
        "validator": {"type": "regex", "pattern": "^https://"},
    },
    {"name": "motto", "title": "Motto", "type": "textarea", "required": False, "defaultValue": ""},
    {
        "name": "colour",
        "title": "Colour",
        "type": "choice",
        "multi": False,
        "required": True,
        "defaultValue": "red",
        "choices": [{"title": "Red", "value": "red"}, {"title": "Blue", "value": "blue"}],
    },
    {"name": "beta", "title": "Beta features", "type": "boolean", "required": False,
     "defaultValue": False},
    {"name": "apiToken", "title": "API token", "type": "text", "required": True,
     "isBackendOnly": True, "defaultValue": ""},
]  # fmt: skip


def build_and_unzip(cli: Any, project: Path, out: Path) -> Path:
    report = json.loads(cli("package", project, "--json").stdout)
    with zipfile.ZipFile(project / "dist/app.zip") as archive:
        assert archive.testzip() is None
        archive.extractall(out)
    assert report["entries"] == len([p for p in out.rglob("*") if p.is_file()])
    return out


def test_installer_of_the_built_zip_shows_every_setting_and_sends_the_typed_values(
    cli: Any, tree: Any, tmp_path: Path, stub_host: Any
) -> None:
    project = tree(vanilla_app(settings=SETTINGS))
    unzipped = build_and_unzip(cli, project, tmp_path / "unzipped")
    host = stub_host(unzipped, "html/install.html")
    host.wait_ready()
    frame = host.frame
    frame.wait_for_selector(".dpi-form")
    for setting in SETTINGS:
        assert frame.locator(f"[data-setting={setting['name']}]").count() == 1
        assert frame.get_by_label(setting["title"]).count() == 1

    install = frame.get_by_role("button", name="Install")
    frame.get_by_label("API URL").fill("http://not-secure.example")
    frame.get_by_label("API token").fill("t0k3n")
    install.click()
    error = frame.inner_text("[data-setting=apiUrl] .dpi-field__error")
    assert error  # the regex validator blocks the submit and says why
    assert host.storage() == {}

    frame.get_by_label("API URL").fill("https://api.example.com")
    frame.get_by_label("Motto").fill("ship it\nsafely")
    frame.get_by_label("Colour").select_option(label="Blue")
    frame.get_by_label("Beta features").check()
    install.click()

    status = host.wait_install_status()
    assert status["status"] == "success"
    stored = {k.removeprefix("app:7/"): v for k, v in host.storage().items()}
    assert stored == {
        "apiUrl": "https://api.example.com",
        "motto": "ship it\nsafely",
        "colour": "blue",
        "beta": True,
        "apiToken": "t0k3n",
    }
    host.assert_clean()


def test_sidebar_page_of_the_built_zip_loads_everything_from_the_zip(
    cli: Any, tree: Any, tmp_path: Path, stub_host: Any
) -> None:
    project = tree(vanilla_app())
    unzipped = build_and_unzip(cli, project, tmp_path / "unzipped")
    host = stub_host(unzipped, "html/index.html")
    host.wait_ready()
    host.frame.wait_for_function(
        "() => document.getElementById('title').textContent.startsWith('Hello from')"
    )
    assert host.frame.evaluate("() => document.querySelector('img').naturalWidth") == 2
    served = {(r.path.split("?", 1)[0], r.status) for r in host.app_requests}
    assert {
        ("/html/index.html", 200),
        ("/assets/main.js", 200),
        ("/assets/main.css", 200),
        ("/assets/icon.png", 200),
    } <= served
    host.assert_clean()
