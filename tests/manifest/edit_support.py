"""Helpers for the manifest-editing tests: small valid projects, and what a diff changed."""

from __future__ import annotations

import difflib
import json
from pathlib import Path
from typing import Any

AUTHOR = {"name": "Ann Dev", "email": "ann@example.com"}


def manifest_for(version: str = "2.3.0", **extra: Any) -> dict[str, Any]:
    """A valid manifest object (the ``deskpro`` part) of ``version``."""
    m: dict[str, Any] = {"version": version, "title": "Demo"}
    if version != "2.4.0":
        m["scope"] = "agent"
    m["isSingle"] = True
    m["targets"] = [{"target": "ticket-sidebar", "url": "html/index.html"}]
    m.update(extra)
    return m


def package_json(version: str = "2.3.0", **extra: Any) -> dict[str, Any]:
    return {
        "name": "demo-app",
        "version": "1.0.0",
        "description": "A demo app",
        "author": AUTHOR,
        "deskpro": manifest_for(version, **extra),
    }


def manifest_json(version: str = "2.3.0", **extra: Any) -> dict[str, Any]:
    return {
        "appVersion": "1.0.0",
        "name": "demo-app",
        "description": "A demo app",
        "author": AUTHOR,
        **manifest_for(version, **extra),
    }


def write_project(
    folder: Path,
    document: dict[str, Any],
    *,
    kind: str = "package.json",
    indent: int | str = 2,
    crlf: bool = False,
    final_newline: bool = True,
) -> Path:
    """Write a project folder holding ``document`` as ``kind``; returns the manifest file."""
    folder.mkdir(parents=True, exist_ok=True)
    text = json.dumps(document, indent=indent, ensure_ascii=False)
    if final_newline:
        text += "\n"
    if crlf:
        text = text.replace("\n", "\r\n")
    path = folder / kind
    path.write_bytes(text.encode("utf-8"))
    return path


def changed_lines(old: str, new: str) -> tuple[list[str], list[str]]:
    """All removed and all added lines between two texts (line endings kept)."""
    a, b = old.splitlines(keepends=True), new.splitlines(keepends=True)
    removed: list[str] = []
    added: list[str] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag != "equal":
            removed += a[i1:i2]
            added += b[j1:j2]
    return removed, added
