"""Whose files are in ``dist/``: a build replaces its own, never a file it did not write.

Each build records the bundle paths it wrote in ``dist/.deskpro-build.json`` (a dotfile: never in
the zip, kept across builds). Before the next build writes anything, every file in ``dist/`` is
sorted out:

- the last build's files (in the record), and files at a path this build writes when there is no
  record yet (the first build into a ``dist/`` of another tool), are the build's to replace;
- zips and dotfiles at the top of ``dist/`` (``app.zip``, ``.gitkeep``) are always kept, as before;
- any other file or folder at the top of ``dist/`` whose name the bundle does not use
  (``app.zip.sha256``, ``NOTES.txt``, ``reports/``) is left where it is;
- any other file inside a folder the bundle has (``dist/assets/vendor.js`` of an old build,
  ``dist/html/x.html`` put there by hand) would be lost when the build replaces that folder, so
  the build stops first, naming the files (exit 2), and nothing is changed.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterable, Iterator
from pathlib import Path

from deskpro_cli.errors import UsageError

__all__ = ["RECORD_NAME", "check_output_folder", "write_record"]

RECORD_NAME = ".deskpro-build.json"
_SHOWN = 5


def check_output_folder(out_dir: Path, new_files: Iterable[str]) -> frozenset[str]:
    """The top-level names in ``out_dir`` (files or folders) the build must leave in place.

    Raises:
        UsageError: a file the build did not write sits inside a folder (or at a path) the build
            replaces; nothing has been changed.
    """
    if not out_dir.is_dir():
        return frozenset()
    new = set(new_files)
    new_tops = {n.partition("/")[0] for n in new}
    record = _read_record(out_dir)
    keep: set[str] = set()
    blocking: list[str] = []
    for rel in _files(out_dir):
        if (record is not None and rel in record) or (record is None and rel in new):
            continue
        top = rel.partition("/")[0]
        if top in new_tops:
            blocking.append(rel)  # inside (or at) what the build replaces
        else:
            keep.add(top)  # a file or folder of the user's beside the bundle: left alone
    if blocking:
        from deskpro_cli.manifest.source import display_path

        where = display_path(out_dir)
        shown = ", ".join(f"{out_dir.name}/{rel}" for rel in blocking[:_SHOWN])
        more = f" and {len(blocking) - _SHOWN} more" if len(blocking) > _SHOWN else ""
        raise UsageError(
            f"{where} holds files deskpro-cli did not write, in folders a build replaces: "
            f"{shown}{more}; nothing was changed",
            hint=f"move them out of {where} (or, if they are an old build, delete {where}) "
            "and run the command again (files and folders beside the bundle's own are left alone)",
        )
    return frozenset(keep)


def write_record(out_dir: Path, files: Iterable[str]) -> None:
    """Record the bundle paths this build wrote (best effort: without it, the next build only
    treats as its own the files at paths it writes again)."""
    data = json.dumps({"files": sorted(files)}, indent=0).encode("utf-8")
    tmp = out_dir / f"{RECORD_NAME}.{os.getpid()}.tmp"
    try:
        tmp.write_bytes(data)
        tmp.replace(out_dir / RECORD_NAME)
    except OSError:
        with contextlib.suppress(OSError):
            tmp.unlink()


def _read_record(out_dir: Path) -> set[str] | None:
    try:
        data = json.loads((out_dir / RECORD_NAME).read_bytes())
    except (OSError, ValueError):
        return None
    files = data.get("files") if isinstance(data, dict) else None
    if not isinstance(files, list):
        return None
    return {f for f in files if isinstance(f, str)}


def _files(out_dir: Path) -> Iterator[str]:
    """Bundle paths of the files (and symlinks) under ``out_dir``, except the top-level zips and
    dotfiles every build keeps (the staging folders among them)."""
    for child in sorted(out_dir.iterdir()):
        if child.name.startswith(".") or child.name.endswith(".zip"):
            continue
        if child.is_dir() and not child.is_symlink():
            for folder, dirs, files in os.walk(child):
                dirs.sort()
                base = Path(folder).relative_to(out_dir).as_posix()
                for name in sorted(files):
                    yield f"{base}/{name}"
                for name in dirs:
                    if Path(folder, name).is_symlink():
                        yield f"{base}/{name}"
        else:
            yield child.name
