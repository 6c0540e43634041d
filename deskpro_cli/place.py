"""Put a set of new files into a folder all or nothing, never overwriting anything (``init``).

Contract of :func:`place_files`:
- A folder that does not exist yet is staged beside it (``.deskpro-init-*`` in its parent) and
  moved into place with one ``rename``; parent folders that were missing are created, and removed
  again on failure.
- Into an existing folder the files are staged in a temporary folder inside it (same file system,
  and the parent need not be writable) and linked into place one by one with ``os.link``, which
  refuses to replace an existing file, so even a file created meanwhile is never overwritten
  (where hard links are not supported, an ``O_EXCL`` copy does the same). Files that already
  exist are kept as they are and reported.
- A file is never written through a symbolic link: a path whose folder inside the target is a
  symbolic link, a file, or whose own name is a folder, is refused before anything is written.
- Any failure, ``KeyboardInterrupt`` included, removes what was placed, the staging folder and
  the parents this call created; an ``OSError`` becomes :class:`EnvironmentFailure` (exit 3).
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from deskpro_cli.errors import CheckFailed, EnvironmentFailure

STAGING_PREFIX = ".deskpro-init-"


@dataclass(frozen=True)
class Placed:
    """Relative POSIX paths of the files :func:`place_files` created and of those it kept."""

    created: tuple[str, ...]
    kept: tuple[str, ...]


def place_files(directory: Path, files: Mapping[str, bytes]) -> Placed:
    """Create ``files`` (relative POSIX path -> bytes) in ``directory``; see the module docstring.

    Raises:
        CheckFailed: a file to create is blocked (a file or a symbolic link where a folder must
            go, a folder where the file must go); nothing was written (exit 1).
        EnvironmentFailure: the folder cannot be written, the disk is full (exit 3).
        KeyboardInterrupt: passed on after everything written was removed.
    """
    directory = Path(directory)
    exists = directory.exists()
    create, keep = _conflicts(directory, files) if exists else (list(files), [])

    made_parents = _missing_parents(directory)
    staging: Path | None = None
    try:
        for folder in made_parents:
            folder.mkdir()
        staging = Path(
            tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=directory if exists else directory.parent)
        )
        _write_tree(staging, {rel: files[rel] for rel in create})
        if exists:
            _merge(staging, directory, create)
        else:
            staging.chmod(0o777 & ~_umask())
            staging.rename(directory)
            staging = None
    except OSError as exc:
        _cleanup(staging, made_parents)
        raise _environment_error(exc, str(directory)) from exc
    except BaseException:
        _cleanup(staging, made_parents)
        raise
    _cleanup(staging, [])
    return Placed(tuple(create), tuple(keep))


def _conflicts(directory: Path, files: Iterable[str]) -> tuple[list[str], list[str]]:
    """Split ``files`` into (to create, to keep); refuse a path that is blocked."""
    create: list[str] = []
    keep: list[str] = []
    for rel in files:
        target = directory / rel
        parent = target.parent
        while parent != directory:
            if parent.is_symlink():
                raise CheckFailed(
                    f"cannot create {target}: {parent} is a symbolic link, and init writes only "
                    "inside its target folder; nothing was written",
                    hint="move that link away or choose another folder",
                )
            if parent.exists() and not parent.is_dir():
                raise CheckFailed(
                    f"cannot create {target}: {parent} is a file, not a folder; nothing was "
                    "written",
                    hint="move that file away or choose another folder",
                )
            parent = parent.parent
        if target.is_dir() and not target.is_symlink():
            raise CheckFailed(
                f"cannot create {target}: a folder of that name exists; nothing was written",
                hint="move that folder away or choose another folder",
            )
        (keep if target.exists() or target.is_symlink() else create).append(rel)
    return create, keep


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _missing_parents(directory: Path) -> list[Path]:
    """The folders above ``directory`` that do not exist, outermost first."""
    missing: list[Path] = []
    parent = directory.parent
    while not parent.exists() and parent != parent.parent:
        missing.append(parent)
        parent = parent.parent
    return list(reversed(missing))


def _environment_error(exc: OSError, what: str) -> EnvironmentFailure:
    where = str(exc.filename or what)
    # The staging folder's random name means nothing to the user: name the folder it is in.
    for folder in (Path(where), *Path(where).parents):
        if folder.name.startswith(STAGING_PREFIX):
            where = f"in {folder.parent}"
            break
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        hint = "choose a folder you can write to, or fix the permissions of that one"
    elif exc.errno in (errno.ENOSPC, errno.EDQUOT):
        hint = "free some disk space and run the command again"
    elif exc.errno == errno.EEXIST:
        hint = "another program created that file meanwhile; run the command again"
    else:
        hint = None
    return EnvironmentFailure(
        f"cannot write {where}: {exc.strerror or exc}; nothing was left behind", hint=hint
    )


def _write_tree(root: Path, files: Mapping[str, bytes]) -> None:
    mode = 0o666 & ~_umask()
    for rel, data in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)


def _place_file(source: Path, target: Path) -> None:
    """Move ``source`` to ``target`` without ever replacing an existing ``target``."""
    try:
        os.link(source, target)  # fails with EEXIST: never overwrites
    except OSError as exc:
        if exc.errno not in (errno.EXDEV, errno.EPERM, errno.ENOTSUP, errno.EMLINK):
            raise
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666 & ~_umask())
        with os.fdopen(fd, "wb") as handle, source.open("rb") as src:
            shutil.copyfileobj(src, handle)


def _merge(staging: Path, directory: Path, create: list[str]) -> None:
    """Place the staged files into an existing folder; on any failure undo what was placed."""
    made_dirs: list[Path] = []
    placed: list[Path] = []
    try:
        for rel in create:
            target = directory / rel
            inside = [p for p in target.parents if p != directory and directory in p.parents]
            for folder in reversed(inside):
                if not folder.exists():
                    folder.mkdir()
                    made_dirs.append(folder)
            _place_file(staging / rel, target)
            placed.append(target)
    except BaseException:
        for path in reversed(placed):
            with contextlib.suppress(OSError):
                path.unlink()
        for folder in reversed(made_dirs):
            with contextlib.suppress(OSError):
                folder.rmdir()
        raise


def _cleanup(staging: Path | None, made_parents: list[Path]) -> None:
    if staging is not None:
        shutil.rmtree(staging, ignore_errors=True)
    for folder in reversed(made_parents):
        with contextlib.suppress(OSError):
            folder.rmdir()
