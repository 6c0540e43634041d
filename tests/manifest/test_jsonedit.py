"""The format-preserving JSON editor: real manifests, every style, and exactly-the-edited lines."""

from __future__ import annotations

import difflib
import json
from pathlib import Path
from typing import Any

import pytest

from deskpro_cli.manifest.jsonedit import JsonEditError, JsonText
from deskpro_cli.manifest.jsonpos import join_pointer


def corpus_files(shared: Path) -> list[Path]:
    """Every package.json and manifest.json of the shared corpus (not the schema file)."""
    files = sorted((shared / "corpus").glob("*/*.json"))
    return [
        f for f in files if ("package" in f.name or "manifest" in f.name) and "schema" not in f.name
    ]


def walk(value: Any, pointer: str = "") -> list[tuple[str, Any]]:
    out = [(pointer, value)]
    if isinstance(value, dict):
        for k, v in value.items():
            out += walk(v, join_pointer(pointer, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += walk(v, join_pointer(pointer, i))
    return out


def hunks(old: str, new: str) -> list[tuple[list[str], list[str]]]:
    """The changed line groups between two texts: (removed lines, added lines) per group."""
    a, b = old.splitlines(keepends=True), new.splitlines(keepends=True)
    out = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag != "equal":
            out.append((a[i1:i2], b[j1:j2]))
    return out


# -- the corpus: no-op edits give back the same bytes ----------------------------------------
def test_corpus_has_files(shared_dir: Path) -> None:
    assert len(corpus_files(shared_dir)) >= 50


def test_every_corpus_file_survives_no_op_edits(shared_dir: Path) -> None:
    for path in corpus_files(shared_dir):
        raw = path.read_bytes()
        text = raw.decode("utf-8")
        doc = JsonText(text)
        for pointer, value in walk(doc.value):
            if pointer:
                doc.replace(pointer, value)  # same value: nothing may move
            span = doc.parsed.spans[pointer]
            if not value and text[span.start : span.end] not in ("[]", "{}"):
                # "{ }" grows to one member per line and shrinks back to the plain "{}"
                continue
            if isinstance(value, list):
                doc.append(pointer, {"probe": ["é", 1]})
                doc.remove(join_pointer(pointer, len(value)))
            elif isinstance(value, dict):
                doc.set(pointer, "zz-probe", [{"a": 1}])
                doc.remove(join_pointer(pointer, "zz-probe"))
            assert doc.text == text, f"{path.name}: {pointer!r} did not round-trip"
        assert doc.text.encode("utf-8") == raw


def test_a_real_edit_touches_only_its_own_lines(shared_dir: Path) -> None:
    item = {"name": "zz", "isBackendOnly": True, "permRead": "OWNER", "permWrite": "OWNER"}
    for path in corpus_files(shared_dir):
        text = path.read_text(encoding="utf-8")
        doc = JsonText(text)
        if not isinstance(doc.value, dict):
            continue
        base = "/deskpro" if isinstance(doc.value.get("deskpro"), dict) else ""
        manifest = doc.get(base)
        storage = manifest.get("storage")
        if isinstance(storage, list):
            doc.append(join_pointer(base, "storage"), item)
        else:
            doc.set(base, "storage", [item])
        changes = hunks(text, doc.text)
        assert len(changes) == 1, f"{path.name}: more than one place changed"
        removed, added = changes[0]
        assert len(removed) <= 1, f"{path.name}: {removed}"
        if removed and storage:
            # the previous last line only gains the comma that separates it from the new item
            line = removed[0]
            body = line.rstrip("\r\n")
            assert added[0] == body + "," + line[len(body) :], f"{path.name}: {removed} {added[:1]}"
        expected = json.loads(text)
        target = expected["deskpro"] if base else expected
        target.setdefault("storage", []).append(item)
        assert json.loads(doc.text) == expected


# -- styles ---------------------------------------------------------------------------------
@pytest.mark.parametrize("indent", [2, 4, "\t"])
def test_new_lines_copy_the_indentation(indent: int | str) -> None:
    value = {"deskpro": {"storage": [{"name": "a"}], "settings": [], "x": {}}}
    text = json.dumps(value, indent=indent) + "\n"
    doc = JsonText(text)
    doc.append("/deskpro/storage", {"name": "b", "perm": ["r"]})
    doc.append("/deskpro/settings", {"name": "s"})
    doc.set("/deskpro/x", "k", [])
    value["deskpro"]["storage"].append({"name": "b", "perm": ["r"]})
    value["deskpro"]["settings"].append({"name": "s"})
    value["deskpro"]["x"]["k"] = []
    assert doc.text == json.dumps(value, indent=indent) + "\n"


def test_crlf_and_no_final_newline_are_kept() -> None:
    text = '{\r\n  "a": [\r\n    1\r\n  ],\r\n  "b": []\r\n}'
    doc = JsonText(text)
    doc.append("/a", 2)
    doc.append("/b", {"c": True})
    assert doc.text == (
        '{\r\n  "a": [\r\n    1,\r\n    2\r\n  ],\r\n  "b": [\r\n    {\r\n      "c": true\r\n'
        "    }\r\n  ]\r\n}"
    )
    doc.remove("/a/0")
    assert doc.text.startswith('{\r\n  "a": [\r\n    2\r\n  ],')
    assert "\n" not in doc.text.replace("\r\n", "")


def test_non_ascii_text_stays_as_written() -> None:
    text = '{\n  "title": "Café ✓",\n  "tags": ["日本"]\n}\n'
    doc = JsonText(text)
    doc.append("/tags", "Ωmega")
    assert doc.text == '{\n  "title": "Café ✓",\n  "tags": ["日本", "Ωmega"]\n}\n'


def test_a_file_that_escapes_non_ascii_gets_escapes() -> None:
    text = '{\n  "title": "Caf\\u00e9",\n  "tags": []\n}\n'
    doc = JsonText(text)
    doc.append("/tags", "é")
    assert doc.text == '{\n  "title": "Caf\\u00e9",\n  "tags": [\n    "\\u00e9"\n  ]\n}\n'


def test_inline_and_compact_containers_grow_inline() -> None:
    doc = JsonText('{"a":[1,2],"b":{},"c":{ "d": 1 }}')
    doc.append("/a", 3)
    doc.set("/b", "x", [True])
    doc.set("/c", "e", {"f": None})
    assert doc.text == '{"a":[1,2,3],"b":{"x":[true]},"c":{ "d": 1, "e": { "f": null } }}'


def test_inline_array_in_a_pretty_file() -> None:
    text = (
        '{\n    "deskproApiTags": ["tickets.*"],\n    "targets": [\n'
        '        { "target": "a", "url": "b" }\n    ]\n}\n'
    )
    doc = JsonText(text)
    doc.append("/deskproApiTags", "users.*")
    doc.append("/targets", {"target": "install", "url": "html/install.html"})
    assert doc.text == (
        '{\n    "deskproApiTags": ["tickets.*", "users.*"],\n    "targets": [\n'
        '        { "target": "a", "url": "b" },\n'
        '        { "target": "install", "url": "html/install.html" }\n    ]\n}\n'
    )


def test_empty_containers_grow_and_shrink_back() -> None:
    text = '{\n  "a": [],\n  "b": { },\n  "c": [\n  ]\n}\n'
    doc = JsonText(text)
    doc.append("/a", "x")
    doc.set("/b", "k", 1)
    doc.append("/c", 2)
    assert (
        doc.text
        == '{\n  "a": [\n    "x"\n  ],\n  "b": {\n    "k": 1\n  },\n  "c": [\n    2\n  ]\n}\n'
    )
    doc.remove("/a/0")
    assert doc.text.startswith('{\n  "a": [],\n')


def test_blank_lines_and_odd_spacing_are_left_alone() -> None:
    text = '{\n  "a": 1,\n\n  "b" : [ 1 ],\n\n  "c": 3\n}\n'
    doc = JsonText(text)
    doc.remove("/c")
    assert doc.text == '{\n  "a": 1,\n\n  "b" : [ 1 ]\n}\n'
    doc.append("/b", 2)
    assert doc.text == '{\n  "a": 1,\n\n  "b" : [ 1, 2 ]\n}\n'
    doc.remove("/a")
    assert doc.text == '{\n  "b" : [ 1, 2 ]\n}\n'


def test_replace_keeps_the_place_and_copies_the_old_layout() -> None:
    text = '{\n  "a": { "x": 1 },\n  "b": "old"\n}'
    doc = JsonText(text)
    doc.replace("/a", {"x": 2, "y": 3})
    doc.replace("/b", "new")
    assert doc.text == '{\n  "a": { "x": 2, "y": 3 },\n  "b": "new"\n}'


def test_mistakes_raise_and_change_nothing() -> None:
    text = '{"a": [1], "b": {"c": 1, "c": 2}}'
    doc = JsonText(text)
    with pytest.raises(JsonEditError):
        doc.append("/b", 1)
    with pytest.raises(JsonEditError):
        doc.set("/a", "k", 1)
    with pytest.raises(JsonEditError):
        doc.remove("")
    with pytest.raises(JsonEditError):
        doc.remove("/zz")
    with pytest.raises(JsonEditError, match="more than once"):
        doc.set("/b", "d", 1)
    with pytest.raises(JsonEditError, match="more than once"):
        doc.remove("/b/c")
    assert doc.text == text
