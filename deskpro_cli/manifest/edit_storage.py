"""``deskpro storage list|add|remove``: the app's storage items and who may read and write them.

Defaults, chosen so that a forgotten option never leaks anything:

* ``oauth:<provider>`` (the OAuth connection with the client secret): backend-only, read by
  everybody (the proxy reads it for any agent), written by its owner;
* ``oauth:<provider>:tokens`` (each agent's own access token): backend-only, read and written
  by its owner only;
* a name that looks like a secret (:func:`~deskpro_cli.manifest.secrets.looks_secret`):
  backend-only, read by everybody, written by its owner;
* anything else: what the old tool gives a setting's value, readable from the browser, read by
  everybody, written by its owner.

``--backend-only/--no-backend-only``, ``--read`` and ``--write`` override each default. Items go
under ``storage`` (what every real manifest and the packager use), or under ``state`` when the
manifest keeps its items there and has no ``storage``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from deskpro_cli.errors import UsageError
from deskpro_cli.manifest.edit import Editor, EditResult
from deskpro_cli.manifest.model import (
    PERMISSIONS,
    items_key,
    oauth_connection_provider,
    oauth_tokens_provider,
)
from deskpro_cli.manifest.secrets import looks_secret

__all__ = ["StorageRequest", "add_storage", "list_storage", "remove_storage"]

_BAD_NAME = re.compile(r"[\s{}\"\\]")


@dataclass
class StorageRequest:
    """What ``storage add`` was asked for (None: not given, use the safe default)."""

    name: str
    backend_only: bool | None = None
    read: str | None = None
    write: str | None = None


def build_item(request: StorageRequest) -> tuple[dict[str, Any], list[str]]:
    """The storage item for ``request`` and notes on the defaults it got.

    Raises:
        UsageError: a name that cannot be a storage key, or an unknown permission.
    """
    name = request.name
    if not name or _BAD_NAME.search(name):
        raise UsageError(
            f"invalid storage name {name!r}",
            hint="use one word such as apiToken or oauth:github (no spaces, quotes or braces)",
        )
    read = _permission(request.read, "--read")
    write = _permission(request.write, "--write")
    notes: list[str] = []
    if oauth_tokens_provider(name):
        defaults = (True, "OWNER", "OWNER")
        why = (
            "it holds each agent's own OAuth token: backend-only, readable and writable by its "
            "owner only"
        )
    elif oauth_connection_provider(name):
        defaults = (True, "EVERYBODY", "OWNER")
        why = (
            "it holds the OAuth connection and its client secret: backend-only (only Deskpro's "
            "proxy reads it)"
        )
    elif looks_secret(name):
        defaults = (True, "EVERYBODY", "OWNER")
        why = "its name says it is a secret: backend-only (only Deskpro's proxy reads it)"
    else:
        defaults = (False, "EVERYBODY", "OWNER")
        why = ""
    backend_only = defaults[0] if request.backend_only is None else request.backend_only
    item = {
        "name": name,
        "isBackendOnly": backend_only,
        "permRead": read or defaults[1],
        "permWrite": write or defaults[2],
    }
    chosen = request.backend_only is None or read is None or write is None
    if why and chosen:
        notes.append(f"{name}: {why}; options given on the command line win")
    return item, notes


def add_storage(path: Path | str, request: StorageRequest, *, dry_run: bool = False) -> EditResult:
    """Add a storage item to the manifest at ``path`` (refused if one has that name already)."""
    editor = Editor(path)
    item, notes = build_item(request)
    key = items_key(editor.manifest())
    editor.refuse_existing(key, request.name, "storage item")
    editor.notes.extend(notes)
    if request.name in editor.names("settings"):
        editor.notes.append(
            f"{request.name!r} is also a setting: this item sets who can read and write its value"
        )
    editor.append(key, item)
    return editor.commit(
        f"added the storage item {request.name!r} to {editor.source.display} ({_access(item)})",
        dry_run=dry_run,
    )


def remove_storage(path: Path | str, name: str, *, dry_run: bool = False) -> EditResult:
    """Remove the storage item(s) called ``name`` from the manifest at ``path``."""
    editor = Editor(path)
    key = items_key(editor.manifest())
    found = editor.require_named(key, name, "storage item")
    if name in editor.names("settings"):
        editor.notes.append(
            f"{name!r} is a setting: its value now gets the default access (readable by "
            "everybody, written by its owner, backend-only only if the setting says so)"
        )
    editor.remove_items(key, found)
    what = "storage item" if len(found) == 1 else f"{len(found)} storage items"
    return editor.commit(
        f"removed the {what} {name!r} from {editor.source.display}", dry_run=dry_run
    )


@dataclass
class StorageListing:
    """The declared storage items, for ``storage list``."""

    file: str
    schema_version: str
    key: str
    items: list[dict[str, Any]]

    def to_json(self) -> dict[str, Any]:
        return {
            "source": self.file,
            "schema_version": self.schema_version,
            "key": self.key,
            "storage": self.items,
        }


def list_storage(path: Path | str) -> StorageListing:
    """The storage items as declared; ``setting`` says whether a setting has the same name."""
    editor = Editor(path, read_only=True)
    key = items_key(editor.manifest())
    settings = set(editor.names("settings"))
    rows: list[dict[str, Any]] = []
    for item in editor.array(key) or []:
        if isinstance(item, dict):
            row = dict(item)
            row["setting"] = item.get("name") in settings
            rows.append(row)
    return StorageListing(editor.source.display, editor.version, key, rows)


def _access(item: dict[str, Any]) -> str:
    where = "backend-only" if item["isBackendOnly"] else "readable by the app's page"
    return f"{where}, read: {item['permRead']}, write: {item['permWrite']}"


def _permission(value: str | None, option: str) -> str | None:
    if value is None:
        return None
    upper = value.strip().upper()
    if upper not in PERMISSIONS:
        raise UsageError(f"{option} {value!r}: use {' or '.join(PERMISSIONS)}")
    return upper
