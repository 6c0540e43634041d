"""DP104 inside items: misspelt keys of targets, settings, storage items, custom fields, author.

The helpdesk ignores keys it does not know inside these objects (every schema version tolerates
them), so a typo silently changes what the app does: these are warnings, with the key it meant.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .helpers import manifest_json, only, package, rules_of, validate_doc
from conftest import CliFixture

SECRET = {
    "name": "apiToken",
    "title": "API token",
    "required": True,
    "type": "text",
    "defaultValue": "",
    "isBackendOnly": True,
}


def test_misspelt_backend_only_says_what_it_leaves_exposed(tmp_path: Path) -> None:
    setting = {k: v for k, v in SECRET.items() if k != "isBackendOnly"} | {"isBackendonly": True}
    problems = validate_doc(tmp_path, package(settings=[setting]))
    p = only(problems, "DP104")
    assert p.severity == "warning"
    assert p.pointer == "/deskpro/settings/0/isBackendonly"
    assert 'unknown key "isBackendonly" in settings[0]' in p.message
    assert 'did you mean "isBackendOnly"' in p.message
    assert "not backend-only" in p.message
    assert p.hint == 'rename it to "isBackendOnly"'
    # the secret rule sees the setting as the helpdesk will: readable by every agent
    assert "DP205" in rules_of(problems)
    # placed at the key itself
    line = (tmp_path / "package.json").read_text().splitlines()[p.line - 1]
    assert line[p.column - 1 :].startswith('"isBackendonly"')


@pytest.mark.parametrize(
    ("where", "item", "bad", "meant"),
    [
        ("targets", {"target": "ticket-sidebar", "url": "html/index.html"}, "Target", None),
        ("settings", SECRET, "default_value", None),
        (
            "settings",
            {k: v for k, v in SECRET.items() if k != "validator"},
            "validater",
            "validator",
        ),
        ("storage", {"name": "x", "isBackendOnly": True, "permRead": "OWNER"}, "perm", None),
    ],
)
def test_unknown_item_keys_with_did_you_mean(
    tmp_path: Path, where: str, item: dict, bad: str, meant: str | None
) -> None:
    doc = package(**{where: [{**item, bad: "x"}]})
    p = only(validate_doc(tmp_path, doc), "DP104")
    assert p.severity == "warning"
    assert p.pointer == f"/deskpro/{where}/0/{bad}"
    if meant is None:
        # the key it resembles is already there (or nothing is close): no suggestion
        assert "did you mean" not in p.message and p.hint == "remove the key"
    else:
        assert f'did you mean "{meant}"' in p.message


@pytest.mark.parametrize(
    ("where", "item", "bad", "meant"),
    [
        ("targets", {"target": "ticket-sidebar"}, "URL", "url"),
        ("settings", {k: v for k, v in SECRET.items() if k != "required"}, "requierd", "required"),
        (
            "storage",
            {"name": "x", "isBackendOnly": True, "permRead": "OWNER"},
            "permwrite",
            "permWrite",
        ),
    ],
)
def test_a_typo_for_a_required_key_is_reported_once_as_the_error(
    tmp_path: Path, where: str, item: dict, bad: str, meant: str
) -> None:
    """The schema's DP101 already says to rename it: no second report of the same key."""
    problems = validate_doc(tmp_path, package(**{where: [{**item, bad: "x"}]}))
    p = only(problems, "DP101")
    assert p.hint == f'rename "{bad}" to "{meant}"'
    assert "DP104" not in rules_of(problems)


