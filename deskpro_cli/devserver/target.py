"""The ``target/`` folder laid out for Deskpro's Dev Mode, and swapping a new build into it.

Layout (as the old tool's server had it, spec/deskpro-apps-v1.md §3)::

    target/manifest.json                         the resolved manifest
    target/v<appVersion>/files/manifest.json     the same, where the zip has it
    target/v<appVersion>/files/html/...          the bundle, as in the zip
    target/v<appVersion>/files/assets/...
    target/v<appVersion>/files/docs/...

A build is written into a staging folder (``target/.deskpro-serve/``), laid out there, then moved
into place with a few renames while the server holds its lock, so a request never sees half of a
build. Only what this module owns is replaced: ``target/manifest.json`` and folders
``target/v*/`` that hold a ``files/`` folder; anything else a user keeps in ``target/`` stays.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from deskpro_cli.devserver.paths import resolve_file
from deskpro_cli.errors import CheckFailed, EnvironmentFailure

STAGING_NAME = ".deskpro-serve"
_SAFE_VERSION_CHARS = frozenset(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-+_~"
)


@dataclass(frozen=True)
class BuiltApp:
    """What a good build put in ``target/``: the app version and the manifest that names it."""

    app_version: str
    manifest: dict[str, Any]

    @property
    def files_prefix(self) -> str:
        """The URL path of the bundle's root: ``/v<appVersion>/files``."""
        return f"/v{self.app_version}/files"

    def target_urls(self) -> list[tuple[str, str]]:
        """``(target name, URL path)`` for every target in the manifest, in manifest order."""
        out: list[tuple[str, str]] = []
        targets = self.manifest.get("targets")
        if isinstance(targets, list):
            for item in targets:
                if isinstance(item, dict):
                    name, url = item.get("target"), item.get("url")
                    if isinstance(name, str) and isinstance(url, str):
                        out.append((name, f"{self.files_prefix}/{url.lstrip('/')}"))
        return out


class TargetDir:
    """The project's ``target/`` folder: staging builds and swapping them in.

    ``lock`` is held while a build is swapped in and while a request's file is resolved and
    opened (an open file stays readable after it is renamed away). Resolved paths are cached
    until the next swap: resolving (``realpath``) was a quarter of a request's time.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self.real_root = Path(os.path.realpath(root))
        self.lock = threading.Lock()
        self._counter = 0
        self._resolved: dict[tuple[str, ...], Path] = {}

    @property
    def staging_root(self) -> Path:
        return self.root / STAGING_NAME

    def prepare(self) -> None:
        """Create ``target/`` (if needed), clear any staging left by a killed run, and make
        sure a build can be written there.

        Raises:
            EnvironmentFailure: ``target`` exists and is not a folder, or cannot be created or
                written to.
        """
        if self.root.exists() and not self.root.is_dir():
            raise EnvironmentFailure(
                f"{self.root} is a file, but deskpro serve builds into a folder of that name",
                hint="move or rename that file",
            )
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            self.clear_staging()
            # A probe: failing here is a clear message at start-up instead of a failed build.
            self.staging_root.mkdir()
            self.staging_root.rmdir()
        except OSError as exc:
            raise EnvironmentFailure(
                f"cannot write to {self.root}: {exc.strerror or exc}",
                hint="deskpro serve writes the build there; make that folder writable by you "
                "(or serve a copy of the project from a folder you can write to)",
            ) from exc
        self.real_root = Path(os.path.realpath(self.root))

    def open_file(self, segments: list[str]) -> tuple[Path, BinaryIO] | None:
        """The file of the current build at ``segments`` (see :func:`.paths.resolve_file`),
        opened for reading, or None when there is no such file inside ``target/``."""
        key = tuple(segments)
        with self.lock:
            path = self._resolved.get(key)
            if path is None:
                path = resolve_file(self.real_root, segments)
                if path is None:
                    return None
                if len(self._resolved) > 4096:
                    self._resolved.clear()
                self._resolved[key] = path
            try:
                return path, path.open("rb")
            except OSError:
                self._resolved.pop(key, None)
                return None

    def clear_staging(self) -> None:
        """Remove the staging folder and everything in it (a file or link of that name too)."""
        staging = self.staging_root
        if staging.is_symlink() or staging.is_file():
            with contextlib.suppress(OSError):
                staging.unlink()
        shutil.rmtree(staging, ignore_errors=True)

    def _drop_staging_root(self) -> None:
        # Between builds the staging folder does not exist, so a killed server leaves nothing.
        with contextlib.suppress(OSError):
            self.staging_root.rmdir()

    def new_staging(self) -> Path:
        """A fresh, empty folder for one build's output (the pipeline's output folder)."""
        self._counter += 1
        folder = self.staging_root / f"build-{os.getpid()}-{self._counter}"
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        return folder / "out"

    def install(self, out_dir: Path) -> BuiltApp:
        """Lay out a finished build (``out_dir``, in the zip's layout) and swap it into place.

        Raises:
            CheckFailed: the build has no readable ``manifest.json`` or no usable ``appVersion``.
        """
        built = _read_built(out_dir)
        work = out_dir.parent
        layout = work / "layout"
        version_dir = layout / f"v{built.app_version}"
        version_dir.mkdir(parents=True)
        shutil.copyfile(out_dir / "manifest.json", layout / "manifest.json")
        out_dir.rename(version_dir / "files")

        trash = work / "old"
        trash.mkdir()
        with self.lock:
            self._resolved.clear()
            for owned in self._owned_entries():
                owned.rename(trash / owned.name)
            (layout / "manifest.json").rename(self.root / "manifest.json")
            version_dir.rename(self.root / version_dir.name)
        shutil.rmtree(work, ignore_errors=True)
        self._drop_staging_root()
        return built

    def discard(self, out_dir: Path) -> None:
        """Throw away a failed build's staging folder."""
        shutil.rmtree(out_dir.parent, ignore_errors=True)
        self._drop_staging_root()

    def _owned_entries(self) -> list[Path]:
        owned: list[Path] = []
        with contextlib.suppress(FileNotFoundError):
            for entry in os.scandir(self.root):
                path = Path(entry.path)
                if (entry.name == "manifest.json" and entry.is_file(follow_symlinks=False)) or (
                    entry.name.startswith("v")
                    and entry.is_dir(follow_symlinks=False)
                    and (path / "files").is_dir()
                ):
                    owned.append(path)
        return owned


def _read_built(out_dir: Path) -> BuiltApp:
    manifest_path = out_dir / "manifest.json"
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise CheckFailed(
            f"the build wrote no readable manifest.json ({exc})",
            hint="this is a bug in the build step; run `deskpro package` to see it there",
        ) from exc
    version = manifest.get("appVersion") if isinstance(manifest, dict) else None
    if not isinstance(version, str) or not version or not set(version) <= _SAFE_VERSION_CHARS:
        raise _bad_version(version)
    return BuiltApp(app_version=version, manifest=manifest)


def _bad_version(version: object) -> CheckFailed:
    shown = json.dumps(version)
    return CheckFailed(
        f"the app version {shown} cannot be served: Deskpro loads Dev Mode files from "
        "/v<appVersion>/files/..., so the version must be one URL segment",
        hint='set "version" in package.json (or "appVersion" in manifest.json) to a semantic '
        'version such as "1.0.0"',
    )
