"""A position-aware JSON parser: every value's exact place in the text, by JSON pointer.

``parse_json(text)`` accepts exactly what :func:`json.loads` accepts (minus the non-standard
``NaN``/``Infinity``/``-Infinity``) and gives the same value (dicts keep key order, the last of
duplicate keys wins, ints are exact, floats parse like :mod:`json`), plus:

* ``spans``: for every RFC 6901 pointer (``""`` for the root) the character offsets of the value
  (``start``/``end``, end exclusive), its 1-based ``line``/``column``, and for object members the
  offsets of the key string including its quotes (``key_start``/``key_end``);
* ``duplicates``: the pointers of keys that repeat an earlier key of the same object.

The offsets are exact, so editors may splice the text with them: ``text[span.start:span.end]``
re-parses to the value at that pointer.

Why not the ``json-source-map`` library: it reports line/column per pointer but not duplicate
keys, and it walks the text one character at a time in Python. This parser leans on the C
accelerated string scanner of :mod:`json` and regular expressions for whitespace and numbers, so
Python runs once per token rather than once per character (a multi-megabyte file parses in a
fraction of a second), and it is iterative, so nesting never exhausts the recursion limit;
nesting deeper than :data:`MAX_DEPTH` is refused as a syntax error.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable
from json import JSONDecodeError, decoder
from typing import Any, NamedTuple

__all__ = [
    "JsonSyntaxError",
    "JsonTooDeep",
    "ParsedJson",
    "Span",
    "escape_token",
    "join_pointer",
    "parse_json",
    "split_pointer",
]

_WS = re.compile(r"[ \t\n\r]*")
# ASCII digits only: json's C scanner does not take other Unicode digits.
_NUMBER = re.compile(r"(-?(?:0|[1-9][0-9]*))(\.[0-9]+)?([eE][-+]?[0-9]+)?")
_LITERALS = {"t": ("true", True), "f": ("false", False), "n": ("null", None)}
# json's C-accelerated string scanner (the pure-Python one when the C module is missing): takes
# the offset after the opening quote, returns the string and the offset after the closing one.
_scanstring: Callable[[str, int, bool], tuple[str, int]] = decoder.scanstring  # type: ignore[attr-defined]


class JsonSyntaxError(ValueError):
    """The text is not valid JSON.

    Attributes:
        msg: what is wrong, without the position (``Expecting ',' delimiter``).
        line: 1-based line of the problem.
        column: 1-based column (in characters) of the problem.
        offset: character offset of the problem in the text.
    """

    def __init__(self, msg: str, text: str, offset: int) -> None:
        offset = max(0, min(offset, len(text)))
        line = text.count("\n", 0, offset) + 1
        column = offset - text.rfind("\n", 0, offset)
        super().__init__(f"{msg}: line {line} column {column} (char {offset})")
        self.msg = msg
        self.line = line
        self.column = column
        self.offset = offset


class JsonTooDeep(JsonSyntaxError):
    """Objects and arrays nest deeper than :data:`MAX_DEPTH` (valid JSON, but not read)."""


class Span(NamedTuple):
    """Where one value sits in the text.

    ``start``/``end``: character offsets of the value (end exclusive); ``line``/``column``:
    1-based position of ``start``; ``key_start``/``key_end``: offsets of the member's key string
    including its quotes, or None for array items and the root. (A named tuple: millions are
    made for a big file, and tuples are the cheapest immutable record.)
    """

    start: int
    end: int
    line: int
    column: int
    key_start: int | None = None
    key_end: int | None = None


#: How deep objects and arrays may nest (as serde_json's default). A manifest nests about six
#: levels; the limit keeps memory linear, since every value's pointer names all its parents.
MAX_DEPTH = 128

# stands in for a container's span until it closes (keeps the dict in document order)
_PLACEHOLDER = Span(0, 0, 0, 0)


class ParsedJson:
    """A parsed JSON text: the value, where each part of it is, and which keys repeat.

    Attributes:
        value: the value, as :func:`json.loads` gives it.
        spans: pointer → :class:`Span`, parents before children, in document order.
        duplicates: pointers of keys that repeat an earlier key of the same object.
        text: the text parsed.
    """

    # a plain class: a dataclass costs start-up time on every run of ``deskpro validate``
    __slots__ = ("duplicates", "spans", "text", "value")

    def __init__(
        self, value: Any, spans: dict[str, Span], duplicates: list[str], text: str
    ) -> None:
        self.value = value
        self.spans = spans
        self.duplicates = duplicates
        self.text = text

    def nearest(self, pointer: str) -> tuple[str, Span]:
        """The span of ``pointer``, or of its closest ancestor that exists (at worst the root)."""
        current = pointer
        while True:
            span = self.spans.get(current)
            if span is not None:
                return current, span
            if current == "":
                raise KeyError(pointer)
            current = current.rsplit("/", 1)[0]

    def key_position(self, pointer: str) -> tuple[int, int] | None:
        """1-based line and column of a member's key (None for array items and the root)."""
        span = self.spans.get(pointer)
        if span is None or span.key_start is None:
            return None
        offset = span.key_start
        line = self.text.count("\n", 0, offset) + 1
        return line, offset - self.text.rfind("\n", 0, offset)


