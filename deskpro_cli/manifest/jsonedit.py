"""Format-preserving edits of JSON text: splice the original, never re-serialise the file.

:class:`JsonText` holds a JSON document as text and offers four edits: append an item to an
array, add (or replace) an object member, replace a value, remove a member or an item. Each edit
replaces only the characters it must, so everything else (indentation, key order, blank lines,
spacing around ``:``, line endings, the final newline or its absence, non-ASCII text, escapes)
stays byte for byte as it was. New text copies its neighbours:

* a new item or member goes after the last one, on its own line with the same indentation when
  the last one sits on its own line, or inline with the same separator (``", "``) otherwise;
* a new object or array value copies the layout of a sibling of the same kind (a one-line
  ``{ "target": ..., "url": ... }`` begets a one-line object; a nested list copies the sibling's
  list), else it is laid out one member per line with the file's indentation unit (2 or 4
  spaces, a tab: whichever the file uses most), its ``:`` spacing and its line ending;
* an empty ``[]``/``{}`` grows onto new lines when it sits on its own line in its parent, and
  stays inline otherwise; removing the last item makes it ``[]``/``{}`` again.

Appending and then removing the same thing gives back the original bytes (the round-trip tests
rely on it). After every edit the container that changed is parsed again (strictly, with
:func:`~deskpro_cli.manifest.jsonreparse.reparse_inside`: the rest of the text is unchanged, so the
whole text is valid JSON exactly when that container is) and its value is compared with the
expected one, so a bug here can never write a file that means something else. Parsing only the
container keeps an edit of a multi-megabyte package.json fast.
"""

from __future__ import annotations

import copy
import json
from collections import Counter
from collections.abc import Callable
from typing import Any

from deskpro_cli.manifest.jsonlayout import Inline, Style, line_indent, own_line, start_of
from deskpro_cli.manifest.jsonpos import (
    JsonSyntaxError,
    ParsedJson,
    join_pointer,
    parse_json,
    split_pointer,
)
from deskpro_cli.manifest.jsonreparse import reparse_inside

__all__ = ["JsonEditError", "JsonText"]


class JsonEditError(ValueError):
    """An edit that cannot be made: the pointer is missing, of the wrong kind, or ambiguous."""


