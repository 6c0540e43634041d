"""Request paths to files: what is refused, what is found, and content types (no server)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from deskpro_cli.devserver.pages import inject_reload
from deskpro_cli.devserver.paths import content_type, request_segments, resolve_file


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("/", []),
        ("/manifest.json", ["manifest.json"]),
        ("/v1.0.0/files/html/index.html?x=1#top", ["v1.0.0", "files", "html", "index.html"]),
        ("/v1.0.0/files/assets/a%20b.png", ["v1.0.0", "files", "assets", "a b.png"]),
        ("/v1.0.0/files/assets/caf%C3%A9.css", ["v1.0.0", "files", "assets", "café.css"]),
    ],
)
def test_plain_paths_decode(raw: str, expected: list[str]) -> None:
    assert request_segments(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "/../etc/passwd",
        "/v1/files/../../secret",
        "/v1/files/%2e%2e/%2e%2e/secret",
        "/v1/files/%2E%2E%2Fsecret",
        "/v1/files/..%2fsecret",
        "/v1/files/%252e%252e/secret",  # double-encoded
        "/v1/files/%252fetc",
        "/v1/files/..\\secret",
        "/v1/files/%5c..%5csecret",
        "/v1/files/a/./b",
        "/v1/files//etc/passwd",
        "/v1/files/html/",
        "/.deskpro-serve/build-1/out/manifest.json",
        "/.gitkeep",
        "/v1/files/a%00.html",
        "/v1/files/%ff.html",  # not UTF-8
        "/v1/files/C:/windows",
        "http://evil.example/manifest.json",
        "manifest.json",
        "*",
    ],
)
def test_dangerous_paths_are_refused(raw: str) -> None:
    assert request_segments(raw) is None


def test_resolve_stays_inside_root(tmp_path: Path) -> None:
    root = tmp_path / "target"
    (root / "v1" / "files").mkdir(parents=True)
    (root / "v1" / "files" / "ok.txt").write_text("ok")
    (tmp_path / "secret.txt").write_text("secret")
    os.symlink(tmp_path / "secret.txt", root / "v1" / "files" / "escape.txt")
    os.symlink(tmp_path, root / "v1" / "files" / "up")
    os.symlink(root / "v1" / "files" / "ok.txt", root / "v1" / "files" / "inside.txt")
    real = Path(os.path.realpath(root))

    assert resolve_file(real, ["v1", "files", "ok.txt"]) == real / "v1" / "files" / "ok.txt"
    assert resolve_file(real, ["v1", "files", "inside.txt"]) == real / "v1" / "files" / "ok.txt"
    assert resolve_file(real, ["v1", "files", "escape.txt"]) is None
    assert resolve_file(real, ["v1", "files", "up", "secret.txt"]) is None
    assert resolve_file(real, ["v1", "files"]) is None  # a folder
    assert resolve_file(real, ["v1", "files", "missing.txt"]) is None


@pytest.mark.parametrize(
    ("name", "ctype"),
    [
        ("index.html", "text/html; charset=utf-8"),
        ("main.js", "text/javascript; charset=utf-8"),
        ("main.css", "text/css; charset=utf-8"),
        ("manifest.json", "application/json"),
        ("main.js.map", "application/json"),
        ("icon.svg", "image/svg+xml"),
        ("icon.PNG", "image/png"),
        ("font.woff2", "font/woff2"),
        ("ADMIN_README.md", "text/markdown; charset=utf-8"),
        ("blob.unknownext", "application/octet-stream"),
    ],
)
def test_content_types(name: str, ctype: str) -> None:
    assert content_type(name) == ctype


def test_reload_script_goes_before_the_last_body_end() -> None:
    page = b"<html><body><p>&lt;/body&gt;</p><script>'</body>'</script></BODY ></html>"
    out = inject_reload(page, 7, "0a1b")
    assert out.count(b"/__deskpro/reload.js") == 1
    assert out.endswith(b'data-run="0a1b" data-build="7"></script></BODY ></html>')
    assert inject_reload(b"<p>fragment", 2, "0a1b").endswith(b'data-build="2"></script>')
