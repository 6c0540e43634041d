"""Property tests of the text editor.

On files json.dumps wrote, an edit gives what json.dumps would write for the edited value, in the
same style (indent, separators, line ending, final newline).
"""

from __future__ import annotations

import copy
import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deskpro_cli.manifest.jsonedit import JsonText
from deskpro_cli.manifest.jsonpos import join_pointer

KEYS = st.text(alphabet='abcdeé~/ "\\', min_size=1, max_size=4)
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(-(10**6), 10**6)
    | st.text(alphabet='ab é"\\\n\t✓', max_size=5)
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(KEYS, inner, max_size=3),
    max_leaves=8,
)
DOCS = st.dictionaries(KEYS, VALUES, min_size=1, max_size=4)


@st.composite
def styles(draw: st.DrawFn) -> dict[str, Any]:
    indent = draw(st.sampled_from([None, 2, 4, "\t"]))
    if indent is None:
        seps = draw(st.sampled_from([(",", ":"), (", ", ": ")]))
    else:
        seps = (",", draw(st.sampled_from([": ", ":"])))
    return {
        "indent": indent,
        "separators": seps,
        "crlf": draw(st.booleans()) and indent is not None,
        "final_newline": draw(st.booleans()),
    }


def dump(value: Any, style: dict[str, Any]) -> str:
    text = json.dumps(
        value, indent=style["indent"], separators=style["separators"], ensure_ascii=False
    )
    if style["final_newline"]:
        text += "\n"
    if style["crlf"]:
        text = text.replace("\n", "\r\n")
    return text


def containers(value: Any, pointer: str = "") -> list[tuple[str, Any]]:
    found: list[tuple[str, Any]] = []
    if isinstance(value, dict):
        found.append((pointer, value))
        for k, v in value.items():
            found += containers(v, join_pointer(pointer, k))
    elif isinstance(value, list):
        found.append((pointer, value))
        for i, v in enumerate(value):
            found += containers(v, join_pointer(pointer, i))
    return found


def all_pointers(value: Any, pointer: str = "") -> list[str]:
    out = [pointer]
    if isinstance(value, dict):
        for k, v in value.items():
            out += all_pointers(v, join_pointer(pointer, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += all_pointers(v, join_pointer(pointer, i))
    return out


def locate(doc: Any, pointer: str) -> tuple[Any, str | int]:
    """The holder of the value at ``pointer`` and its key there."""
    from deskpro_cli.manifest.jsonpos import split_pointer

    tokens = split_pointer(pointer)
    holder = doc
    for t in tokens[:-1]:
        holder = holder[int(t)] if isinstance(holder, list) else holder[t]
    last = tokens[-1]
    return holder, int(last) if isinstance(holder, list) else last


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(doc=DOCS, style=styles(), data=st.data())
def test_edits_write_what_json_dumps_would(
    doc: dict[str, Any], style: dict[str, Any], data: st.DataObject
) -> None:
    text = dump(doc, style)
    edited = JsonText(text)
    expected = copy.deepcopy(doc)
    for _ in range(data.draw(st.integers(1, 4))):
        kind = data.draw(st.sampled_from(["append", "set", "replace", "remove"]))
        conts = containers(expected)
        if kind == "append":
            lists = [(p, v) for p, v in conts if isinstance(v, list)]
            if not lists:
                continue
            pointer, target = data.draw(st.sampled_from(lists))
            item = data.draw(VALUES)
            edited.append(pointer, item)
            target.append(copy.deepcopy(item))
        elif kind == "set":
            dicts = [(p, v) for p, v in conts if isinstance(v, dict)]
            pointer, target = data.draw(st.sampled_from(dicts))
            key = data.draw(KEYS)
            value = data.draw(VALUES)
            edited.set(pointer, key, value)
            target[key] = copy.deepcopy(value)
        elif kind == "replace":
            if len(all_pointers(expected)) < 2:
                continue
            pointer = data.draw(st.sampled_from(all_pointers(expected)[1:]))
            value = data.draw(VALUES)
            edited.replace(pointer, value)
            holder, key = locate(expected, pointer)
            holder[key] = copy.deepcopy(value)
        else:
            # never empty the root: an empty file-level {} has no layout to copy
            candidates = [
                p for p in all_pointers(expected)[1:] if len(expected) > 1 or p.count("/") > 1
            ]
            if not candidates:
                continue
            pointer = data.draw(st.sampled_from(candidates))
            edited.remove(pointer)
            holder, key = locate(expected, pointer)
            del holder[key]
        assert edited.text == dump(expected, style)


@settings(max_examples=200, deadline=None)
@given(doc=DOCS, style=styles(), data=st.data())
def test_add_then_remove_gives_the_same_bytes(
    doc: dict[str, Any], style: dict[str, Any], data: st.DataObject
) -> None:
    text = dump(doc, style)
    edited = JsonText(text)
    pointer, target = data.draw(st.sampled_from(containers(doc)))
    value = data.draw(VALUES)
    if isinstance(target, list):
        edited.append(pointer, value)
        edited.remove(join_pointer(pointer, len(target)))
    else:
        key = data.draw(KEYS.filter(lambda k: k not in target))
        edited.set(pointer, key, value)
        edited.remove(join_pointer(pointer, key))
    assert edited.text == text
