"""What each template contains: the GitHub integration's manifest, the whitelist, the icon."""

from __future__ import annotations

import json
import re
import struct
import zlib
from pathlib import Path

import pytest

from deskpro_cli import scaffold
from deskpro_cli.resources import data_dir

ANSWERS = scaffold.Answers("gh-app", "GH", "Lists repositories", "Ada", "ada@example.com")


def github_manifest() -> dict:  # type: ignore[type-arg]
    package = json.loads(scaffold.project_files("github-oauth", ANSWERS)["package.json"])
    return package["deskpro"]  # type: ignore[no-any-return]


def test_github_oauth_storage_items_are_exactly_the_guides() -> None:
    assert github_manifest()["storage"] == [
        {
            "name": "oauth:github",
            "isBackendOnly": True,
            "permRead": "EVERYBODY",
            "permWrite": "OWNER",
        },
        {
            "name": "oauth:github:tokens",
            "isBackendOnly": True,
            "permRead": "OWNER",
            "permWrite": "OWNER",
        },
    ]


def test_github_oauth_settings_with_a_backend_only_secret() -> None:
    settings = github_manifest()["settings"]
    assert [s["name"] for s in settings] == [
        "githubClientId",
        "githubClientSecret",
        "githubCallbackURL",
    ]
    for setting in settings:
        assert setting["type"] == "text"
        assert setting["required"] is True
        assert setting["defaultValue"] == ""
        assert setting.get("isBackendOnly", False) is (setting["name"] == "githubClientSecret")


def _regex(literal: str) -> re.Pattern[str]:
    """A manifest whitelist entry (a JavaScript regex literal) as a Python pattern."""
    assert literal.startswith("/") and literal.endswith("/"), literal
    return re.compile(literal[1:-1])


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("https://github.com/login/oauth/access_token", True),
        ("https://github.com/login/oauth/authorize?client_id=x", True),
        ("https://github.com", True),
        ("https://github.com:443/login", True),
        ("https://api.github.com/user", True),
        ("https://api.github.com/search/users?q=a%40b.c+in%3Aemail", True),
        ("https://api.github.com/users/octocat/repos?sort=updated", True),
        ("https://github.com.attacker.example/", False),
        ("https://api.github.com.attacker.example/user", False),
        ("https://githubXcom/", False),
        ("https://api.githubXcom/", False),
        ("https://evilgithub.com/", False),
        ("https://gist.github.com/", False),
        ("http://api.github.com/user", False),
        ("https://attacker.example/?https://api.github.com/", False),
        ("https://github.com@attacker.example/", False),
    ],
)
def test_whitelist_anchors_the_host_and_escapes_dots(url: str, allowed: bool) -> None:
    patterns = [_regex(p) for p in github_manifest()["externalApis"]]
    assert any(p.search(url) for p in patterns) is allowed


def test_whitelist_entries_are_what_domains_add_writes() -> None:
    from deskpro_cli.manifest import literal_for_host

    assert github_manifest()["externalApis"] == [
        literal_for_host("github.com"),
        literal_for_host("api.github.com"),
    ]


def test_the_guides_whitelist_really_had_the_hole() -> None:
    guide = _regex("/^https?://([^.]+\\.)*github.com/?.*$/")
    assert guide.search("https://github.com.attacker.example/")


def test_other_templates_call_no_outside_service() -> None:
    for template in ("vanilla", "react"):
        package = json.loads(scaffold.project_files(template, ANSWERS)["package.json"])
        assert package["deskpro"]["externalApis"] == []
        assert package["deskpro"]["storage"] == []


def test_github_sidebar_uses_the_proxy_and_the_token_placeholder() -> None:
    files = scaffold.project_files("github-oauth", ANSWERS)
    app = files["src/main/resources/app.js"].decode()
    assert "restApi.fetchCORS(" in app
    assert "'token {{' + TOKEN_STORAGE + '}}'" in app
    assert "var TOKEN_STORAGE = 'oauth:github:tokens';" in app
    assert "https://api.github.com" in app
    assert "'/user'" in app and "/search/users?q=" in app and "/repos?" in app
    assert "requestAccess(PROVIDER" in app
    screen = files["src/installer/resources/index.js"].decode()
    for call in (
        "window.DeskproInstaller.registerScreen({ mount: mount })",
        ".settings(PROVIDER)",
        ".register(PROVIDER, connection)",
        ".requestAccess(PROVIDER, { protocolVersion: '2.0' })",
        "props.finishInstall(masked)",
        "result.onStatus()",
    ):
        assert call in screen, call


# -- the icon -----------------------------------------------------------------------------------
ICON = data_dir("boilerplate") / "src" / "main" / "resources" / "icon.png"


def _chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    chunks = []
    pos = 8
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        body = data[pos + 8 : pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length : pos + 12 + length])
        assert crc == zlib.crc32(kind + body) & 0xFFFFFFFF, kind
        chunks.append((kind, body))
        pos += 12 + length
    return chunks


def test_icon_is_a_valid_64px_rgba_png() -> None:
    chunks = _chunks(ICON.read_bytes())
    assert [k for k, _ in chunks] == [b"IHDR", b"IDAT", b"IEND"]
    width, height, depth, colour = struct.unpack(">IIBB", chunks[0][1][:10])
    assert (width, height, depth, colour) == (64, 64, 8, 6)
    pixels = zlib.decompress(chunks[1][1])
    assert len(pixels) == 64 * (1 + 64 * 4)
    # transparent corner, opaque blue middle, some white glyph
    row = lambda y: pixels[y * 257 + 1 : (y + 1) * 257]  # noqa: E731
    assert row(0)[3] == 0
    assert row(32)[4 * 5 + 3] == 255
    assert any(row(y)[x * 4 : x * 4 + 3] == b"\xff\xff\xff" for y in range(64) for x in range(64))


def test_icon_is_what_the_script_draws() -> None:
    import importlib.util

    script = Path(__file__).with_name("make_icon.py")
    spec = importlib.util.spec_from_file_location("make_icon", script)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.draw() == ICON.read_bytes()
