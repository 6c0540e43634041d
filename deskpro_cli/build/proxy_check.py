"""The app's code against its manifest: proxied requests and ``{{placeholder}}`` names.

An app reaches other services through the helpdesk's proxy (``dpapp.restApi.fetchCORS(url,
init)`` or ``fetchProxy``). The proxy refuses every URL no whitelist entry admits, and replaces
``{{name}}`` in the request with the stored value of the storage item or setting ``name``; a
placeholder naming nothing is sent as it is. Both mistakes show only at run time, in the
helpdesk, as a failed request. This step finds them in the app's own code, as warnings:

- DP540: a ``fetchCORS``/``fetchProxy`` call whose URL the whitelist does not admit. The URL is
  read from the call's first argument when it starts with a string or template literal, or
  with a name given a string constant in the same file (``var API = "https://..."``, then
  ``fetchCORS(API + path)``). Anything else (a URL built elsewhere) is not guessed at.
- DP541: a ``{{name}}`` that names no storage item or setting, when ``name`` looks like one
  (it has a ``:``, as ``oauth:github:tokens`` does, or is close to a declared name): a typo.

The code read is the user's own: the pages and scripts copied from ``src/``, and the sources of
compiled code: the project files esbuild's metafile says the bundles hold (not ``node_modules``,
not esbuild's output), so code shared from ``src/common/`` is read too; when that list is not
known (a unit restored from an older cache record), the files under ``src/*/javascript/``.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import urlsplit

from deskpro_cli.build.jslex import CODE, STRING, Regions
from deskpro_cli.manifest.model import whitelist_key
from deskpro_cli.manifest.suggest import closest
from deskpro_cli.manifest.whitelist import (
    SlowRegex,
    WhitelistEntry,
    WhitelistError,
    hosts_in_text,
    parse_literal,
)
from deskpro_cli.problems import Problem, line_column

__all__ = ["RULE_PLACEHOLDER", "RULE_PROXY_URL", "proxy_problems"]

RULE_PROXY_URL = "DP540"
RULE_PLACEHOLDER = "DP541"

_PAGE_OR_SCRIPT = (".js", ".mjs", ".cjs", ".html", ".htm")
_SOURCE = (".js", ".jsx", ".ts", ".tsx", ".mjs", ".cjs", ".mts", ".cts")
_COMPILED_ROOTS = ("src/main/javascript", "src/installer/javascript")
# tests, mocks, stories and type declarations sit beside the sources but never reach the bundle
_NOT_BUNDLED = ("node_modules", "__tests__", "__mocks__", "__fixtures__")
_NOT_BUNDLED_FILE = re.compile(r"^\.|\.(?:test|spec|stories)\.[^.]+$|\.d\.[mc]?ts$", re.IGNORECASE)
_MAX_BYTES = 4 * 1024 * 1024  # larger files are vendored libraries, not the app's own code

_CALL = re.compile(r"\b(fetchCORS|fetchProxy)\s*\(\s*")
_STRING = re.compile(r"""(["'])((?:\\.|(?!\1)[^\\\n])*)\1""")
_TEMPLATE_PART = re.compile(r"(?:\\.|[^`\\$]|\$(?!\{))*")
_IDENT = re.compile(r"[A-Za-z_$][\w$]*")
_INTERPOLATED_NAME = re.compile(r"\$\{\s*([A-Za-z_$][\w$]*)\s*\}")
_MINIFIED_LINE = 1000  # characters: no one writes a line this long by hand
_FUNCTION_BEFORE = re.compile(r"\bfunction\s*\*?\s*$")
_TYPED_PARAMETER = re.compile(r"[A-Za-z_$][\w$]*\??\s*:")
_PLACEHOLDER = re.compile(r"\{\{([A-Za-z_][\w.:-]*)\}\}")


class _Url(NamedTuple):
    """The start of a proxied request's URL as the code writes it."""

    text: str
    whole: bool  # a whole string literal or constant (else it stops at an interpolation)
    complete: bool  # the whole URL (else a prefix the code adds to)
    offset: int  # where the call's argument starts in the file
    after: int = -1  # where the argument goes on after a whole literal or name (-1: unknown)


def proxy_problems(
    project: Path,
    origins: Mapping[str, str],
    sources: Mapping[str, Path],
    manifest: Mapping[str, Any],
    *,
    compiled: bool,
    compiled_sources: Sequence[str] = (),
) -> list[Problem]:
    """DP540/DP541 warnings for the app's own code (see the module docstring).

    ``compiled_sources``: the project-relative sources the compiled bundles hold, when known.
    """
    entries = _whitelist(manifest)
    declared = _declared_names(manifest)
    key = whitelist_key(str(manifest.get("version", "")))
    problems: list[Problem] = []
    own = _own_code(project, origins, sources, compiled=compiled, known=compiled_sources)
    for shown, path in own:
        text = _read(path)
        if text is None:
            continue
        regions = _Lazy(text, html=shown.lower().endswith((".html", ".htm")))
        if "fetch" in text:
            problems += _url_problems(text, regions, shown, entries, key)
        if "{{" in text:
            problems += _placeholder_problems(text, regions, shown, declared)
    _constant.cache_clear()  # holds the files' texts
    return problems


class _Lazy:
    """The file's :class:`Regions`, scanned only once a call or placeholder is found in it."""

    __slots__ = ("_html", "_regions", "_text")

    def __init__(self, text: str, *, html: bool) -> None:
        self._text, self._html = text, html
        self._regions: Regions | None = None

    def kind(self, offset: int) -> str:
        if self._regions is None:
            self._regions = Regions(self._text, html=self._html)
        return self._regions.kind(offset)


# -- what to read -----------------------------------------------------------------------------
def _own_code(
    project: Path,
    origins: Mapping[str, str],
    sources: Mapping[str, Path],
    *,
    compiled: bool,
    known: Sequence[str] = (),
) -> Iterator[tuple[str, Path]]:
    """(project-relative name, path) of every page or script of the user's own code."""
    for name, origin in sorted(origins.items()):
        if origin.startswith("<") or not name.lower().endswith(_PAGE_OR_SCRIPT):
            continue
        yield origin, sources[name]
    if not compiled:
        return
    if known:
        for rel in sorted(set(known)):
            if rel.lower().endswith(_SOURCE):
                yield rel, project / rel
        return
    for root in _COMPILED_ROOTS:
        top = project / root
        for folder, dirs, files in os.walk(top):
            dirs[:] = sorted(d for d in dirs if d not in _NOT_BUNDLED and not d.startswith("."))
            for file in sorted(files):
                if file.lower().endswith(_SOURCE) and not _NOT_BUNDLED_FILE.search(file):
                    path = Path(folder, file)
                    yield path.relative_to(project).as_posix(), path


def _read(path: Path) -> str | None:
    """The file's text when it may hold a proxied call or a placeholder, else None."""
    try:
        if path.stat().st_size > _MAX_BYTES:
            return None
        data = path.read_bytes()
    except OSError:
        return None  # the assemble and scan steps report unreadable files
    if b"fetch" not in data and b"{{" not in data:
        return None  # most files: no need to decode them
    # utf-8-sig: a byte-order mark is not a column of the first line
    return data.decode("utf-8-sig", errors="replace")


def _whitelist(manifest: Mapping[str, Any]) -> list[WhitelistEntry]:
    """The entries the helpdesk reads (an unreadable one stops the build before this step)."""
    raw = manifest.get(whitelist_key(str(manifest.get("version", ""))))
    entries: list[WhitelistEntry] = []
    for literal in raw if isinstance(raw, list) else []:
        try:
            entries.append(parse_literal(literal))
        except (WhitelistError, TypeError):
            continue
    return entries


def _declared_names(manifest: Mapping[str, Any]) -> list[str]:
    names: list[str] = []
    for key in ("storage", "state", "settings"):
        items = manifest.get(key)
        for item in items if isinstance(items, list) else []:
            name = item.get("name") if isinstance(item, dict) else None
            if isinstance(name, str) and name not in names:
                names.append(name)
    return names


# -- proxied URLs -----------------------------------------------------------------------------
def _url_problems(
    text: str, regions: _Lazy, shown: str, entries: list[WhitelistEntry], key: str
) -> list[Problem]:
    problems: list[Problem] = []
    seen: set[str] = set()
    for call in _CALL.finditer(text):
        if regions.kind(call.start()) != CODE or _defines(text, call):
            continue  # commented out, quoted, or the definition of such a method
        url = _argument_url(text, call.end())
        if url is None:
            continue
        host = _host(text, url)
        if host is None or host in seen:
            continue
        verdict = _admitted(entries, url, host)
        if verdict is not False:
            continue
        seen.add(host)
        line, column = line_column(text, url.offset)
        shown_url = url.text if url.complete else url.text + "..."
        https = url.text.lower().startswith("https://")
        hint = (
            f"`deskpro domains add {host}`"
            if https
            else "call the https:// URL (`deskpro domains add HOST` admits https only), or add "
            "a /regex/ that admits this one"
        )
        problems.append(
            Problem(
                RULE_PROXY_URL,
                "warning",
                f"{call.group(1)}({shown_url}) goes through the helpdesk's proxy, which will "
                f"refuse it: no entry of {key} admits {host}",
                shown,
                line=line,
                column=column,
                hint=hint,
            )
        )
    return problems


def _defines(text: str, call: re.Match[str]) -> bool:
    """Whether ``call`` is the method's definition, not a call: ``function fetchCORS(url)``,
    ``fetchCORS(url, init) {`` in a class, or a TypeScript signature ``fetchCORS(url: string)``."""
    if _FUNCTION_BEFORE.search(text, max(0, call.start() - 20), call.start()):
        return True
    if _TYPED_PARAMETER.match(text, call.end()):
        return True
    depth = 0
    for i in range(text.index("(", call.start()), min(len(text), call.end() + 400)):
        char = text[i]
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return text[i + 1 : i + 41].lstrip()[:1] == "{"
    return False


def _argument_url(text: str, at: int) -> _Url | None:
    """The URL (or its start) the argument at ``at`` gives, when the code says it plainly."""
    head = text[at : at + 1]
    if head in ("'", '"'):
        m = _STRING.match(text, at)
        if m is None:
            return None
        return _Url(_unescape(m.group(2)), True, _ends_argument(text, m.end()), at, m.end())
    if head == "`":
        part = _TEMPLATE_PART.match(text, at + 1)
        assert part is not None  # the pattern matches the empty string
        literal, end = part.group(0), part.end()
        if literal == "":
            name = _INTERPOLATED_NAME.match(text, end)
            constant = _constant(text, name.group(1)) if name else None
            if name is None or constant is None:
                return None
            rest = _TEMPLATE_PART.match(text, name.end())
            assert rest is not None
            closed = constant.whole and text[rest.end() : rest.end() + 1] == "`"
            complete = closed and _ends_argument(text, rest.end() + 1)
            return _Url(_unescape(constant.text + rest.group(0)), closed, complete, at)
        closed = text[end : end + 1] == "`"
        return _Url(_unescape(literal), closed, closed and _ends_argument(text, end + 1), at)
    m = _IDENT.match(text, at)
    if m is None:
        return None
    constant = _constant(text, m.group(0))
    if constant is None:
        return None
    complete = constant.whole and _ends_argument(text, m.end())
    return _Url(constant.text, constant.whole, complete, at, m.end())


@functools.lru_cache(maxsize=64)  # the same name in every call of a file: one search of it
def _constant(text: str, name: str) -> _Url | None:
    """The string a ``const``/``let``/``var`` of this file gives ``name``, when it is a literal
    and the only value the file gives that name: a name assigned twice (``let`` changed later,
    a parameter's default, another function's variable) or declared on a minified line (where
    ``e`` is a different variable in every function) is not guessed at."""
    name_re = re.escape(name)
    decl = re.search(r"\b(?:const|let|var)\s+" + name_re + r"\s*(?::\s*string\s*)?=\s*", text)
    if decl is None:
        return None
    if len(re.findall(r"(?<![\w$.])" + name_re + r"\s*(?::\s*string\s*)?=(?![=>])", text)) > 1:
        return None
    line_start = text.rfind("\n", 0, decl.start()) + 1
    line_end = text.find("\n", decl.start())
    if (line_end if line_end >= 0 else len(text)) - line_start > _MINIFIED_LINE:
        return None
    value = _argument_url(text, decl.end())
    if value is None or text[decl.end() : decl.end() + 1] not in ("'", '"', "`"):
        return None
    return value


def _ends_argument(text: str, at: int) -> bool:
    rest = text[at : at + 40].lstrip()
    return rest[:1] in (",", ")")


def _unescape(literal: str) -> str:
    return literal.replace("\\/", "/")


def _host(code: str, url: _Url) -> str | None:
    """The host the URL goes to, or None when it is not an absolute http(s) URL whose host
    the code (the file's text) spells out in full."""
    text = url.text
    scheme, sep, rest = text.partition("://")
    if not sep or scheme.lower() not in ("http", "https"):
        return None
    authority_ends = any(c in rest for c in "/?#")
    if not url.complete and not authority_ends and not (url.whole and _host_ends(code, url)):
        return None  # `https://api.${region}.example.com`: the host is not all there
    try:
        host = urlsplit(text).hostname
    except ValueError:
        return None
    if not host or host.endswith((".", "-")) or "$" in host or "{" in host:
        return None
    return host


def _host_ends(text: str, url: _Url) -> bool:
    """For a whole literal the code adds to, whether its host is all there: ``API + path`` and
    ``'https://api.x.com' + '/user'`` yes; ``'https://api' + env + '.x.com'`` no."""
    host = url.text.partition("://")[2].rpartition("@")[2].partition(":")[0].lower()
    if "." not in host and host != "localhost":
        return False  # `'https://api' + suffix`: a host without a dot is a host cut short
    rest = text[url.after : url.after + 80].lstrip() if url.after >= 0 else ""
    if rest[:1] == "+":
        piece = rest[1:].lstrip()
        if piece[:1] in ("'", '"', "`"):
            return piece[1:2] in ("/", "?", "#", ":", piece[:1])
    return True


def _admitted(entries: list[WhitelistEntry], url: _Url, host: str) -> bool | None:
    """True when an entry admits the URL, or for a prefix the code adds to, when an entry names
    its host (it may admit only the paths the code goes on to add); False when none does; None
    when only an entry too slow to run might."""
    unknown = False
    target = url.text if "/" in url.text.partition("://")[2] else url.text + "/"
    for entry in entries:
        try:
            if entry.admits(target) or entry.admits(url.text):
                return True
        except SlowRegex:
            unknown = True
            continue
        if not url.complete and host in hosts_in_text(entry.pattern):
            return True
    return None if unknown else False


# -- placeholders -----------------------------------------------------------------------------
def _placeholder_problems(
    text: str, regions: _Lazy, shown: str, declared: list[str]
) -> list[Problem]:
    problems: list[Problem] = []
    seen: set[str] = set()
    for m in _PLACEHOLDER.finditer(text):
        name = m.group(1)
        if name in declared or name in seen or regions.kind(m.start()) != STRING:
            continue  # a request's placeholder is in a string, not a comment or JSX's style={{}}
        meant = closest(name, declared, cutoff=0.85) if declared else None
        if meant is None and not name.startswith("oauth:"):
            continue  # a template's {{field}} or {{hh:mm}}, most likely, not a placeholder
        seen.add(name)
        line, column = line_column(text, m.start())
        message = (
            f"placeholder {m.group(0)} names no storage item or setting, so the helpdesk's "
            "proxy sends it as it is"
        )
        if meant is not None:
            message += f" (did you mean {{{{{meant}}}}}?)"
            hint = f"write {{{{{meant}}}}}"
        else:
            hint = f"declare it (`deskpro storage add {name}`), or fix the name"
        problems.append(
            Problem(
                RULE_PLACEHOLDER, "warning", message, shown, line=line, column=column, hint=hint
            )
        )
    return problems