def test_a_typo_that_changes_nothing_claims_nothing(tmp_path: Path) -> None:
    """`"isBackendonly": false` leaves the setting as written; a typo on a setting whose storage
    item is backend-only leaves it backend-only: no "agents' browsers can read it"."""
    as_meant = {k: v for k, v in SECRET.items() if k != "isBackendOnly"} | {"isBackendonly": False}
    p = only(validate_doc(tmp_path, package(settings=[as_meant])), "DP104")
    assert 'did you mean "isBackendOnly"' in p.message and "browsers" not in p.message
    typo = {k: v for k, v in SECRET.items() if k != "isBackendOnly"} | {"isBackendonly": True}
    storage = {"name": "apiToken", "isBackendOnly": True, "permRead": "OWNER", "permWrite": "OWNER"}
    problems = validate_doc(tmp_path, package(settings=[typo], storage=[storage]))
    p = only(problems, "DP104")
    assert 'did you mean "isBackendOnly"' in p.message and "browsers" not in p.message
    assert "DP205" not in rules_of(problems)  # the helpdesk keeps it backend-only


def test_validator_choices_custom_fields_and_author(tmp_path: Path) -> None:
    choice = {
        "name": "colour",
        "title": "Colour",
        "required": False,
        "type": "choice",
        "multi": False,
        "choices": [{"title": "Red", "value": "red", "valeur": "rouge"}],
    }
    validator = {"type": "regex", "pattern": "^[0-9]+$", "patern": "^[a-z]+$"}
    text = {**SECRET, "name": "code", "validator": validator}
    field = {"type": "text", "alias": "x", "attachedTo": "ticket", "title": "X", "help": "?"}
    doc = manifest_json(
        settings=[text, choice],
        customFields=[field],
        author={"name": "Me", "email": "me@example.com", "homepage": "https://example.com"},
    )
    problems = validate_doc(tmp_path, doc, "manifest.json")
    pointers = sorted(p.pointer for p in problems if p.rule == "DP104")
    assert pointers == [
        "/author/homepage",
        "/customFields/0/help",
        "/settings/0/validator/patern",
        "/settings/1/choices/0/valeur",
    ]
    assert all(p.severity == "warning" for p in problems if p.rule == "DP104")


def test_known_keys_of_every_kind_are_quiet(tmp_path: Path) -> None:
    choice = {
        "name": "colour",
        "title": "Colour",
        "required": False,
        "isBackendOnly": False,
        "type": "choice",
        "multi": True,
        "choices": [{"title": "Red", "value": "red"}, {"value": "blue"}],
        "defaultValue": ["red"],
    }
    text = {**SECRET, "validator": {"type": "regex", "pattern": "^[0-9]+$"}}
    storage = {"name": "s", "isBackendOnly": True, "permRead": "OWNER", "permWrite": "OWNER"}
    field = {"type": "text", "alias": "x", "attachedTo": "ticket", "title": "X"}
    author = {"name": "Me", "email": "me@example.com", "url": "https://example.com"}
    doc = package(settings=[text, choice], storage=[storage], customFields=[field])
    doc["author"] = author
    assert validate_doc(tmp_path, doc) == []


def test_strict_fails_on_a_misspelt_item_key(cli: CliFixture, tmp_path: Path) -> None:
    doc = package(targets=[{"target": "ticket-sidebar", "url": "html/index.html", "uri": "x"}])
    (tmp_path / "package.json").write_text(json.dumps(doc, indent=2) + "\n")
    assert "warning DP104" in cli("validate", tmp_path).output
    cli("validate", "--strict", tmp_path, code=1)


def test_items_of_a_list_the_version_lacks_are_not_judged(tmp_path: Path) -> None:
    """2.1.0 has no customFields (the helpdesk ignores the list), so its items are not judged."""
    field = {"type": "text", "alias": "x", "attachedTo": "ticket", "title": "X", "help": "?"}
    doc = package(version="2.1.0", customFields=[field])
    assert [p for p in validate_doc(tmp_path, doc) if p.rule == "DP104"] == []
    doc = package(version="2.4.0", customFields=[field], externalApis=..., domainWhitelist=[])
    problems = [p for p in validate_doc(tmp_path, doc) if p.rule == "DP104"]
    assert [p.pointer for p in problems] == ["/deskpro/customFields/0/help"]
