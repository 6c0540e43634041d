"""Property tests of the editing commands on generated manifests and edit sequences.

Every accepted edit leaves a manifest that `deskpro validate` passes, changes only the key it
edits, and keeps the file's style; every refused edit leaves the file's bytes as they were.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deskpro_cli.errors import DeskproError
from deskpro_cli.manifest.edit_domains import add_domain, remove_domain, to_literals
from deskpro_cli.manifest.edit_settings import SettingRequest, add_setting, remove_setting
from deskpro_cli.manifest.edit_storage import StorageRequest, add_storage, remove_storage
from deskpro_cli.manifest.model import whitelist_key
from deskpro_cli.manifest.source import load_source
from deskpro_cli.manifest.validate import validate_source
from deskpro_cli.manifest.whitelist import literal_for_host

from .edit_support import manifest_json, package_json, write_project

VERSIONS = ["2.1.0", "2.2.0", "2.3.0", "2.4.0"]
NAMES = [
    "apiKey",
    "clientSecret",
    "title",
    "url",
    "color",
    "oauth:github",
    "oauth:github:tokens",
    "oauth:gitlab",
    "cache",
    "név",
    "bad name",
]
PATTERNS = [
    "api.github.com",
    "*.github.com",
    "http://x.example.com",
    "HTTPS://API.GITHUB.COM/",
    "/^https:\\/\\/a\\.com$/",
    "/(/",
    "bad host",
    "a.com/path",
    "/^https?:\\/\\/.*$/",
    "/^https?://([^.]+\\.)*github.com/?.*$/",
    "nope",
]

ANY_SETTING = st.builds(
    SettingRequest,
    name=st.sampled_from(NAMES),
    title=st.sampled_from(["Title", "Ünïcode ✓", ""]),
    type=st.sampled_from(["text", "textarea", "choice", "boolean", "select"]),
    required=st.sampled_from([None, True, False]),
    default=st.sampled_from([None, "", "a", "true", "no", "x"]),
    backend_only=st.sampled_from([None, True, False]),
    choices=st.lists(st.sampled_from(["a", "b=B", "c=", "=x"]), max_size=3),
    multi=st.booleans(),
    validator=st.sampled_from([None, "^.+$", "(", "^[0-9]+$"]),
)
SENSIBLE_SETTING = st.one_of(
    st.builds(
        SettingRequest,
        name=st.sampled_from(NAMES),
        title=st.just("Title"),
        type=st.sampled_from(["text", "textarea"]),
        required=st.booleans(),
        default=st.sampled_from([None, "", "x"]),
        backend_only=st.sampled_from([None, True, False]),
        validator=st.sampled_from([None, "^.+$"]),
    ),
    st.builds(
        SettingRequest,
        name=st.sampled_from(NAMES),
        title=st.just("Title"),
        type=st.just("boolean"),
        default=st.sampled_from([None, "true", "off"]),
    ),
    st.builds(
        SettingRequest,
        name=st.sampled_from(NAMES),
        title=st.just("Title"),
        type=st.just("choice"),
        choices=st.just(["a", "b=B"]),
        default=st.sampled_from([None, "b"]),
        multi=st.booleans(),
    ),
)
SETTING_REQUESTS = st.one_of(SENSIBLE_SETTING, ANY_SETTING)
STORAGE_REQUESTS = st.builds(
    StorageRequest,
    name=st.sampled_from(NAMES),
    backend_only=st.sampled_from([None, True, False]),
    read=st.sampled_from([None, "EVERYBODY", "OWNER", "owner", "nobody"]),
    write=st.sampled_from([None, "EVERYBODY", "OWNER"]),
)
ADDS = st.one_of(
    st.tuples(st.just("settings.add"), SETTING_REQUESTS),
    st.tuples(st.just("storage.add"), STORAGE_REQUESTS),
    st.tuples(st.just("domains.add"), st.sampled_from(PATTERNS)),
)


def draw_op(data: st.DataObject, manifest: dict[str, Any], version: str) -> tuple[str, Any]:
    """An edit: an add, or a remove of something that is there (usually) or not."""
    if data.draw(st.booleans()):
        return data.draw(ADDS)
    group = data.draw(st.sampled_from(["settings", "storage", "domains"]))
    if group == "domains":
        present = [e for e in manifest.get(whitelist_key(version), []) if isinstance(e, str)]
        pool = PATTERNS
    else:
        present = names(manifest, group)
        pool = NAMES
    if present and data.draw(st.integers(0, 3)) > 0:
        return (f"{group}.remove", data.draw(st.sampled_from(present)))
    return (f"{group}.remove", data.draw(st.sampled_from(pool)))


SAFE_STORAGE = {
    "oauth:github": {"isBackendOnly": True, "permRead": "EVERYBODY", "permWrite": "OWNER"},
    "oauth:github:tokens": {"isBackendOnly": True, "permRead": "OWNER", "permWrite": "OWNER"},
    "cache": {"isBackendOnly": False, "permRead": "EVERYBODY", "permWrite": "EVERYBODY"},
    "apiKey": {"isBackendOnly": True, "permRead": "EVERYBODY", "permWrite": "OWNER"},
}
SETTINGS = {
    "title": {"title": "Title", "type": "text", "required": True, "defaultValue": ""},
    "color": {
        "title": "Colour",
        "type": "choice",
        "required": False,
        "defaultValue": "r",
        "multi": False,
        "choices": [{"title": "Red", "value": "r"}],
    },
    "clientSecret": {
        "title": "Secret",
        "type": "textarea",
        "required": True,
        "defaultValue": "",
        "isBackendOnly": True,
    },
}


@st.composite
def projects(draw: st.DrawFn) -> dict[str, Any]:
    """A valid project: its version, kind, file style and initial content."""
    version = draw(st.sampled_from(VERSIONS))
    extra: dict[str, Any] = {}
    if draw(st.booleans()):
        names = draw(st.lists(st.sampled_from(sorted(SETTINGS)), unique=True, max_size=3))
        extra["settings"] = [{"name": n, **SETTINGS[n]} for n in names]
    if draw(st.booleans()):
        names = draw(st.lists(st.sampled_from(sorted(SAFE_STORAGE)), unique=True, max_size=3))
        extra["storage"] = [{"name": n, **SAFE_STORAGE[n]} for n in names]
    if draw(st.booleans()):
        hosts = draw(
            st.lists(
                st.sampled_from(["github.com", "api.github.com", "*.example.com"]),
                unique=True,
                max_size=3,
            )
        )
        extra[whitelist_key(version)] = [literal_for_host(h) for h in hosts]
    kind = draw(st.sampled_from(["package.json", "manifest.json"]))
    doc = (
        package_json(version, **extra)
        if kind == "package.json"
        else manifest_json(version, **extra)
    )
    return {
        "doc": doc,
        "kind": kind,
        "version": version,
        "indent": draw(st.sampled_from([2, 4, "\t"])),
        "crlf": draw(st.booleans()),
        "final_newline": draw(st.booleans()),
    }


def run_op(path: Path, op: tuple[str, Any]) -> None:
    kind, arg = op
    calls: dict[str, Callable[[Path, Any], Any]] = {
        "settings.add": add_setting,
        "settings.remove": remove_setting,
        "storage.add": add_storage,
        "storage.remove": remove_storage,
        "domains.add": add_domain,
        "domains.remove": remove_domain,
    }
    calls[kind](path, arg)


def manifest_of(doc: dict[str, Any], kind: str) -> dict[str, Any]:
    return doc["deskpro"] if kind == "package.json" else doc


def names(manifest: dict[str, Any], key: str) -> list[str]:
    return [i.get("name") for i in manifest.get(key, []) if isinstance(i, dict)]


def edited_key(op: tuple[str, Any], version: str) -> str:
    group = op[0].split(".")[0]
    return {"settings": "settings", "storage": "storage", "domains": whitelist_key(version)}[group]


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(project=projects(), data=st.data())
def test_accepted_edits_stay_valid_and_refused_edits_change_nothing(
    project: dict[str, Any], data: st.DataObject
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "app"
        path = write_project(
            folder,
            project["doc"],
            kind=project["kind"],
            indent=project["indent"],
            crlf=project["crlf"],
            final_newline=project["final_newline"],
        )
        if project["kind"] == "manifest.json":
            (folder / "src").mkdir()
        assert not [p for p in validate_source(load_source(folder)) if p.is_error]
        for _ in range(data.draw(st.integers(1, 6))):
            before = path.read_bytes()
            current = manifest_of(json.loads(before), project["kind"])
            op = draw_op(data, current, project["version"])
            try:
                run_op(folder, op)
            except DeskproError:
                assert path.read_bytes() == before, f"refused {op} changed the file"
                continue
            after = path.read_bytes()
            problems = validate_source(load_source(folder))
            assert not [p for p in problems if p.is_error], (op, problems)
            # only the edited key changed
            key = edited_key(op, project["version"])
            old_doc, new_doc = json.loads(before), json.loads(after)
            old_m, new_m = (
                manifest_of(old_doc, project["kind"]),
                manifest_of(new_doc, project["kind"]),
            )
            old_items = old_m.pop(key, [])
            new_items = new_m.pop(key, [])
            assert old_doc == new_doc, op
            # the edit did what it said
            kind, arg = op
            if kind.endswith(".add"):
                assert len(new_items) == len(old_items) + 1
                if kind == "domains.add":
                    assert new_items[-1] == to_literals(arg)[0]
                else:
                    assert new_items[-1]["name"] == arg.name
            else:
                assert len(new_items) < len(old_items)
                if kind != "domains.remove":
                    assert arg not in names({key: new_items}, key)
            # the style stayed
            text = after.decode("utf-8")
            assert text.endswith("\n") == project["final_newline"]
            if project["crlf"]:
                assert "\n" not in text.replace("\r\n", "")
            else:
                assert "\r" not in text