def escape_token(token: str) -> str:
    """One reference token escaped for a JSON pointer (RFC 6901: ``~`` → ``~0``, ``/`` → ``~1``)."""
    return token.replace("~", "~0").replace("/", "~1")


def join_pointer(parent: str, *tokens: str | int) -> str:
    """``parent`` extended by ``tokens`` (keys are escaped, ints are array indexes)."""
    out = parent
    for token in tokens:
        out += "/" + (str(token) if isinstance(token, int) else escape_token(token))
    return out


def split_pointer(pointer: str) -> list[str]:
    """The unescaped reference tokens of a pointer (``""`` → ``[]``).

    Raises:
        ValueError: the pointer is not empty and does not start with ``/``.
    """
    if pointer == "":
        return []
    if not pointer.startswith("/"):
        raise ValueError(f"not a JSON pointer: {pointer!r}")
    return [t.replace("~1", "/").replace("~0", "~") for t in pointer[1:].split("/")]


class _Frame:
    """An open object or array while parsing, with where it started and under which key."""

    __slots__ = ("container", "is_obj", "key", "key_end", "key_start", "pointer", "start")

    def __init__(
        self,
        container: Any,
        is_obj: bool,
        pointer: str,
        start: int,
        key: str | None,
        key_start: int | None,
        key_end: int | None,
    ) -> None:
        self.container = container
        self.is_obj = is_obj
        self.pointer = pointer
        self.start = start
        self.key = key
        self.key_start = key_start
        self.key_end = key_end


