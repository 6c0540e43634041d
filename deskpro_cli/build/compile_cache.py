"""The incremental compile cache: skip esbuild when nothing it read has changed.

Layout under the cache folder (default ``<project>/target/.deskpro-cache/compile``)::

    units/<unit>-<key16>.json   one record per compiled unit and option set
    objects/<sha256>            output files, stored by content (shared, idempotent writes)

A record holds the key (options, esbuild version, deskpro-cli version, the generated code), the
sha256 of every input esbuild reported in its metafile, the listing of each source folder (so a
new file that would change how an import resolves is noticed), the config files esbuild reads on
its own (``tsconfig.json``, ``jsconfig.json``, ``package.json`` of source folders and the project,
``node_modules/.package-lock.json``), and the sha256 of every output. A hit restores the outputs
byte for byte; a missing or damaged object makes it a miss. Every write is a rename, so an
interrupted run leaves either the old record or the new one; concurrent runs at worst compile
twice.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import shutil
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

CACHE_FORMAT = 1
_MISSING = "-"
_CONFIG_NAMES = ("tsconfig.json", "jsconfig.json", "package.json")


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _sha256_file(path: Path) -> str:
    try:
        return sha256_bytes(path.read_bytes())
    except OSError:
        return _MISSING


def _digest(project_dir: Path, rel: str) -> str:
    """The sha256 a record keeps for one input.

    The project's own package.json is hashed without its ``deskpro`` key: the manifest is not
    read by esbuild, and editing settings or domains should not cost a recompile.
    """
    path = project_dir / rel
    if rel != "package.json":
        return _sha256_file(path)
    try:
        data = path.read_bytes()
    except OSError:
        return _MISSING
    try:
        document = json.loads(data)
    except ValueError:
        return sha256_bytes(data)
    if isinstance(document, dict):
        document.pop("deskpro", None)
    return sha256_bytes(json.dumps(document, sort_keys=True).encode())


def _listing_hash(folder: Path) -> str:
    try:
        names = sorted(
            p.name for p in folder.iterdir() if not p.name.startswith(".") and p.name[-1:] != "~"
        )
    except OSError:
        return _MISSING
    return sha256_bytes("\0".join(names).encode("utf-8", "surrogateescape"))


def is_virtual(path: str) -> bool:
    """Whether a metafile input is esbuild's own (``(disabled):fs``) or our stdin entry."""
    return path.startswith("(") or "deskpro:" in path


@dataclass
class Fingerprint:
    """What a compile read: files by sha256, source folders by listing hash."""

    files: dict[str, str] = field(default_factory=dict)
    folders: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"files": self.files, "folders": self.folders}


def fingerprint(project_dir: Path, inputs: Iterable[str]) -> Fingerprint:
    """Hash every input (paths relative to ``project_dir``, as esbuild's metafile gives them)."""
    fp = Fingerprint()
    extra: set[str] = {"package.json", "tsconfig.json", "jsconfig.json"}
    extra.add("node_modules/.package-lock.json")
    folders: set[Path] = set()
    for rel in inputs:
        if is_virtual(rel):
            continue
        fp.files[rel] = _digest(project_dir, rel)
        if "node_modules" in Path(rel).parts:
            continue
        folder = (project_dir / rel).parent
        folders.add(folder)
    root = project_dir
    for folder in sorted(folders):
        fp.folders[_rel(folder, root)] = _listing_hash(folder)
        # esbuild reads the nearest tsconfig.json / package.json above every source file.
        here = folder
        while True:
            for name in _CONFIG_NAMES:
                extra.add(_rel(here / name, root))
            if here == root or here.parent == here or root not in here.parents:
                break
            here = here.parent
    for rel in sorted(extra - set(fp.files)):
        fp.files[rel] = _digest(project_dir, rel)
    return fp


def _rel(path: Path, root: Path) -> str:
    return os.path.relpath(path, root).replace(os.sep, "/")


def still_matches(project_dir: Path, fp: dict[str, Any]) -> bool:
    """Whether every file and folder of a stored fingerprint is unchanged."""
    files = fp.get("files", {})
    folders = fp.get("folders", {})
    for rel, digest in files.items():
        if _digest(project_dir, rel) != digest:
            log.debug("compile cache: %s changed", rel)
            return False
    for rel, digest in folders.items():
        if _listing_hash(project_dir / rel) != digest:
            log.debug("compile cache: files in %s changed", rel)
            return False
    return True


