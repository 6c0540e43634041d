"""Re-parsing one container of a JSON text after its text changed (what an editor does).

:func:`reparse_inside` gives the :class:`~deskpro_cli.manifest.jsonpos.ParsedJson` of a text
in which one range inside an object or array was replaced, at the cost of parsing that container
again: everything outside it keeps its value and only moves. Editing a few lines of a
multi-megabyte package.json thus costs little more than the edit.
"""

from __future__ import annotations

from itertools import islice
from typing import Any

from deskpro_cli.manifest.jsonpos import (
    JsonSyntaxError,
    ParsedJson,
    Span,
    parse_json,
    split_pointer,
)

__all__ = ["reparse_inside"]


def reparse_inside(parsed: ParsedJson, pointer: str, start: int, end: int, new: str) -> ParsedJson:
    """The parse of ``parsed.text`` with ``text[start:end]`` replaced by ``new``, where that range
    lies inside the brackets of the object or array at ``pointer``.

    Gives what :func:`parse_json` gives for the new text (the same value, spans in the same
    order and the same duplicates, perhaps listed in another order), at the cost of parsing only
    that container again (editors change a few lines of files that may be megabytes long): the
    text outside the container is unchanged, so its values are the same and their spans only
    shift. JSON's grammar is context-free, so the new text is valid exactly when the container's
    new text is a valid value; its value is the old one with that container's value replaced.

    Raises:
        ValueError: ``pointer`` is not a container, or the range is not inside its brackets.
        JsonSyntaxError: the new text is not valid JSON (placed in the whole new text).
    """
    old = parsed.spans.get(pointer)
    text = parsed.text
    if old is None or text[old.start] not in "{[" or not old.start < start <= end < old.end:
        raise ValueError(f"the range {start}-{end} is not inside the container at {pointer!r}")
    new_text = text[:start] + new + text[end:]
    if pointer == "" or any(d == pointer or pointer.startswith(d + "/") for d in parsed.duplicates):
        return parse_json(new_text)  # the whole text, or a container under a repeated key
    delta = len(new) - (end - start)
    c_start, c_end = old.start, old.end + delta
    try:
        inner = parse_json(new_text[c_start:c_end])
    except JsonSyntaxError as exc:
        raise type(exc)(exc.msg, new_text, exc.offset + c_start) from None

    # what follows the container moves by `delta` characters and `lines` lines; on the line
    # where the container ends, columns move too (by the same amount for every value there)
    lines = new.count("\n") - text.count("\n", start, end)
    end_line = text.count("\n", 0, old.end) + 1
    old_line_start = text.rfind("\n", 0, old.end) + 1
    new_line_start = new_text.rfind("\n", 0, c_end) + 1
    columns = delta - (new_line_start - old_line_start)

    def moved(span: Span) -> Span:  # a value after the container
        return Span(
            span.start + delta,
            span.end + delta,
            span.line + lines,
            span.column + columns if span.line == end_line else span.column,
            _moved(span.key_start, delta),
            _moved(span.key_end, delta),
        )

    # Spans come parents first in text order, so what is listed before the container lies
    # before it and is copied as it is (at C speed), except its ancestors, which end later, and
    # a repeated key, listed where it first appeared but spanning its last value.
    keys = list(parsed.spans)
    at = keys.index(pointer)
    spans = dict(islice(parsed.spans.items(), at))
    for ancestor in _ancestors(pointer):
        spans[ancestor] = spans[ancestor]._replace(end=spans[ancestor].end + delta)
    for repeated in parsed.duplicates:
        if repeated in spans and spans[repeated].start >= old.end:
            spans[repeated] = moved(spans[repeated])
    for rel, sub in inner.spans.items():
        spans[pointer + rel] = Span(
            sub.start + c_start,
            sub.end + c_start,
            sub.line + old.line - 1,
            sub.column + old.column - 1 if sub.line == 1 else sub.column,
            _moved(sub.key_start, c_start) if rel else old.key_start,
            _moved(sub.key_end, c_start) if rel else old.key_end,
        )
    prefix = pointer + "/"
    for ptr in keys[at + 1 :]:
        if ptr.startswith(prefix):
            continue  # inside the container: replaced by the new parse above
        spans[ptr] = moved(parsed.spans[ptr])
    duplicates = [d for d in parsed.duplicates if not d.startswith(prefix)]
    duplicates += [pointer + d for d in inner.duplicates]
    value = _with_value_at(parsed.value, pointer, inner.value)
    return ParsedJson(value, spans, duplicates, new_text)


def _ancestors(pointer: str) -> list[str]:
    """The pointers of the containers holding ``pointer``, the root first."""
    out = [""]
    for i in range(1, len(pointer)):
        if pointer[i] == "/":
            out.append(pointer[:i])
    return out


def _moved(offset: int | None, by: int) -> int | None:
    return None if offset is None else offset + by


def _with_value_at(doc: Any, pointer: str, value: Any) -> Any:
    """``doc`` with the value at ``pointer`` replaced; only the containers on the way are copied
    (the rest is shared, so this costs the depth of the pointer, not the size of the document)."""
    tokens = split_pointer(pointer)
    if not tokens:
        return value
    top = copy = _shallow(doc)
    for token in tokens[:-1]:
        key: Any = int(token) if isinstance(copy, list) else token
        copy[key] = _shallow(copy[key])
        copy = copy[key]
    last: Any = int(tokens[-1]) if isinstance(copy, list) else tokens[-1]
    copy[last] = value
    return top


def _shallow(container: Any) -> Any:
    return list(container) if isinstance(container, list) else dict(container)