def parse_json(text: str) -> ParsedJson:
    """Parse ``text`` as strict JSON, keeping the span of every value.

    Raises:
        JsonSyntaxError: the text is not valid JSON (a leading BOM included, as json.loads).
    """
    return _Parser(text).parse()


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.n = len(text)
        self.spans: dict[str, Span] = {}
        self.duplicates: list[str] = []

    # -- positions ------------------------------------------------------------------------
    def _starts(self) -> list[int]:
        """Offsets where each line starts (lines end at ``\\n``, as json counts them)."""
        starts = [0]
        find = self.text.find
        i = find("\n")
        while i != -1:
            starts.append(i + 1)
            i = find("\n", i + 1)
        return starts

    def _fail(self, msg: str, offset: int) -> JsonSyntaxError:
        return JsonSyntaxError(msg, self.text, offset)

    # -- tokens ---------------------------------------------------------------------------
    def _ws(self, i: int) -> int:
        return _WS.match(self.text, i).end()  # type: ignore[union-attr]  # always matches

    def _string(self, i: int) -> tuple[str, int]:
        """The string whose opening quote is at ``i``; returns it and the offset after it."""
        try:
            return _scanstring(self.text, i + 1, True)
        except JSONDecodeError as exc:
            raise self._fail(exc.msg, exc.pos) from None

    def _key(self, i: int, comma: int | None) -> tuple[str, int, int, int]:
        """A member's key at ``i`` (whitespace skipped); ``comma`` is the offset of the comma
        before it (None for the first member), where a trailing comma is reported.

        Returns the key, the offsets of its string (quotes included) and the offset of the value
        (after the ``:`` and whitespace).
        """
        text = self.text
        if i < self.n and text[i] == '"':
            key, end = self._string(i)
            j = self._ws(end)
            if j >= self.n or text[j] != ":":
                raise self._fail("Expecting ':' delimiter", j)
            return key, i, end, self._ws(j + 1)
        if i < self.n and text[i] == "}" and comma is not None:
            raise self._fail("Trailing comma before '}' (JSON allows none)", comma)
        if i < self.n and text[i] == "/":
            raise self._fail("Comments are not allowed in JSON", i)
        raise self._fail("Expecting property name enclosed in double quotes", i)

    def _leaf(self, i: int) -> tuple[Any, int]:
        """A scalar value starting at ``i`` → (value, end offset)."""
        text = self.text
        c = text[i] if i < self.n else ""
        if c == '"':
            return self._string(i)
        lit = _LITERALS.get(c)
        if lit is not None and text.startswith(lit[0], i):
            return lit[1], i + len(lit[0])
        m = _NUMBER.match(text, i)
        if m is not None:
            integer, frac, exp = m.groups()
            if frac or exp:
                return float(integer + (frac or "") + (exp or "")), m.end()
            try:
                return int(integer), m.end()
            except ValueError as exc:  # more digits than int() accepts (sys.set_int_max_str_digits)
                raise self._fail(f"Number too long ({exc})", i) from None
        raise self._fail(self._expecting_value(i), i)

    def _expecting_value(self, i: int) -> str:
        text = self.text
        if i >= self.n:
            return "Expecting value (the text ends too early)"
        c = text[i]
        if c == "\ufeff":
            return "Unexpected UTF-8 BOM (decode using utf-8-sig)"
        if c in "]}":
            return f"Expecting value (trailing comma before '{c}'?)"
        if c == "'":
            return "Expecting value (strings take double quotes in JSON)"
        if c == "/":
            return "Comments are not allowed in JSON"
        for word in ("NaN", "Infinity", "-Infinity"):
            if text.startswith(word, i):
                return f"{word} is not valid JSON"
        return "Expecting value"

    # -- the walk -------------------------------------------------------------------------
    # One loop with an explicit stack rather than recursion: deep nesting cannot hit the
    # recursion limit. Hot paths are inlined (whitespace, line numbers): Python runs once per
    # token here, so each attribute lookup shows on a multi-megabyte file.
    def parse(self) -> ParsedJson:
        text, n, spans = self.text, self.n, self.spans
        ws = _WS.match
        line_starts = self._starts()
        stack: list[_Frame] = []
        pointer = ""
        key: str | None = None
        key_start: int | None = None
        key_end: int | None = None
        i = ws(text, 0).end()  # type: ignore[union-attr]  # always matches
        while True:
            # -- a value starts at i (whitespace skipped) ------------------------------------
            c = text[i] if i < n else ""
            if c == "{" or c == "[":
                if len(stack) == MAX_DEPTH:
                    raise JsonTooDeep(
                        f"Nested more than {MAX_DEPTH} levels deep (objects and arrays inside "
                        "each other)",
                        text,
                        i,
                    )
                is_obj = c == "{"
                # a placeholder now keeps the spans in document order (parents first)
                spans[pointer] = _PLACEHOLDER
                frame = _Frame({} if is_obj else [], is_obj, pointer, i, key, key_start, key_end)
                stack.append(frame)
                j = ws(text, i + 1).end()  # type: ignore[union-attr]
                if j < n and text[j] == ("}" if is_obj else "]"):
                    value: Any = frame.container
                    stack.pop()
                    start, end = i, j + 1
                elif is_obj:
                    key, key_start, key_end, i = self._key(j, None)
                    pointer = self._member(frame, key)
                    continue
                else:
                    pointer, key, key_start, key_end = pointer + "/0", None, None, None
                    i = j
                    continue
            else:
                value, end = self._leaf(i)
                start = i
            # -- a value ends: record it, then close as many containers as end here --------
            while True:
                line = bisect_right(line_starts, start)
                spans[pointer] = Span(
                    start, end, line, start - line_starts[line - 1] + 1, key_start, key_end
                )
                if not stack:
                    j = ws(text, end).end()  # type: ignore[union-attr]
                    if j != n:
                        raise self._fail("Extra data after the JSON value", j)
                    return ParsedJson(value, spans, self.duplicates, text)
                frame = stack[-1]
                if frame.is_obj:
                    frame.container[key] = value
                else:
                    frame.container.append(value)
                j = ws(text, end).end()  # type: ignore[union-attr]
                c = text[j] if j < n else ""
                if c == ",":
                    comma = j
                    j = ws(text, j + 1).end()  # type: ignore[union-attr]
                    if frame.is_obj:
                        key, key_start, key_end, i = self._key(j, comma)
                        pointer = self._member(frame, key)
                    else:
                        if j < n and text[j] == "]":
                            raise self._fail("Trailing comma before ']' (JSON allows none)", comma)
                        pointer = f"{frame.pointer}/{len(frame.container)}"
                        key = key_start = key_end = None
                        i = j
                    break
                if c == ("}" if frame.is_obj else "]"):
                    stack.pop()
                    value = frame.container
                    pointer, start, end = frame.pointer, frame.start, j + 1
                    key, key_start, key_end = frame.key, frame.key_start, frame.key_end
                    continue
                if frame.is_obj:
                    raise self._fail("Expecting ',' delimiter or '}'", j)
                raise self._fail("Expecting ',' delimiter or ']'", j)

    def _member(self, frame: _Frame, key: str) -> str:
        """Start a member of ``frame``: its pointer; notes a duplicate key."""
        pointer = frame.pointer + "/" + escape_token(key)
        if key in frame.container:
            self.duplicates.append(pointer)
            # the earlier value is replaced (json.loads keeps the last): forget its parts
            prefix = pointer + "/"
            for stale in [p for p in self.spans if p.startswith(prefix)]:
                del self.spans[stale]
        return pointer
