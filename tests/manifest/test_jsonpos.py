"""The position-aware JSON parser: same values as json.loads, exact spans, clear syntax errors."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deskpro_cli.manifest.jsonpos import (
    MAX_DEPTH,
    JsonSyntaxError,
    join_pointer,
    parse_json,
    split_pointer,
)
from deskpro_cli.manifest.jsonreparse import reparse_inside


def resolve_pointer(doc: Any, pointer: str) -> Any:
    for token in split_pointer(pointer):
        doc = doc[int(token)] if isinstance(doc, list) else doc[token]
    return doc


def same(a: Any, b: Any) -> bool:
    """Equality that also compares types (True != 1 here) and treats NaN-free floats exactly."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def all_pointers(doc: Any, pointer: str = "") -> list[str]:
    out = [pointer]
    if isinstance(doc, dict):
        for k, v in doc.items():
            out += all_pointers(v, join_pointer(pointer, k))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            out += all_pointers(v, join_pointer(pointer, i))
    return out


json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(alphabet=st.characters(codec="utf-8"), max_size=8)
)
keys = st.text(alphabet=st.sampled_from('ab/~ "\\é\n\u2028😀'), max_size=4)
json_values = st.recursive(
    json_scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(keys, children, max_size=4),
    max_leaves=25,
)


@st.composite
def json_texts(draw: st.DrawFn) -> str:
    value = draw(json_values)
    style = draw(st.sampled_from(["compact", "indent", "spacey", "ascii", "crlf"]))
    if style == "compact":
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    if style == "indent":
        return json.dumps(value, indent=draw(st.integers(0, 4)), ensure_ascii=False)
    if style == "spacey":
        return "\n \t" + json.dumps(value, separators=(" , ", " :\t"), ensure_ascii=False) + " \r\n"
    if style == "crlf":
        return json.dumps(value, indent="\t").replace("\n", "\r\n") + "\r\n"
    return json.dumps(value, indent=2)


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(json_texts())
def test_value_and_spans_match_json_loads(text: str) -> None:
    parsed = parse_json(text)
    expected = json.loads(text)
    assert same(parsed.value, expected)
    assert list(parsed.spans) == all_pointers(expected)
    lines = text.split("\n")
    for pointer, span in parsed.spans.items():
        # every span slice re-parses to the value at that pointer
        assert same(json.loads(text[span.start : span.end]), resolve_pointer(expected, pointer))
        # line/column name the same character as the offset
        assert lines[span.line - 1][span.column - 1] == text[span.start]
        if span.key_start is not None:
            assert span.key_end is not None
            key = json.loads(text[span.key_start : span.key_end])
            assert split_pointer(pointer)[-1] == key
            assert text[span.key_start] == '"' and text[span.key_end - 1] == '"'
        else:
            assert pointer == "" or isinstance(
                resolve_pointer(expected, pointer.rsplit("/", 1)[0]), list
            )


@settings(max_examples=300)
@given(st.text(alphabet=st.sampled_from("{}[]\",:0123456789.eE-+ truefalsn\\ux\n'/"), max_size=30))
def test_accepts_and_rejects_exactly_what_json_loads_does(text: str) -> None:
    try:
        expected = json.loads(text)
    except (ValueError, RecursionError) as exc:
        with pytest.raises(JsonSyntaxError) as info:
            parse_json(text)
        if isinstance(exc, json.JSONDecodeError):
            assert 1 <= info.value.line <= text.count("\n") + 1
        return
    # 1e999 is valid JSON and becomes inf in both parsers; NaN cannot arise from this alphabet
    assert same(parse_json(text).value, expected)


def test_key_order_and_last_duplicate_wins_like_json_loads() -> None:
    text = '{"b": 1, "a": {"x": [1, 2]}, "b": 2, "a": {"y": 3}}'
    parsed = parse_json(text)
    assert same(parsed.value, json.loads(text))
    assert list(parsed.value) == ["b", "a"]
    assert parsed.duplicates == ["/b", "/a"]
    # the replaced value's parts are gone; the surviving ones point at the last occurrence
    assert "/a/x" not in parsed.spans and "/a/x/0" not in parsed.spans
    assert text[parsed.spans["/a/y"].start : parsed.spans["/a/y"].end] == "3"
    b = parsed.spans["/b"]
    assert text[b.start : b.end] == "2"
    assert b.key_start is not None and text[b.key_start : b.key_end] == '"b"'
    assert b.key_start == text.rindex('"b"')


