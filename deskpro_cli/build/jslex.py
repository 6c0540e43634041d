"""Which parts of a script (or of a page's inline scripts) are code, comments or string literals.

Not a parser: one regular expression finds, left to right, the comments, string and template
literals and (after a character that cannot end an operand) regular expression literals, so
that a ``//`` inside a string is not taken for a comment, nor a quote inside a comment for a
string. Good enough to tell the code checks (:mod:`deskpro_cli.build.proxy_check`) that a
``fetchCORS(...)`` is commented out or only quoted, or that a ``{{name}}`` sits in a string
the code may send and not in JSX's ``style={{margin:0}}``. Known blind spots, where the guess
may be wrong: a regex literal after ``return``, nested template literals inside ``${}``, an
apostrophe in JSX text followed by a quote on the same line.

In an HTML page only the inline ``<script>`` elements of a JavaScript type are code; the rest
(markup, ``<!-- -->``, templates in ``<script type="text/x-template">``) is :data:`MARKUP`.
"""

from __future__ import annotations

import bisect
import re
from typing import Literal

__all__ = ["CODE", "COMMENT", "MARKUP", "REGEX", "STRING", "Regions"]

Kind = Literal["code", "comment", "string", "regex", "markup"]
CODE: Kind = "code"
COMMENT: Kind = "comment"
STRING: Kind = "string"
REGEX: Kind = "regex"
MARKUP: Kind = "markup"

_TOKEN = re.compile(
    r"(?P<comment>//[^\n]*|/\*.*?(?:\*/|\Z))"
    r"|(?P<string>'(?:\\.|[^'\\\n])*'|\"(?:\\.|[^\"\\\n])*\"|`(?:\\.|[^`\\])*`)"
    # a regex literal: only where an operand starts, so `a / b / c` stays a division
    r"|(?P<regex>(?<=[(,=:\[!&|?{};])[ \t]*/(?![*/])(?:\\.|\[(?:\\.|[^\]\\\n])*\]|[^/\\\n\[])+/)",
    re.DOTALL,
)
_KINDS: dict[str, Kind] = {"comment": COMMENT, "string": STRING, "regex": REGEX}
_SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script\s*>", re.IGNORECASE | re.DOTALL)
_TYPE = re.compile(r"""\btype\s*=\s*["']?([^"'\s>]+)""", re.IGNORECASE)
_SRC = re.compile(r"\bsrc\s*=", re.IGNORECASE)
_JS_TYPES = frozenset(
    (
        "text/javascript",
        "application/javascript",
        "module",
        "text/babel",
        "text/jsx",
        "application/x-javascript",
        "text/ecmascript",
        "application/ecmascript",
    )
)


class Regions:
    """The comments, strings and markup of one file's text; everything else is code."""

    __slots__ = ("_ends", "_kinds", "_starts")

    def __init__(self, text: str, *, html: bool = False) -> None:
        self._starts: list[int] = []
        self._ends: list[int] = []
        self._kinds: list[Kind] = []
        if not html:
            self._scan(text, 0, len(text))
            return
        at = 0
        for script in _SCRIPT.finditer(text):
            attrs = script.group(1)
            kind = _TYPE.search(attrs)
            if _SRC.search(attrs) or (kind is not None and kind.group(1).lower() not in _JS_TYPES):
                continue  # loads a file, or holds a template or data, not code
            self._add(at, script.start(2), MARKUP)
            self._scan(text, script.start(2), script.end(2))
            at = script.end(2)
        self._add(at, len(text), MARKUP)

    def _add(self, start: int, end: int, kind: Kind) -> None:
        if end > start:
            self._starts.append(start)
            self._ends.append(end)
            self._kinds.append(kind)

    def _scan(self, text: str, start: int, end: int) -> None:
        for m in _TOKEN.finditer(text, start, end):
            self._add(m.start(), m.end(), _KINDS[m.lastgroup or "regex"])

    def kind(self, offset: int) -> Kind:
        """What the character at ``offset`` is part of."""
        i = bisect.bisect_right(self._starts, offset) - 1
        if i >= 0 and offset < self._ends[i]:
            return self._kinds[i]
        return CODE
