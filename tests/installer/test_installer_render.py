"""render_installer: the installer page and its assets, checked as files (no browser)."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from deskpro_cli.build.installer import (
    INSTALL_HTML,
    REACT,
    REACT_DOM,
    RUNTIME_CSS,
    RUNTIME_JS,
    SDK_CORE,
    InstallerScreen,
    PinnedScript,
    render_installer,
)
from deskpro_cli.errors import CheckFailed
from deskpro_cli.resources import package_file

from conftest import NODE_DIR

MANIFEST: dict[str, Any] = {
    "appVersion": "0.2.3",
    "name": "@acme/demo",
    "title": "Demo",
    "description": "A demo",
    "settings": [
        {
            "name": "apiKey",
            "title": "API key",
            "type": "text",
            "required": True,
            "defaultValue": "",
        },
    ],
}


class _Tags(HTMLParser):
    """Collects (tag, attrs) and the text of the settings data script."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.data_json = ""
        self._in_data = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_data = dict(attrs).get("id") == "deskpro-installer-data"

    def handle_endtag(self, tag: str) -> None:
        self._in_data = False

    def handle_data(self, data: str) -> None:
        if self._in_data:
            self.data_json += data


def parse(html: bytes) -> _Tags:
    tags = _Tags()
    tags.feed(html.decode("utf-8"))
    return tags


def scripts(html: bytes) -> list[str]:
    return [a["src"] or "" for t, a in parse(html).tags if t == "script" and a.get("src")]


def sri(path: Path) -> str:
    return "sha384-" + base64.b64encode(hashlib.sha384(path.read_bytes()).digest()).decode()


@pytest.mark.node
@pytest.mark.parametrize(
    "pin", [SDK_CORE, REACT, REACT_DOM], ids=["sdk-core", "react", "react-dom"]
)
def test_pinned_hashes_match_the_npm_files(pin: PinnedScript, sdk_core_js: Path) -> None:
    match = re.match(r"https://cdn\.jsdelivr\.net/npm/((?:@[^/]+/)?[^@/]+)@([^/]+)/(.+)$", pin.url)
    assert match, pin.url
    package, version, file = match.groups()
    pkg_dir = NODE_DIR / "node_modules" / package
    assert json.loads((pkg_dir / "package.json").read_text())["version"] == version
    assert pin.integrity == sri(pkg_dir / file)


def test_sdk_hash_is_the_one_the_protocol_spec_records() -> None:
    assert SDK_CORE.integrity == (
        "sha384-I5oSqHrUaces7Kq19PllXv3ylhXsQNWbW26ym7WBVPIyIPfs0l0li344eH2pPlGT"
    )
    assert SDK_CORE.url == (
        "https://cdn.jsdelivr.net/npm/@deskpro/apps-sdk-core@2.0.0/dist/apps-sdk-core.js"
    )


def test_default_page_loads_the_sdk_then_the_runtime() -> None:
    files = render_installer(MANIFEST)

    assert sorted(files) == [RUNTIME_CSS, RUNTIME_JS, INSTALL_HTML]
    html = files[INSTALL_HTML]
    assert scripts(html) == [SDK_CORE.url, "../assets/deskpro-installer.js"]
    sdk_tag = next(a for t, a in parse(html).tags if t == "script" and a.get("src") == SDK_CORE.url)
    assert sdk_tag["integrity"] == SDK_CORE.integrity
    assert sdk_tag["crossorigin"] == "anonymous"
    links = [a["href"] for t, a in parse(html).tags if t == "link" and a.get("rel") == "stylesheet"]
    assert links == ["../assets/deskpro-installer.css"]
    assert files[RUNTIME_JS] == package_file("installer", "deskpro-installer.js").read_bytes()
    assert files[RUNTIME_CSS] == package_file("installer", "deskpro-installer.css").read_bytes()
    data = json.loads(parse(html).data_json)
    assert data == {"settings": MANIFEST["settings"], "screen": "default"}
    assert not any(t == "img" for t, _ in parse(html).tags)  # no icon unless asked


def test_custom_screens_load_their_files_and_react_when_asked() -> None:
    plain = render_installer(MANIFEST, screen=InstallerScreen("plain", css=True))[INSTALL_HTML]
    assert scripts(plain) == [
        SDK_CORE.url,
        "../assets/deskpro-installer.js",
        "../assets/install-screen/index.js",
    ]
    assert b'href="../assets/install-screen/index.css"' in plain
    assert json.loads(parse(plain).data_json)["screen"] == "custom"

    react = render_installer(MANIFEST, screen=InstallerScreen("compiled", react_globals=True))[
        INSTALL_HTML
    ]
    assert scripts(react) == [
        SDK_CORE.url,
        REACT.url,
        REACT_DOM.url,
        "../assets/deskpro-installer.js",
        "../assets/install-screen/index.js",
    ]
    assert b"install-screen/index.css" not in react


def test_text_is_escaped_and_settings_cannot_close_their_script() -> None:
    hostile = dict(
        MANIFEST,
        title="</title><script>alert(1)</script>",
        description="Tom & Jerry <b>",
        settings=[
            {
                "name": "x",
                "title": "</script><script>alert(2)</script>",
                "type": "text",
                "required": False,
                "defaultValue": "<!--",
            },
        ],
    )
    html = render_installer(hostile, icon="assets/my icon.png")[INSTALL_HTML]
    text = html.decode()

    assert "<script>alert" not in text
    assert "&lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "Tom &amp; Jerry &lt;b&gt;" in text
    assert "<!--" not in text
    tags = parse(html)
    assert json.loads(tags.data_json)["settings"] == hostile["settings"]
    assert [a["src"] for t, a in tags.tags if t == "img"] == ["../assets/my%20icon.png"]


def test_header_shows_title_version_and_description() -> None:
    html = render_installer(MANIFEST, icon="assets/icon.png")[INSTALL_HTML].decode()
    assert "<title>Install Demo</title>" in html
    assert '<h1 class="dpi-title">Demo<span class="dpi-version">v0.2.3</span></h1>' in html
    assert '<p class="dpi-description">A demo</p>' in html
    assert '<img class="dpi-icon" src="../assets/icon.png"' in html
    untitled = render_installer({"name": "bare", "appVersion": "1.0.0"})[INSTALL_HTML].decode()
    assert "<title>Install bare</title>" in untitled
    assert json.loads(parse(untitled.encode()).data_json)["settings"] == []


def test_rendering_is_deterministic() -> None:
    assert render_installer(MANIFEST) == render_installer(dict(reversed(MANIFEST.items())))


@pytest.mark.parametrize(
    "settings", [{"name": "x"}, ["x"], [{"title": "no name"}]], ids=["object", "string", "nameless"]
)
def test_malformed_settings_are_a_clear_error(settings: Any) -> None:
    with pytest.raises(CheckFailed, match="/settings must be an array") as info:
        render_installer(dict(MANIFEST, settings=settings))
    assert "deskpro validate" in (info.value.hint or "")


def test_screen_options_are_checked() -> None:
    with pytest.raises(ValueError, match="unknown installer screen kind"):
        InstallerScreen("fancy")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="no css or React"):
        InstallerScreen("default", react_globals=True)


def test_the_runtime_is_plain_browser_code_without_third_party_parts() -> None:
    js = package_file("installer", "deskpro-installer.js").read_text(encoding="utf-8")
    assert "import " not in js
    assert "require(" not in js
    assert "sourceMappingURL" not in js
    assert len(js.splitlines()) < 600