def test_numbers_exact_ints_and_json_floats() -> None:
    text = "[12345678901234567890123, -0, 0.1, 1e400, -1.5E-3, 1E2]"
    parsed = parse_json(text)
    assert same(parsed.value, json.loads(text))
    assert parsed.value[0] == 12345678901234567890123
    assert isinstance(parsed.value[5], float)


def test_pointer_escaping_and_spans() -> None:
    text = '{\n  "a/b": {"m~n": true},\n  "": [null, "x"]\n}\n'
    parsed = parse_json(text)
    span = parsed.spans["/a~1b/m~0n"]
    assert (span.line, span.column) == (2, 18)
    assert text[span.start : span.end] == "true"
    assert parsed.spans["/"].line == 3
    assert parsed.spans["//1"].key_start is None
    root = parsed.spans[""]
    assert (root.start, root.end, root.line, root.column) == (0, len(text) - 1, 1, 1)
    assert root.key_start is None


def test_nearest_and_key_position() -> None:
    parsed = parse_json('{\n  "deskpro": {\n    "targets": []\n  }\n}')
    assert parsed.nearest("/deskpro/targets/3/url")[0] == "/deskpro/targets"
    assert parsed.nearest("/nothing")[0] == ""
    assert parsed.key_position("/deskpro/targets") == (3, 5)
    assert parsed.key_position("") is None


@pytest.mark.parametrize(
    ("text", "line", "column", "words"),
    [
        ("", 1, 1, "Expecting value"),
        ("   \n  ", 2, 3, "Expecting value"),
        # a trailing comma is placed at the comma (on its own line when the bracket is not)
        ('{"a": 1,}', 1, 8, "Trailing comma"),
        ("[1, 2,]", 1, 6, "Trailing comma"),
        ('{\n  "a": 1,\n}', 2, 9, "Trailing comma"),
        ("[\n  1,\n  2,\n\n]", 3, 4, "Trailing comma"),
        ('{\n  "a": 1\n  "b": 2\n}', 3, 3, "Expecting ','"),
        ('{"a" 1}', 1, 6, "Expecting ':'"),
        ("{'a': 1}", 1, 2, "double quotes"),
        ("{\"a\": 'x'}", 1, 7, "double quotes"),
        ('{"a": 1} x', 1, 10, "Extra data"),
        ('{"a": 1}{}', 1, 9, "Extra data"),
        ('"abc', 1, 1, "Unterminated string"),
        ('["a\nb"]', 1, 4, "Invalid control character"),
        ('["\\q"]', 1, 3, "Invalid \\escape"),
        ("\ufeff{}", 1, 1, "BOM"),
        ('{"a": 1 // note\n}', 1, 9, "Expecting ','"),
        ('{// note\n"a": 1}', 1, 2, "Comments"),
        ("[01]", 1, 3, "Expecting ','"),
        ("[-]", 1, 2, "Expecting value"),
        ("[1.]", 1, 3, "Expecting ','"),
        ('{"a": tru}', 1, 7, "Expecting value"),
        ("[1, 2", 1, 6, "Expecting ','"),
        ('{"a": {"b": [1, {"c": ', 1, 23, "Expecting value"),
    ],
)
def test_syntax_errors_name_line_and_column(text: str, line: int, column: int, words: str) -> None:
    with pytest.raises(json.JSONDecodeError):
        json.loads(text)
    with pytest.raises(JsonSyntaxError) as info:
        parse_json(text)
    err = info.value
    assert isinstance(err, ValueError)
    assert (err.line, err.column) == (line, column), err
    assert words in err.msg
    assert text[: err.offset].count("\n") + 1 == line


@pytest.mark.parametrize(
    ("text", "column", "word"),
    [('{"a": NaN}', 7, "NaN"), ("[Infinity]", 2, "Infinity"), ("[-Infinity]", 2, "-Infinity")],
)
def test_non_standard_numbers_that_json_loads_takes_are_refused(
    text: str, column: int, word: str
) -> None:
    json.loads(text)  # Python's json is lenient here; the strict grammar is not
    with pytest.raises(JsonSyntaxError) as info:
        parse_json(text)
    assert info.value.column == column
    assert info.value.msg == f"{word} is not valid JSON"


