"""Bundle checks: targets exist and pages reference files that are in the bundle."""

from __future__ import annotations

from pathlib import Path

import pytest

from deskpro_cli.build.verify import (
    extract_css_refs,
    extract_html_refs,
    is_local,
    resolve_ref,
    verify_bundle,
)

INDEX = """\
<!DOCTYPE html>
<html>
<head>
  <link rel="stylesheet" href="../assets/main.css">
  <link rel="preconnect" href="https://cdn.jsdelivr.net">
  <style>
    @import "../assets/theme.css";
    body { background: url('../assets/bg.png'); }
  </style>
  <script src="https://cdn.jsdelivr.net/npm/x.js" integrity="sha384-x"></script>
</head>
<body>
  <img src="../assets/icon.png?v=2#x" srcset="../assets/icon.png 1x, ../assets/icon@2x.png 2x">
  <a href="#top">top</a> <a href="mailto:a@b.c">mail</a> <a href="other.html">other</a>
  <div style="background-image: url(../assets/missing.png)"></div>
  <script src="../assets/main.js"></script>
</body>
</html>
"""


def bundle(root: Path, files: dict[str, str], origins: dict[str, str] | None = None):
    for name, text in files.items():
        path = root.joinpath(*name.split("/"))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    out = {name: f"src/{name}" for name in files}
    out.update(origins or {})
    return out, {name: root.joinpath(*name.split("/")) for name in out}


def manifest(*urls: str) -> dict:
    return {"targets": [{"target": f"t{i}", "url": u} for i, u in enumerate(urls)]}


def test_html_refs_with_positions():
    refs = [(r.value, r.line, r.what) for r in extract_html_refs(INDEX)]
    assert refs == [
        ("../assets/main.css", 4, "<link href>"),
        ("https://cdn.jsdelivr.net", 5, "<link href>"),
        ("../assets/theme.css", 7, "@import"),
        ("../assets/bg.png", 8, "url()"),
        ("https://cdn.jsdelivr.net/npm/x.js", 10, "<script src>"),
        ("../assets/icon.png?v=2#x", 13, "<img src>"),
        ("../assets/icon.png", 13, "<img srcset>"),
        ("../assets/icon@2x.png", 13, "<img srcset>"),
        ("#top", 14, "<a href>"),
        ("mailto:a@b.c", 14, "<a href>"),
        ("other.html", 14, "<a href>"),
        ("../assets/missing.png", 15, "url()"),
        ("../assets/main.js", 16, "<script src>"),
    ]


def test_css_refs_positions():
    css = 'a{}\n@import url("x.css");\n.b { src: url(../f.woff2) format("woff2") }\n'
    assert [(r.value, r.line, r.column) for r in extract_css_refs(css)] == [
        ("x.css", 2, 14),
        ("../f.woff2", 3, 15),
    ]


@pytest.mark.parametrize(
    ("url", "local"),
    [
        ("../assets/a.js", True),
        ("a.js", True),
        ("/abs.js", True),
        ("https://x/y.js", False),
        ("//cdn/x.js", False),
        ("data:image/png;base64,xx", False),
        ("#frag", False),
        ("", False),
        ("{{ url }}", False),
        ("javascript:void(0)", False),
    ],
)
def test_is_local(url, local):
    assert is_local(url) is local


@pytest.mark.parametrize(
    ("folder", "url", "resolved"),
    [
        ("html", "../assets/a.js", "assets/a.js"),
        ("html", "x/../b.html?q=1#f", "html/b.html"),
        ("html", "my%20file.png", "html/my file.png"),
        ("", "html/index.html", "html/index.html"),
        ("html", "../../etc/passwd", None),
        ("html", "/assets/a.js", None),
    ],
)
def test_resolve_ref(folder, url, resolved):
    assert resolve_ref(folder, url) == resolved


def test_verify_reports_missing_refs_with_source_file_and_line(tmp_path):
    files, paths = bundle(
        tmp_path,
        {
            "html/index.html": INDEX,
            "html/other.html": "<p>",
            "assets/main.css": "@font-face { src: url(fonts/gone.woff2) }",
            "assets/theme.css": "",
            "assets/bg.png": "",
            "assets/icon.png": "",
            "assets/icon@2x.png": "",
            "assets/main.js": "",
        },
    )
    problems = verify_bundle(
        files, paths, manifest("html/index.html"), manifest_file="package.json"
    )
    got = [(p.rule, p.severity, p.file, p.line, p.message) for p in problems]
    assert got == [
        (
            "DP523",
            "warning",
            "src/assets/main.css",
            1,
            "url() 'fonts/gone.woff2' is not in the bundle (looked for assets/fonts/gone.woff2)",
        ),
        (
            "DP521",
            "error",
            "src/html/index.html",
            15,
            "url() '../assets/missing.png' is not in the bundle (looked for assets/missing.png)",
        ),
    ]
    assert problems[1].hint == "add src/main/resources/missing.png, or fix the path"


def test_verify_targets_with_pointer_and_position(tmp_path):
    files, paths = bundle(tmp_path, {"html/index.html": "<p>"})
    locate = {"/deskpro/targets/1/url": (12, 20)}.get
    problems = verify_bundle(
        files,
        paths,
        manifest("html/index.html", "html/sidebar.html", "https://example.com/app"),
        manifest_file="package.json",
        manifest_pointer="/deskpro",
        locate=locate,
    )
    [p] = problems
    assert (p.rule, p.file, p.pointer, p.line, p.column) == (
        "DP220",
        "package.json",
        "/deskpro/targets/1/url",
        12,
        20,
    )
    assert p.message == "target t1 points at html/sidebar.html, which is not in the bundle"
    assert (
        p.hint == "create src/main/html/sidebar.html (src/main/html/ becomes html/ in the bundle)"
    )


def test_absolute_and_escaping_refs_are_errors_and_generated_pages_named_by_bundle_path(tmp_path):
    page = '<script src="/assets/a.js"></script>\n<img src="../../x.png">'
    origins = {"html/install.html": "<installer>"}
    files, paths = bundle(tmp_path, {"html/install.html": page}, origins)
    problems = verify_bundle(files, paths, manifest(), manifest_file="package.json")
    assert [(p.rule, p.file, p.line) for p in problems] == [
        ("DP522", "html/install.html", 1),
        ("DP522", "html/install.html", 2),
    ]