@dataclass(frozen=True)
class CacheHit:
    """A record whose inputs are unchanged, with its outputs read back."""

    outputs: dict[str, bytes]
    meta: dict[str, Any]


class CompileCache:
    """The cache folder of one project (see the module docstring)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _record_path(self, unit: str, key: str) -> Path:
        return self.root / "units" / f"{unit}-{key[:16]}.json"

    def _object_path(self, digest: str) -> Path:
        return self.root / "objects" / digest

    def last_meta(self, unit: str, key: str) -> dict[str, Any]:
        """The ``meta`` of the record for ``key``, changed inputs or not (``{}`` when none).

        A hint only (what the last compile with these options found), never a result.
        """
        try:
            record = json.loads(self._record_path(unit, key).read_text(encoding="utf-8"))
            meta = record["meta"]
        except (OSError, ValueError, KeyError, TypeError):
            return {}
        return meta if isinstance(meta, dict) else {}

    def lookup(self, unit: str, key: str, project_dir: Path) -> CacheHit | None:
        """The stored outputs when the record for ``key`` exists and nothing changed."""
        path = self._record_path(unit, key)
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if record.get("format") != CACHE_FORMAT or record.get("key") != key:
            return None
        if not still_matches(project_dir, record.get("inputs", {})):
            return None
        outputs: dict[str, bytes] = {}
        for name, digest in record.get("outputs", {}).items():
            try:
                data = self._object_path(digest).read_bytes()
            except OSError:
                return None
            if sha256_bytes(data) != digest:
                log.debug("compile cache: object for %s is damaged", name)
                return None
            outputs[name] = data
        return CacheHit(outputs=outputs, meta=record.get("meta", {}))

    def store(
        self,
        unit: str,
        key: str,
        inputs: Fingerprint,
        outputs: dict[str, bytes],
        meta: dict[str, Any],
    ) -> None:
        """Remember a compile; failures to write the cache are logged, never fatal."""
        try:
            self._store(unit, key, inputs, outputs, meta)
        except OSError as exc:
            log.warning("could not write the compile cache in %s: %s", self.root, exc)

    def _store(
        self,
        unit: str,
        key: str,
        inputs: Fingerprint,
        outputs: dict[str, bytes],
        meta: dict[str, Any],
    ) -> None:
        digests: dict[str, str] = {}
        for name, data in sorted(outputs.items()):
            digest = sha256_bytes(data)
            digests[name] = digest
            target = self._object_path(digest)
            if not target.exists():
                _write_replace(target, data)
        record = {
            "format": CACHE_FORMAT,
            "key": key,
            "unit": unit,
            "inputs": inputs.to_json(),
            "outputs": digests,
            "meta": meta,
        }
        _write_replace(
            self._record_path(unit, key), json.dumps(record, indent=1, sort_keys=True).encode()
        )
        self._collect_garbage()

    def sweep_stale_stages(self, older_than_s: float = 3600.0) -> None:
        """Remove staging folders an interrupted or killed run left behind (an hour old)."""
        stage = self.root / "stage"
        try:
            entries = list(stage.iterdir())
        except OSError:
            return
        limit = time.time() - older_than_s
        for entry in entries:
            with contextlib.suppress(OSError):
                if entry.stat().st_mtime < limit:
                    shutil.rmtree(entry, ignore_errors=True)

    def _collect_garbage(self) -> None:
        """Drop objects no record refers to (old outputs of a unit)."""
        live: set[str] = set()
        for record_path in (self.root / "units").glob("*.json"):
            try:
                live.update(json.loads(record_path.read_text(encoding="utf-8"))["outputs"].values())
            except (OSError, ValueError, KeyError, AttributeError):
                continue
        for obj in (self.root / "objects").iterdir():
            if obj.name not in live and not obj.name.endswith(".tmp"):
                with contextlib.suppress(OSError):
                    obj.unlink()


def _write_replace(target: Path, data: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f"{target.name}.{os.getpid()}.tmp")
    try:
        tmp.write_bytes(data)
        tmp.replace(target)
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()
