"""The resolved manifest.json equals what the old tool put in the zip, byte for byte."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from deskpro_cli.manifest import dumps_resolved, load_source, resolve
from deskpro_cli.manifest.resolve import js_number, normalise_storage, resolve_manifest


@pytest.mark.parametrize("name", ["boilerplate", "oauth-example"])
def test_resolved_manifest_equals_the_old_tools_output(
    shared_dir: Path, tmp_path: Path, name: str
) -> None:
    out = shared_dir / "spec" / "dpat-output"
    project = tmp_path / name
    project.mkdir()
    (project / "package.json").write_bytes((out / f"{name}.package.json").read_bytes())
    resolved = resolve(load_source(project))
    expected = (out / f"{name}.manifest.json").read_text(encoding="utf-8")
    assert dumps_resolved(resolved) == expected
    # field by field too, so a failure says which field differs
    assert resolved == json.loads(expected)
    assert list(resolved) == list(json.loads(expected))


def test_manifest_json_source_is_normalised_once(tree) -> None:
    manifest = {
        "version": "2.3.0",
        "settings": [
            {"name": "a", "title": "A", "required": True, "type": "text", "defaultValue": ""}
        ],
        "storage": [
            {"name": "x", "isBackendOnly": True, "permRead": "OWNER", "permWrite": "OWNER"}
        ],
        "targets": [
            {"target": "install", "url": "custom.html"},
            {"target": "ticket-sidebar", "url": "i.html"},
        ],
    }
    root = tree({"manifest.json": json.dumps(manifest), "src/main/html/i.html": ""})
    resolved = resolve(load_source(root))
    # one pass: settings-only entries first, then declared non-settings
    assert [s["name"] for s in resolved["storage"]] == ["a", "x"]
    # any install target is replaced by ours, appended last
    assert resolved["targets"] == [
        {"target": "ticket-sidebar", "url": "i.html"},
        {"target": "install", "url": "html/install.html"},
    ]
    # the source is left alone
    assert load_source(root).declared["storage"] == manifest["storage"]


def test_normalisation_merges_declared_permissions_and_backend_only() -> None:
    manifest = {
        "settings": [
            {"name": "token", "isBackendOnly": False},
            {"name": "key", "isBackendOnly": True},
            {"name": "plain"},
        ],
        "storage": [
            {"name": "token", "isBackendOnly": True, "permRead": "OWNER", "permWrite": "OWNER"},
            {
                "name": "key",
                "isBackendOnly": False,
                "permRead": "EVERYBODY",
                "permWrite": "EVERYBODY",
            },
            {"name": "other", "isBackendOnly": False, "permRead": "OWNER", "permWrite": "OWNER"},
        ],
    }
    once = normalise_storage(manifest)
    assert once["storage"] == [
        {"name": "plain", "isBackendOnly": False, "permRead": "EVERYBODY", "permWrite": "OWNER"},
        {"name": "other", "isBackendOnly": False, "permRead": "OWNER", "permWrite": "OWNER"},
        {"name": "token", "isBackendOnly": True, "permRead": "OWNER", "permWrite": "OWNER"},
        {"name": "key", "isBackendOnly": True, "permRead": "EVERYBODY", "permWrite": "EVERYBODY"},
    ]
    twice = normalise_storage(once)
    assert [s["name"] for s in twice["storage"]] == ["other", "token", "key", "plain"]
    # a third pass changes nothing: resolving a built manifest again is harmless
    assert normalise_storage(twice) == twice
    assert manifest["storage"][0]["isBackendOnly"] is True  # input untouched


def test_storage_created_by_normalisation_goes_last_and_empty_settings_change_nothing() -> None:
    m = {"version": "2.3.0", "settings": [{"name": "s"}], "targets": []}
    assert list(normalise_storage(m)) == ["version", "settings", "targets", "storage"]
    empty = {"version": "2.3.0", "settings": [], "storage": [{"name": "x"}]}
    assert normalise_storage(empty) == empty
    assert resolve_manifest({"targets": "odd"})["targets"] == "odd"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (1.0, "1"),
        (0.1, "0.1"),
        (-2.5, "-2.5"),
        (1e21, "1e+21"),
        (1e20, "100000000000000000000"),
        (1e-7, "1e-7"),
        (1.5e-6, "0.0000015"),
        (123456.789, "123456.789"),
        (float("inf"), "null"),
    ],
)
def test_numbers_are_written_like_javascript(value: float, text: str) -> None:
    assert js_number(value) == text


def test_dumps_resolved_is_compact_and_keeps_unicode() -> None:
    text = dumps_resolved({"title": 'Ünïcødé \u2028 "q"', "n": [1, 2.0, True, None], "s": "\ud800"})
    assert text == '{"title":"Ünïcødé \u2028 \\"q\\"","n":[1,2,true,null],"s":"\\ud800"}'
    text.encode("utf-8")  # lone surrogates are escaped, so the text is encodable
