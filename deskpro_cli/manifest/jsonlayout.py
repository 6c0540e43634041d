"""The layout facts of a JSON text that :mod:`~deskpro_cli.manifest.jsonedit` copies.

Where a line starts and how it is indented, how a one-line container spaces its parts, and the
whole file's habits (line ending, indentation unit, ``:`` spacing, escaped non-ASCII) for new
text that has no neighbour to copy.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from deskpro_cli.manifest.jsonpos import ParsedJson, Span

__all__ = ["Inline", "Style", "line_indent", "own_line", "start_of"]

_LEADING_WS = re.compile(r"[ \t]*")
# a \uXXXX escape of a character above U+007F
_NON_ASCII_ESCAPE = re.compile(
    r"\\u(?:00[89a-fA-F][0-9a-fA-F]|0[1-9a-fA-F][0-9a-fA-F]{2}|[1-9a-fA-F][0-9a-fA-F]{3})"
)


@dataclass(frozen=True)
class Inline:
    """How a one-line container spaces its parts: ``{ "a": 1, "b": 2 }``."""

    item_sep: str  # between items, comma included: ", " or ","
    colon: str  # between key and value: ": " or ":"
    open_pad: str  # after "{" / "["
    close_pad: str  # before "}" / "]"


@dataclass(frozen=True)
class Style:
    """The whole file's habits, for text that has no neighbour to copy."""

    newline: str  # "\n" or "\r\n", as the first line ends
    unit: str  # one level of indentation: the most common step between a container and its items
    colon: str  # the most common spacing around ":"
    ascii: bool  # the file writes non-ASCII characters as \uXXXX escapes (and never raw)

    @classmethod
    def detect(cls, text: str, parsed: ParsedJson) -> Style:
        """Read the habits of ``text`` (``parsed`` is its parse)."""
        first_nl = text.find("\n")
        newline = "\r\n" if first_nl > 0 and text[first_nl - 1] == "\r" else "\n"
        units: Counter[str] = Counter()
        colons: Counter[str] = Counter()
        # spans come parents first, in text order: a container's first child comes right after it
        previous, previous_span = None, None
        for ptr, span in parsed.spans.items():
            if span.key_end is not None:
                colons[text[span.key_end : span.start]] += 1
            if previous_span is not None and ptr[: ptr.rfind("/")] == previous:
                first = start_of(span)
                if own_line(text, first):
                    outer = line_indent(text, previous_span.start)
                    inner = line_indent(text, first)
                    if len(inner) > len(outer) and inner.startswith(outer):
                        units[inner[len(outer) :]] += 1
            previous, previous_span = ptr, span
        unit = units.most_common(1)[0][0] if units else "  "
        colon = colons.most_common(1)[0][0] if colons else ": "
        ascii_only = text.isascii() and _NON_ASCII_ESCAPE.search(text) is not None
        return cls(newline, unit, colon, ascii_only)


def start_of(span: Span) -> int:
    """Where a member (its key) or an item begins."""
    return span.key_start if span.key_start is not None else span.start


def own_line(text: str, offset: int) -> bool:
    """Whether only blanks come before ``offset`` on its line."""
    line_start = text.rfind("\n", 0, offset) + 1
    return text[line_start:offset].strip(" \t") == ""


def line_indent(text: str, offset: int) -> str:
    """The blanks that begin the line holding ``offset``."""
    line_start = text.rfind("\n", 0, offset) + 1
    match = _LEADING_WS.match(text, line_start, offset)
    return match.group(0) if match else ""
