"""A deterministic zip, streamed from disk and written atomically.

The same files give the same bytes, whatever the file dates, the folder, the user, the umask
or the locale:

- entries sorted by name (code-point order, which is UTF-8 byte order), ``manifest.json`` first;
- every entry dated ``SOURCE_DATE_EPOCH`` (UTC) when given, else 1980-01-01 00:00:00 (the zip
  epoch, as reproducible wheels use), mode ``0644``, "made by" Unix, no extra fields;
- no directory entries (a Deskpro helpdesk and ``unzip`` create folders from the names);
- deflate (level 6, set on each entry) for everything except already-compressed types, which are
  stored: compressing a PNG or a WOFF2 again costs time and saves nothing.

Bytes stream from disk in 1 MiB blocks, so memory does not grow with the app. The zip is written
to a temporary file beside the target and renamed over it only when complete (and under
``max_size``), through :mod:`deskpro_cli.fsutil`: a failure or Ctrl-C keeps the previous zip,
and a temporary file left by a killed run is removed by the next one.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import time
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from deskpro_cli.fsutil import atomic_writer, remove_dead_temps

DEFAULT_DATE = (1980, 1, 1, 0, 0, 0)
DEFLATE_LEVEL = 6
FILE_MODE = 0o644
BLOCK = 1 << 20

#: Types whose content is already compressed; they are stored, not deflated.
STORED_SUFFIXES = frozenset(
    {
        # images
        ".png", ".jpg", ".jpeg", ".gif", ".webp", ".avif", ".heic", ".jxl",
        # fonts
        ".woff", ".woff2",
        # archives and compressed streams
        ".zip", ".gz", ".tgz", ".bz2", ".xz", ".zst", ".br", ".7z", ".rar", ".lz", ".lzma",
        # audio and video
        ".mp3", ".mp4", ".m4a", ".m4v", ".aac", ".ogg", ".oga", ".ogv", ".opus", ".webm",
        ".mov", ".avi", ".mkv", ".flac",
        # zip-based documents
        ".jar", ".docx", ".xlsx", ".pptx", ".odt", ".ods", ".odp", ".epub",
    }
)  # fmt: skip


class ArchiveTooLarge(Exception):
    """The finished zip is larger than ``max_size``; the target was not replaced."""

    def __init__(self, size: int, limit: int, entries: list[EntryInfo]) -> None:
        super().__init__(f"zip is {size} bytes, over the limit of {limit}")
        self.size = size
        self.limit = limit
        self.entries = entries


class SourceUnreadable(Exception):
    """A file to pack cannot be opened; the target was not replaced."""

    def __init__(self, name: str, error: OSError) -> None:
        super().__init__(f"{name}: {error.strerror or error}")
        self.name = name
        self.error = error


@dataclass(frozen=True)
class EntryInfo:
    """One entry of the written zip: name, bytes before and after compression, method."""

    name: str
    size: int
    compressed: int
    method: str  # "deflate" | "store"


@dataclass(frozen=True)
class ArchiveInfo:
    """The zip that was written."""

    path: Path
    bytes: int
    sha256: str
    entries: list[EntryInfo]

    def largest(self, count: int = 5) -> list[EntryInfo]:
        """The ``count`` biggest entries by their size in the zip (ties by name)."""
        return sorted(self.entries, key=lambda e: (-e.compressed, e.name))[:count]


def entry_order(names: Iterable[str]) -> list[str]:
    """The order entries are written in: ``manifest.json`` first, then by code point."""
    return sorted(names, key=lambda n: (n != "manifest.json", n))


def zip_date(epoch: int | None) -> tuple[int, int, int, int, int, int]:
    """The date every entry carries: ``epoch`` (seconds, UTC) clamped to what zip can hold."""
    if epoch is None:
        return DEFAULT_DATE
    if epoch < 315532800:  # 1980-01-01T00:00:00Z, the first date a zip entry can carry
        return DEFAULT_DATE
    t = time.gmtime(epoch)
    if t.tm_year > 2107:
        return (2107, 12, 31, 23, 59, 58)
    return (t.tm_year, t.tm_mon, t.tm_mday, t.tm_hour, t.tm_min, t.tm_sec)


def method_for(name: str) -> int:
    """``ZIP_STORED`` for already-compressed types, ``ZIP_DEFLATED`` for everything else."""
    suffix = PurePosixPath(name).suffix.lower()
    return zipfile.ZIP_STORED if suffix in STORED_SUFFIXES else zipfile.ZIP_DEFLATED


def make_info(name: str, size: int, date: tuple[int, int, int, int, int, int]) -> zipfile.ZipInfo:
    """The fixed header of one entry (everything but the content-derived CRC and sizes)."""
    info = zipfile.ZipInfo(name, date_time=date)
    info.create_system = 3  # Unix, on every platform, so the mode bits below mean the same
    info.external_attr = (0o100000 | FILE_MODE) << 16
    info.compress_type = method_for(name)
    info.file_size = size  # lets zipfile pick zip64 up front for huge files
    if info.compress_type == zipfile.ZIP_DEFLATED:
        _set_level(info, DEFLATE_LEVEL)
    return info


def _set_level(info: zipfile.ZipInfo, level: int) -> None:
    # Python 3.13 made the per-entry level public as ``compress_level``; before that it is the
    # private ``_compresslevel`` that ZipFile.open(info, "w") reads.
    if hasattr(zipfile.ZipInfo, "compress_level"):
        info.compress_level = level  # type: ignore[attr-defined,unused-ignore]
    else:
        info._compresslevel = level  # type: ignore[attr-defined]


def write_zip(
    files: dict[str, Path],
    target: Path,
    *,
    epoch: int | None = None,
    max_size: int | None = None,
) -> ArchiveInfo:
    """Write ``files`` (entry name -> file on disk) as a deterministic zip at ``target``.

    Entry names use ``/`` and carry no leading slash or ``..`` (the caller's bundle layout).

    Raises:
        ArchiveTooLarge: the zip came out over ``max_size`` bytes (the target is untouched).
        SourceUnreadable: a file to pack cannot be opened (likewise).
        OSError: a file cannot be read, the disk is full, the folder is read-only... (the target
            is untouched and the temporary file removed; KeyboardInterrupt likewise).
    """
    date = zip_date(epoch)
    remove_dead_temps(target)  # what a killed earlier run left beside the zip
    with atomic_writer(target) as handle:
        with zipfile.ZipFile(handle, "w", allowZip64=True) as archive:
            for name in entry_order(files):
                try:
                    src = files[name].open("rb")
                except OSError as exc:
                    raise SourceUnreadable(name, exc) from exc
                with src:
                    size = os.fstat(src.fileno()).st_size
                    info = make_info(name, size, date)
                    with archive.open(info, "w", force_zip64=size >= zipfile.ZIP64_LIMIT) as dst:
                        shutil.copyfileobj(src, dst, BLOCK)
            infos = archive.infolist()
        total = handle.tell()
        entries = [
            EntryInfo(
                i.filename,
                i.file_size,
                i.compress_size,
                "store" if i.compress_type == zipfile.ZIP_STORED else "deflate",
            )
            for i in infos
        ]
        if max_size is not None and total > max_size:
            raise ArchiveTooLarge(total, max_size, entries)
    return ArchiveInfo(target, total, sha256_of(target), entries)


def sha256_of(path: Path) -> str:
    """The hex SHA-256 of a file, read in blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(BLOCK), b""):
            digest.update(block)
    return digest.hexdigest()
