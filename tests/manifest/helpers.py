"""Building manifests and projects for the manifest tests."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from deskpro_cli.manifest import load_source, validate_source
from deskpro_cli.problems import Problem

#: A valid 2.3.0 package.json, the shape `deskpro init` writes.
PACKAGE: dict[str, Any] = {
    "name": "my-app",
    "version": "1.0.0",
    "description": "An app",
    "author": {"name": "Me", "email": "me@example.com"},
    "deskpro": {
        "version": "2.3.0",
        "title": "My app",
        "isSingle": True,
        "scope": "agent",
        "targets": [{"target": "ticket-sidebar", "url": "html/index.html"}],
        "storage": [],
        "settings": [],
        "customFields": [],
        "deskproApiTags": [],
        "externalApis": [],
    },
}


def package(**deskpro: Any) -> dict[str, Any]:
    """PACKAGE with ``deskpro`` keys replaced (a value of ``...`` deletes the key)."""
    doc = copy.deepcopy(PACKAGE)
    for key, value in deskpro.items():
        if value is ...:
            doc["deskpro"].pop(key, None)
        else:
            doc["deskpro"][key] = value
    return doc


def manifest_json(**keys: Any) -> dict[str, Any]:
    """A valid 2.3.0 manifest.json (the composed form), with keys replaced or (``...``) removed."""
    doc = copy.deepcopy(PACKAGE)
    out = {
        "appVersion": doc["version"],
        "author": doc["author"],
        "description": doc["description"],
        "name": doc["name"],
        **doc["deskpro"],
    }
    for key, value in keys.items():
        if value is ...:
            out.pop(key, None)
        else:
            out[key] = value
    return out


def validate_doc(tmp_path: Path, doc: Any, name: str = "package.json") -> list[Problem]:
    """Write ``doc`` (indented JSON) as ``name`` and validate it."""
    path = tmp_path / name
    path.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
    return validate_source(load_source(path))


def rules_of(problems: list[Problem]) -> list[str]:
    return [p.rule for p in problems]


def only(problems: list[Problem], rule: str) -> Problem:
    """The one problem with ``rule`` (fails when there are none or several)."""
    found = [p for p in problems if p.rule == rule]
    assert len(found) == 1, f"expected one {rule}, got {problems}"
    return found[0]
