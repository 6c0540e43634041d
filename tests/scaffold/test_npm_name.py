"""npm's package-name rules for new packages (deskpro_cli.npm_name)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deskpro_cli.npm_name import MAX_LENGTH, name_problems, suggest_name


@pytest.mark.parametrize(
    "name",
    ["my-app", "a", "app.v2", "x_y", "deskpro-github", "@acme/my-app", "@my-org/app.js", "a" * 214],
)
def test_valid_names(name: str) -> None:
    assert name_problems(name) == []


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("", "must not be empty"),
        (".app", "period"),
        ("_app", "underscore"),
        ("My-App", "lower case"),
        ("my app", "letters, digits"),
        (" app", "spaces"),
        ("http", "core module"),
        ("node_modules", "reserved"),
        ("favicon.ico", "reserved"),
        ("a" * (MAX_LENGTH + 1), "at most 214"),
        ("app!", "~'!()*"),
        ("@acme/My", "lower case"),
        ("a/b", "letters, digits"),
        ("@acme/a/b", "letters, digits"),
        ("caf\u00e9", "letters, digits"),
        ("app?x=1", "letters, digits"),
    ],
)
def test_invalid_names(name: str, reason: str) -> None:
    problems = name_problems(name)
    assert problems, name
    assert any(reason in p for p in problems), problems


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("my-app", "my-app"),
        ("My Cool App", "my-cool-app"),
        ("  Über App!! ", "uber-app"),
        ("Café Tools", "cafe-tools"),
        ("日本語", "deskpro-app"),
        ("@Acme/Tools", "@acme/tools"),
        ("@Acme/My Tools", "acme-my-tools"),
        (".hidden", "hidden"),
        ("___", "deskpro-app"),
        ("http", "http-app"),
        ("", "deskpro-app"),
    ],
)
def test_suggest_name(text: str, expected: str) -> None:
    assert suggest_name(text) == expected


@settings(deadline=None)  # the machine is shared: no per-example time limit
@given(st.text(max_size=300))
def test_suggested_names_are_always_valid(text: str) -> None:
    assert name_problems(suggest_name(text)) == []
