"""The quick yes/no schema check agrees with jsonschema on every manifest we can generate."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from deskpro_cli.manifest import SUPPORTED_VERSIONS
from deskpro_cli.manifest.quickcheck import quick_valid
from deskpro_cli.manifest.schema import schema_for

from .helpers import manifest_json

CHOICE = {
    "name": "c",
    "title": "C",
    "required": False,
    "type": "choice",
    "multi": False,
    "choices": [{"title": "A", "value": "a"}],
    "defaultValue": "a",
}
FULL = manifest_json(
    settings=[
        {"name": "t", "title": "T", "required": True, "type": "text", "defaultValue": ""},
        {"name": "b", "title": "B", "required": False, "type": "boolean", "defaultValue": True},
        CHOICE,
        {
            "name": "v",
            "title": "V",
            "required": True,
            "type": "textarea",
            "defaultValue": "x",
            "validator": {"type": "regex", "pattern": "^x"},
        },
    ],
    storage=[{"name": "s", "isBackendOnly": True, "permRead": "OWNER", "permWrite": "OWNER"}],
    customFields=[{"type": "text", "alias": "a1", "attachedTo": "ticket", "title": "F"}],
)

ODD_VALUES = st.sampled_from(
    [
        None,
        True,
        False,
        0,
        1,
        1.0,
        2.5,
        "",
        "x",
        "agent",
        "OWNER",
        "EVERYBODY",
        "ticket-sidebar",
        "text",
        "choice",
        "boolean",
        "regex",
        "1abc",
        [],
        ["x"],
        [{}],
        {},
        {"name": "n"},
    ]
)


def paths(doc: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(doc, dict):
        for k, v in doc.items():
            out += paths(v, (*prefix, k))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            out += paths(v, (*prefix, i))
    return out


@st.composite
def mutated(draw: st.DrawFn) -> dict[str, Any]:
    doc = copy.deepcopy(FULL)
    for _ in range(draw(st.integers(0, 3))):
        where = draw(st.sampled_from(paths(doc)[1:]))
        parent = doc
        for token in where[:-1]:
            parent = parent[token]
        action = draw(st.sampled_from(["set", "delete", "add"]))
        if action == "set":
            parent[where[-1]] = copy.deepcopy(draw(ODD_VALUES))
        elif action == "delete":
            del parent[where[-1]]
        elif isinstance(parent, dict):
            key = draw(st.sampled_from(["extra", "title", "state", "domainWhitelist"]))
            parent[key] = copy.deepcopy(draw(ODD_VALUES))
    return doc


@pytest.mark.parametrize("version", SUPPORTED_VERSIONS)
def test_valid_manifests_are_valid(version: str) -> None:
    doc = {**FULL, "version": version}
    validator = Draft202012Validator(schema_for(version))
    assert quick_valid(schema_for(version), doc) == validator.is_valid(doc)


@settings(max_examples=600, suppress_health_check=[HealthCheck.too_slow])
@given(mutated(), st.sampled_from(SUPPORTED_VERSIONS))
def test_quick_check_agrees_with_jsonschema(doc: dict[str, Any], version: str) -> None:
    doc = {**doc, "version": version}
    expected = Draft202012Validator(schema_for(version)).is_valid(doc)
    assert quick_valid(schema_for(version), doc) == expected


def test_unknown_keywords_defer_to_jsonschema() -> None:
    assert quick_valid({"type": "string", "maxLength": 3}, "abcd") is None
    assert quick_valid({"$ref": "http://elsewhere/schema"}, 1) is None
    assert quick_valid({"type": "integer"}, 2.0) is True
    assert quick_valid({"enum": [1]}, True) is False
    assert quick_valid({"const": {"a": [1.0]}}, {"a": [1]}) is True