def test_deep_nesting_is_parsed_up_to_the_limit_and_refused_beyond_it() -> None:
    deepest = parse_json("[" * MAX_DEPTH + "]" * MAX_DEPTH)
    assert len(deepest.spans) == MAX_DEPTH
    # far deeper: a clean error at the first bracket too many, at once (every value's pointer
    # names its parents, so 100,000 levels would otherwise take gigabytes)
    text = '{"a": ' + "[" * 100_000 + "]" * 100_000 + "}"
    with pytest.raises(JsonSyntaxError) as info:
        parse_json(text)
    assert info.value.offset == len('{"a": ') + MAX_DEPTH - 1
    assert f"more than {MAX_DEPTH} levels" in info.value.msg


def test_large_document() -> None:
    doc = {
        "items": [{"name": f"item{i}", "n": i, "f": i / 7, "ok": i % 2 == 0} for i in range(50_000)]
    }
    text = json.dumps(doc, indent=2)
    parsed = parse_json(text)
    assert parsed.value == doc
    span = parsed.spans["/items/49999/name"]
    assert text[span.start : span.end] == '"item49999"'


def test_split_pointer_rejects_non_pointers() -> None:
    with pytest.raises(ValueError, match="not a JSON pointer"):
        split_pointer("deskpro")
    assert split_pointer("/a~1b/~0") == ["a/b", "~"]
    assert join_pointer("", "a/b", 0, "~") == "/a~1b/0/~0"


# -- re-parsing one container after a splice (what the editor does after every edit) --------------
@st.composite
def texts_with_repeated_keys(draw: st.DrawFn) -> str:
    """A JSON text, sometimes inside an object that repeats a key around it."""
    text = draw(json_texts())
    if draw(st.booleans()):
        other = draw(json_texts())
        text = f'{{"k": {text},\n "z": [1,\n 2], "k": {other}}}'
    return text


# JSON tokens and spacing: most splices of these are invalid, some are valid
_PIECES = st.lists(st.sampled_from([*'{}[],:" 0\n', '"a"', "true", "[1]"]), max_size=6).map("".join)


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=texts_with_repeated_keys(), data=st.data())
def test_reparse_inside_gives_what_a_full_parse_gives(text: str, data: st.DataObject) -> None:
    parsed = parse_json(text)
    containers = [p for p, s in parsed.spans.items() if text[s.start] in "{["]
    if not containers:
        return
    pointer = data.draw(st.sampled_from(containers))
    outer = parsed.spans[pointer]
    start = data.draw(st.integers(outer.start + 1, outer.end - 1))
    end = data.draw(st.integers(start, outer.end - 1))
    kids = [s for p, s in parsed.spans.items() if p.startswith(pointer + "/")]
    valid_value = json.dumps(data.draw(json_values))
    new = data.draw(
        st.sampled_from(
            # a child replaced by another value: always valid
            [(s.start, s.end, valid_value) for s in kids]
            # the container emptied: always valid
            + [(outer.start + 1, outer.end - 1, " ")]
            # anything anywhere: mostly invalid
            + [(start, end, data.draw(_PIECES))]
        )
    )
    new_text = text[: new[0]] + new[2] + text[new[1] :]
    try:
        full = parse_json(new_text)
    except JsonSyntaxError:
        with pytest.raises(JsonSyntaxError):
            reparse_inside(parsed, pointer, *new)
        return
    got = reparse_inside(parsed, pointer, *new)
    assert got.text == new_text
    assert same(got.value, full.value)
    assert list(got.spans.items()) == list(full.spans.items())
    assert sorted(got.duplicates) == sorted(full.duplicates)
    assert same(parsed.value, parse_json(text).value), "the old parse must not change"


def test_reparse_inside_refuses_a_range_outside_the_container() -> None:
    parsed = parse_json('{"a": [1, 2], "b": 3}')
    with pytest.raises(ValueError, match="not inside"):
        reparse_inside(parsed, "/a", 0, 1, "")
    with pytest.raises(ValueError, match="not inside"):
        reparse_inside(parsed, "/b", 18, 18, "")
