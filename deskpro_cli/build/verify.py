"""Checking a bundle before it is packed: targets exist, pages reference files that are there.

- every local ``targets[].url`` of the resolved manifest names a file in the bundle;
- every local ``src``/``href``/``srcset``/``poster``/``data`` in the HTML pages, and every
  ``url()``/``@import`` in their ``<style>`` blocks and ``style`` attributes, resolves to a file in
  the bundle (relative to the page; ``html/`` pages reach assets as ``../assets/...``);
- ``url()``/``@import`` in the bundle's CSS files are checked too, as warnings (a missing font
  only degrades the look, and third-party CSS often names files it does not need). Only the
  lower-case spellings are recognised, as CSS is written in practice.

Remote URLs (``https:``, ``//cdn``), ``data:``, ``mailto:``, fragments and template placeholders
are not checked. A path that starts with ``/`` or climbs out of the bundle is an error: in a
helpdesk the bundle is served below ``/file.php/apps/<id>/v<version>/files/``, so neither can work.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from deskpro_cli.build.scan import unreadable
from deskpro_cli.problems import Problem, Severity, line_column

RULE_TARGET_MISSING = "DP220"  # the same rule validate applies to a built dist/ or zip
RULE_REF_MISSING = "DP521"
RULE_REF_OUTSIDE = "DP522"
RULE_CSS_REF_MISSING = "DP523"

#: pointer -> (line, column) in the manifest file, when known.
Locator = Callable[[str], "tuple[int, int] | None"]

_URL_ATTRS = {"src", "href", "poster", "data"}
# Two patterns that each start with a literal (lower case, as CSS is written in practice): the
# regex engine then finds candidates with a fast scan; one case-insensitive alternation was 10x
# slower on the benchmark's 12 MB of CSS.
_CSS_IMPORT = re.compile(r"""@import\s+(?:url\(\s*)?(["']?)([^"')\s;]+)\1""")
_CSS_URL = re.compile(r"""url\(\s*(["']?)([^"')\s]+)\1\s*\)""")
_SKIP_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


@dataclass(frozen=True)
class Reference:
    """A reference found in a page: the raw value, 1-based line and column, and the kind."""

    value: str
    line: int
    column: int
    what: str  # e.g. "<script src>", "url()"


def verify_bundle(
    files: Mapping[str, str],
    sources: Mapping[str, Path],
    manifest: Mapping[str, Any],
    *,
    manifest_file: str,
    manifest_pointer: str = "",
    locate: Locator | None = None,
) -> list[Problem]:
    """Check the bundle whose files are ``files`` (bundle path -> origin), their bytes being in
    ``sources`` (bundle path -> file on disk).

    ``manifest`` is the resolved manifest; problems about its targets point into
    ``manifest_file`` at ``manifest_pointer + "/targets/<i>/url"`` (positioned by ``locate``).
    Problems about a page name its origin (the source the user edits) and the line.
    """
    problems = _check_targets(files, manifest, manifest_file, manifest_pointer, locate)
    for name in sorted(files):
        lower = name.lower()
        if lower.endswith((".html", ".htm")):
            text = _read_text(sources[name], files[name])
            problems += _check_refs(files, name, extract_html_refs(text), "error")
        elif lower.endswith(".css"):
            text = _read_text(sources[name], files[name])
            problems += _check_refs(files, name, list(extract_css_refs(text)), "warning")
    return problems


def _read_text(path: Path, origin: str) -> str:
    try:
        return path.read_bytes().decode("utf-8", "replace")
    except OSError as exc:
        raise unreadable(origin, exc) from exc


def _check_targets(
    files: Mapping[str, str],
    manifest: Mapping[str, Any],
    manifest_file: str,
    base: str,
    locate: Locator | None,
) -> list[Problem]:
    problems = []
    targets = manifest.get("targets")
    for i, target in enumerate(targets if isinstance(targets, list) else []):
        if not isinstance(target, dict) or not isinstance(target.get("url"), str):
            continue  # the schema check reports malformed targets
        url = target["url"]
        if not is_local(url):
            continue
        pointer = f"{base}/targets/{i}/url"
        where = locate(pointer) if locate is not None else None
        resolved = resolve_ref("", url)
        if resolved is not None and resolved in files:
            continue
        name = target.get("target", "?")
        problems.append(
            Problem(
                RULE_TARGET_MISSING,
                "error",
                f"target {name} points at {url}, which is not in the bundle",
                manifest_file,
                pointer,
                where[0] if where else None,
                where[1] if where else None,
                hint=_target_hint(resolved),
            )
        )
    return problems


def _target_hint(resolved: str | None) -> str:
    if resolved is not None and resolved.startswith("html/"):
        return f"create src/main/{resolved} (src/main/html/ becomes html/ in the bundle)"
    return (
        "target URLs are relative to the zip root: pages come from src/main/html/ (as html/...), "
        "assets from src/main/resources/ (as assets/...)"
    )


def _check_refs(
    files: Mapping[str, str], page: str, refs: list[Reference], severity: Severity
) -> list[Problem]:
    origin = files[page]
    generated = origin.startswith("<")
    file = page if generated else origin
    folder = posixpath.dirname(page)
    problems = []
    for ref in refs:
        if not is_local(ref.value):
            continue
        resolved = resolve_ref(folder, ref.value)
        if resolved is None:
            problems.append(
                Problem(
                    RULE_REF_OUTSIDE,
                    "error",
                    f"{ref.what} {ref.value!r} points outside the app bundle",
                    file,
                    line=ref.line,
                    column=ref.column,
                    hint="use a path relative to the page, inside the bundle "
                    "(pages in html/ reach assets as ../assets/...)",
                )
            )
        elif resolved not in files:
            rule = RULE_REF_MISSING if severity == "error" else RULE_CSS_REF_MISSING
            problems.append(
                Problem(
                    rule,
                    severity,
                    f"{ref.what} {ref.value!r} is not in the bundle (looked for {resolved})",
                    file,
                    line=ref.line,
                    column=ref.column,
                    hint=_ref_hint(resolved),
                )
            )
    return problems


def _ref_hint(resolved: str) -> str:
    if resolved.startswith("assets/"):
        return f"add src/main/resources/{resolved[len('assets/') :]}, or fix the path"
    if resolved.startswith("html/"):
        return f"add src/main/{resolved}, or fix the path"
    return "fix the path: the bundle holds html/, assets/, docs/ and manifest.json"


def is_local(url: str) -> bool:
    """Whether a reference names a file of the bundle (not remote, data, a fragment...)."""
    value = url.strip()
    if not value or value.startswith(("#", "//", "{{", "{%", "${", "<%")):
        return False
    return not _SKIP_SCHEME.match(value)


def resolve_ref(folder: str, url: str) -> str | None:
    """The bundle path a local reference from a file in ``folder`` names, or None when it
    starts with ``/`` or climbs out of the bundle. Query and fragment are dropped."""
    path = unquote(urlsplit(url.strip()).path)
    if path.startswith("/"):
        return None
    joined = posixpath.normpath(posixpath.join(folder, path)) if path else folder
    if joined == ".." or joined.startswith("../"):
        return None
    return joined


class _RefParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.refs: list[Reference] = []
        self._in_style = False
        self._style_pos = (1, 0)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        line, col = self.getpos()
        for key, value in attrs:
            if value is None:
                continue
            if key in _URL_ATTRS:
                self.refs.append(Reference(value, line, col + 1, f"<{tag} {key}>"))
            elif key == "srcset":
                for candidate in value.split(","):
                    url = candidate.strip().split(" ")[0]
                    if url:
                        self.refs.append(Reference(url, line, col + 1, f"<{tag} srcset>"))
            elif key == "style":
                for ref in extract_css_refs(value):
                    self.refs.append(Reference(ref.value, line, col + 1, ref.what))
        if tag == "style":
            self._in_style = True
            self._style_pos = self.getpos()

    def handle_endtag(self, tag: str) -> None:
        if tag == "style":
            self._in_style = False

    def handle_data(self, data: str) -> None:
        if not self._in_style:
            return
        line, col = self.getpos()
        for ref in extract_css_refs(data):
            ref_col = ref.column + (col if ref.line == 1 else 0)
            self.refs.append(Reference(ref.value, line + ref.line - 1, ref_col, ref.what))


def extract_html_refs(text: str) -> list[Reference]:
    """Every URL-bearing attribute and inline-CSS reference of an HTML page, with positions."""
    parser = _RefParser()
    parser.feed(text)
    parser.close()
    return parser.refs


def extract_css_refs(text: str) -> Iterator[Reference]:
    """``@import`` and ``url()`` references of a style sheet, in order, with 1-based positions."""
    found = [(m.start(2), m.group(2), "@import") for m in _CSS_IMPORT.finditer(text)]
    imported = {start for start, _, _ in found}
    found += [
        (m.start(2), m.group(2), "url()")
        for m in _CSS_URL.finditer(text)
        if m.start(2) not in imported  # @import url(x) is one reference
    ]
    for start, value, what in sorted(found):
        line, column = line_column(text, start)
        yield Reference(value, line, column, what)