class JsonText:
    """A JSON document as text, edited in place.

    Pointers are RFC 6901 JSON pointers into the document (``""`` is the root). Every method
    either changes :attr:`text` as described or raises :class:`JsonEditError` and leaves it as
    it was.

    ``parsed``, when given, must be ``parse_json(text)`` (a caller that has parsed the text
    already saves parsing it again).

    Raises:
        JsonSyntaxError: (from the constructor) the text is not valid JSON.
    """

    def __init__(self, text: str, parsed: ParsedJson | None = None) -> None:
        self._parsed = parse_json(text) if parsed is None else parsed
        self._style: Style | None = None

    # -- reading ----------------------------------------------------------------------------
    @property
    def text(self) -> str:
        """The document as it stands after the edits so far."""
        return self._parsed.text

    @property
    def _text(self) -> str:
        return self._parsed.text

    @property
    def value(self) -> Any:
        """The parsed value of :attr:`text` (do not mutate it)."""
        return self._parsed.value

    @property
    def parsed(self) -> ParsedJson:
        """The positions of :attr:`text` (spans by pointer, duplicate keys)."""
        return self._parsed

    def get(self, pointer: str) -> Any:
        """The value at ``pointer``.

        Raises:
            JsonEditError: nothing is there.
        """
        value = self._parsed.value
        for token in split_pointer(pointer):
            if isinstance(value, dict) and token in value:
                value = value[token]
            elif isinstance(value, list) and token.isdigit() and int(token) < len(value):
                value = value[int(token)]
            else:
                raise JsonEditError(f"nothing at {pointer!r}")
        return value

    def has(self, pointer: str) -> bool:
        """Whether ``pointer`` names a value in the document."""
        return pointer in self._parsed.spans

    # -- edits ------------------------------------------------------------------------------
    def append(self, pointer: str, item: Any) -> None:
        """Add ``item`` at the end of the array at ``pointer``."""
        self._need(pointer, list)
        expected = self._expected(pointer, lambda arr: arr.append(copy.deepcopy(item)))
        self._insert(pointer, None, item, expected)

    def set(self, pointer: str, key: str, value: Any) -> None:
        """Give the object at ``pointer`` the member ``key``: ``value``.

        A new key goes after the last member; an existing one has its value replaced where it
        stands (a no-op when the value is already equal).
        """
        obj = self._need(pointer, dict)
        member = join_pointer(pointer, key)
        if key in obj:
            self.replace(member, value)
            return

        def add(o: dict[str, Any]) -> None:
            o[key] = copy.deepcopy(value)

        expected = self._expected(pointer, add)
        self._insert(pointer, key, value, expected)

    def replace(self, pointer: str, value: Any) -> None:
        """Put ``value`` where the value at ``pointer`` is (no change when they are equal)."""
        old = self.get(pointer)
        self._guard(pointer)
        if _canonical(old) == _canonical(value):
            return
        span = self._parsed.spans[pointer]
        indent = line_indent(self._text, span.start)
        template = pointer if isinstance(old, type(value)) else None
        seps = self._inline_seps(pointer[: pointer.rfind("/")]) if pointer else None
        flat = seps if self._inline_at(pointer) else None
        rendered = self._render(value, indent, template, flat)
        if pointer == "":
            self._splice(None, span.start, span.end, rendered, value)
            return
        parent, token = pointer[: pointer.rfind("/")], split_pointer(pointer)[-1]

        def put(container: Any) -> None:
            container[int(token) if isinstance(container, list) else token] = value

        self._splice(parent, span.start, span.end, rendered, self._expected(parent, put))

    def remove(self, pointer: str) -> None:
        """Remove the member or item at ``pointer`` (with its comma and its line, if it has one).

        Raises:
            JsonEditError: ``pointer`` is the root or names nothing.
        """
        if pointer == "":
            raise JsonEditError("the root cannot be removed")
        self.get(pointer)
        parent = pointer.rsplit("/", 1)[0]
        self._guard(parent)
        kids = self._children(parent)
        i = kids.index(pointer)
        spans = self._parsed.spans
        if len(kids) == 1:
            outer = spans[parent]
            start, end = outer.start + 1, outer.end - 1
        elif i < len(kids) - 1:
            start, end = self._start_of(kids[i]), self._start_of(kids[i + 1])
        else:
            start, end = spans[kids[i - 1]].end, spans[kids[i]].end

        def drop(container: Any) -> None:
            token = split_pointer(pointer)[-1]
            if isinstance(container, list):
                del container[int(token)]
            else:
                del container[token]

        self._splice(parent, start, end, "", self._expected(parent, drop))

    # -- state ------------------------------------------------------------------------------
    def _splice(self, container: str | None, start: int, end: int, new: str, expected: Any) -> None:
        """Replace ``text[start:end]`` by ``new``, inside the container at ``container`` (None:
        anywhere), which must then hold ``expected``.

        A guard against bugs in the splicing: the text must mean exactly what was asked, or
        nothing changes.
        """
        try:
            if container is None:
                parsed = parse_json(self._text[:start] + new + self._text[end:])
            else:
                parsed = reparse_inside(self._parsed, container, start, end, new)
        except (ValueError, JsonSyntaxError) as exc:  # pragma: no cover - a bug
            raise RuntimeError(f"internal error: a JSON edit broke the text ({exc})") from None
        got = _walk(parsed.value, split_pointer(container or ""))
        if _canonical(got) != _canonical(expected):  # pragma: no cover - a bug
            raise RuntimeError("internal error: a JSON edit did not give the expected document")
        self._parsed = parsed

    def _expected(self, pointer: str, change: Callable[[Any], None]) -> Any:
        """The value at ``pointer`` (a copy) once ``change`` is applied to it."""
        value = copy.deepcopy(self.get(pointer))
        change(value)
        return value

    def _need(self, pointer: str, kind: type) -> Any:
        value = self.get(pointer)
        if not isinstance(value, kind):
            what = "an object" if kind is dict else "an array"
            raise JsonEditError(f"{pointer or 'the root'} is not {what}")
        self._guard(pointer)
        return value

    def _guard(self, pointer: str) -> None:
        """Refuse to edit inside or around an object with repeated keys (which one is meant?)."""
        for dup in self._parsed.duplicates:
            dup_parent = dup[: dup.rfind("/")]
            if pointer in (dup_parent, dup) or pointer.startswith(dup + "/"):
                where = self._parsed.key_position(dup)
                line = f" (line {where[0]})" if where else ""
                raise JsonEditError(f"the key at {dup}{line} appears more than once in its object")

    # -- geometry ---------------------------------------------------------------------------
    def _children(self, pointer: str) -> list[str]:
        """The pointers of the members or items of the container at ``pointer``, in text order."""
        value = self.get(pointer)
        if isinstance(value, list):
            return [f"{pointer}/{i}" for i in range(len(value))]
        if not isinstance(value, dict):
            return []
        kids = [join_pointer(pointer, key) for key in value]
        if self._parsed.duplicates:  # a repeated key keeps its first place in the dict
            spans = self._parsed.spans
            kids.sort(key=lambda p: spans[p].start)
        return kids

    def _start_of(self, pointer: str) -> int:
        return start_of(self._parsed.spans[pointer])

    def _own_line(self, pointer: str) -> bool:
        """Whether the member or item at ``pointer`` begins its line (only blanks before it)."""
        return own_line(self._text, self._start_of(pointer))

    def _inline_at(self, pointer: str) -> bool:
        """Whether a container at ``pointer`` is (or would grow) on one line."""
        kids = self._children(pointer)
        if kids:
            return not self._own_line(kids[-1])
        if pointer == "":
            return "\n" not in self._text.strip()
        return not self._own_line(pointer)

    # -- inserting --------------------------------------------------------------------------
    def _insert(self, pointer: str, key: str | None, value: Any, expected: Any) -> None:
        text = self._text
        outer = self._parsed.spans[pointer]
        kids = self._children(pointer)
        style = self._doc_style()
        colon = self._colon_for(pointer)
        head = "" if key is None else _dumps(key, style.ascii) + colon
        template = self._sibling_template(pointer, value)
        if kids:
            last = kids[-1]
            at = self._parsed.spans[last].end
            if self._own_line(last):
                indent = line_indent(text, self._start_of(last))
                body = self._render(value, indent, template, None)
                self._splice(pointer, at, at, "," + style.newline + indent + head + body, expected)
            else:
                seps = self._inline_seps(pointer)
                body = self._render(value, "", template, seps)
                self._splice(pointer, at, at, seps.item_sep + head + body, expected)
            return
        inner_start, inner_end = outer.start + 1, outer.end - 1
        interior = text[inner_start:inner_end]
        if self._inline_at(pointer):
            body = self._render(value, "", template, self._inline_seps(pointer))
            self._splice(
                pointer, inner_start, inner_end, interior + head + body + interior, expected
            )
            return
        base = line_indent(text, outer.start)
        indent = base + style.unit
        body = self._render(value, indent, template, None)
        if "\n" in interior:  # keep the closing bracket's own line as it is
            closing = interior[interior.rfind("\n") :]
            if closing.startswith("\n") and interior[: interior.rfind("\n")].endswith("\r"):
                closing = "\r" + closing
            new = style.newline + indent + head + body + closing
        else:
            new = style.newline + indent + head + body + style.newline + base
        self._splice(pointer, inner_start, inner_end, new, expected)

    def _colon_for(self, pointer: str) -> str:
        """The ``:`` spacing the object at ``pointer`` uses most (the file's, if it is empty)."""
        colons: Counter[str] = Counter()
        for kid in self._children(pointer):
            span = self._parsed.spans[kid]
            if span.key_end is not None:
                colons[self._text[span.key_end : span.start]] += 1
        if colons:
            return colons.most_common(1)[0][0]
        return self._doc_style().colon

    def _sibling_template(self, pointer: str, value: Any) -> str | None:
        """The sibling of the same kind (object/array) whose layout to copy.

        For objects, the one sharing the most keys with ``value`` (so a new choice setting
        copies how an existing choice setting lays out its ``choices``); the last one on a tie.
        """
        if not isinstance(value, (dict, list)) or not value:
            return None
        best: str | None = None
        best_score = -1
        for kid in self._children(pointer):
            other = self.get(kid)
            if isinstance(other, type(value)) and other:
                score = len(set(other) & set(value)) if isinstance(value, dict) else 0
                if score >= best_score:
                    best, best_score = kid, score
        return best

    def _inline_seps(self, pointer: str) -> Inline:
        """The spacing of the one-line container at ``pointer`` (the file's habits if unknown)."""
        spans = self._parsed.spans
        outer = spans[pointer]
        kids = self._children(pointer)
        colon = self._colon_for(pointer)
        if not kids:
            return Inline("," if colon == ":" else ", ", colon, "", "")
        open_pad = self._text[outer.start + 1 : self._start_of(kids[0])]
        if len(kids) >= 2:
            sep = self._text[spans[kids[0]].end : self._start_of(kids[1])]
        else:  # one item: space after commas where the container or the file spaces things
            spaced = open_pad != "" or colon.endswith(" ")
            sep = ", " if spaced else ","
        return Inline(
            item_sep=sep,
            colon=colon,
            open_pad=open_pad,
            close_pad=self._text[spans[kids[-1]].end : outer.end - 1],
        )

    # -- rendering --------------------------------------------------------------------------
    def _render(self, value: Any, indent: str, template: str | None, inline: Inline | None) -> str:
        """``value`` as JSON text for a place whose line is indented by ``indent``.

        ``template`` is the pointer of an existing value whose layout to copy; without one,
        ``inline`` gives the spacing of a one-line layout, or None for one part per line.
        """
        style = self._doc_style()
        if not isinstance(value, (dict, list)) or not value:
            return _dumps(value, style.ascii)
        model = self.get(template) if template is not None else None
        if template is not None and isinstance(model, type(value)) and model:
            span = self._parsed.spans[template]
            if "\n" not in self._text[span.start : span.end]:
                return self._render_inline(value, self._inline_seps(template))
        elif inline is not None:
            return self._render_inline(value, inline)
        inner = indent + style.unit
        nl = style.newline
        parts: list[str] = []
        if isinstance(value, dict):
            colon = self._colon_for(template) if template is not None else style.colon
            for k, v in value.items():
                sub = _child_template(self, template, k)
                parts.append(_dumps(k, style.ascii) + colon + self._render(v, inner, sub, None))
            return "{" + nl + inner + ("," + nl + inner).join(parts) + nl + indent + "}"
        for v in value:
            sub = _child_template(self, template, None)
            parts.append(self._render(v, inner, sub, None))
        return "[" + nl + inner + ("," + nl + inner).join(parts) + nl + indent + "]"

    def _render_inline(self, value: Any, seps: Inline) -> str:
        ascii_only = self._doc_style().ascii
        if not isinstance(value, (dict, list)) or not value:
            return _dumps(value, ascii_only)
        if isinstance(value, dict):
            parts = [
                _dumps(k, ascii_only) + seps.colon + self._render_inline(v, seps)
                for k, v in value.items()
            ]
            return "{" + seps.open_pad + seps.item_sep.join(parts) + seps.close_pad + "}"
        parts = [self._render_inline(v, seps) for v in value]
        return "[" + seps.open_pad + seps.item_sep.join(parts) + seps.close_pad + "]"

    def _doc_style(self) -> Style:
        if self._style is None:
            self._style = Style.detect(self._text, self._parsed)
        return self._style


def _child_template(doc: JsonText, template: str | None, key: str | None) -> str | None:
    """The part of ``template`` that corresponds to a child (``key``, or an item for lists)."""
    if template is None:
        return None
    value = doc.get(template)
    if key is not None:
        if isinstance(value, dict) and key in value:
            return join_pointer(template, key)
        return None
    if isinstance(value, list) and value:
        return join_pointer(template, len(value) - 1)
    return None


def _walk(doc: Any, tokens: list[str]) -> Any:
    for token in tokens:
        doc = doc[int(token)] if isinstance(doc, list) else doc[token]
    return doc


def _dumps(value: Any, ascii_only: bool) -> str:
    """A key or scalar as JSON text (``ascii_only``: non-ASCII as ``\\uXXXX``)."""
    return json.dumps(value, ensure_ascii=ascii_only)


def _canonical(value: Any) -> str:
    """Equality that sees key order and tells ``true`` from ``1``."""
    return json.dumps(value, ensure_ascii=False)
