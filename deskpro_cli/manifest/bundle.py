"""A built app's files: a ``dist/`` folder or an ``app.zip``, and the manifest inside a zip.

:func:`~deskpro_cli.manifest.source.load_source` reads a built app's ``manifest.json`` like any
other and keeps the :class:`Bundle` next to it, so target URLs can be checked against the files
that ship (DP220). Here: listing a folder's files, and opening a zip (corrupt, truncated or
wrongly laid-out zips are problems DP021/DP022, never tracebacks).
"""

from __future__ import annotations

import os
from typing import NamedTuple

from deskpro_cli.manifest.reading import MAX_MANIFEST_BYTES, problem_error

__all__ = ["Bundle", "folder_bundle", "is_zip", "read_zip_manifest"]


class Bundle(NamedTuple):
    """A built app: the files of a ``dist/`` folder or an ``app.zip`` (posix paths)."""

    display: str
    files: frozenset[str]

    def has(self, rel: str) -> bool:
        """Whether the bundle holds the file ``rel`` (a target URL, relative to the root)."""
        path = rel.split("?", 1)[0].split("#", 1)[0]
        return "/".join(part for part in path.split("/") if part not in ("", ".")) in self.files


def folder_bundle(folder: str, display: str) -> Bundle:
    """The files under ``folder`` (``node_modules`` left out), named as ``display``."""
    out: list[str] = []
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = [d for d in dirnames if d != "node_modules"]
        rel_dir = os.path.relpath(dirpath, folder)
        prefix = "" if rel_dir == "." else rel_dir.replace(os.sep, "/") + "/"
        out.extend(prefix + name for name in filenames)
    return Bundle(display, frozenset(out))


def is_zip(path: str) -> bool:
    """Whether the file starts like a zip (whatever its name)."""
    try:
        with open(path, "rb") as f:
            return f.read(4) == b"PK\x03\x04"
    except OSError:
        return False


def read_zip_manifest(path: str, shown: str) -> tuple[bytes, Bundle]:
    """The bytes of the zip's root ``manifest.json`` and the zip's files.

    Raises:
        ProblemsFound: not a readable zip (DP021), or no manifest.json at its root, or one far
            too large to be a manifest (DP022).
    """
    import zipfile  # only zips need it (and it is slow to import)
    import zlib

    try:
        with zipfile.ZipFile(path) as zf:
            infos = [i for i in zf.infolist() if not i.is_dir()]
            names = {i.filename: i for i in infos}
            info = names.get("manifest.json")
            if info is None:
                raise problem_error(
                    shown,
                    "DP022",
                    "the zip has no manifest.json at its root",
                    hint=_zip_layout_hint(list(names)),
                )
            if info.file_size > MAX_MANIFEST_BYTES:
                raise problem_error(
                    shown,
                    "DP022",
                    f"its manifest.json is {info.file_size / 1e6:.1f} MB, far too large for a "
                    "manifest",
                    hint="rebuild the zip with `deskpro package`",
                )
            raw = zf.read(info)
    except zipfile.BadZipFile as exc:
        raise problem_error(
            shown,
            "DP021",
            f"not a readable zip file ({exc})",
            hint="the file is corrupt or truncated; rebuild it with `deskpro package`",
        ) from None
    except (NotImplementedError, RuntimeError, EOFError, ValueError, zlib.error) as exc:
        raise problem_error(
            shown,
            "DP021",
            f"cannot read manifest.json from the zip ({exc})",
            hint="the zip is damaged; rebuild it with `deskpro package`",
        ) from None
    return raw, Bundle(shown, frozenset(names))


def _zip_layout_hint(names: list[str]) -> str:
    nested = sorted(n for n in names if n.endswith("/manifest.json"))
    if nested:
        top = nested[0].rsplit("/manifest.json", 1)[0]
        return (
            f"it has {nested[0]}: the zip holds the folder {top}/ instead of its contents; "
            "zip the files inside dist/, or run `deskpro package`"
        )
    return "an app zip has manifest.json at its root; build it with `deskpro package`"
