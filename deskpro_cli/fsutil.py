"""Safe file writes: a crash or Ctrl-C leaves the old file or the new one, never a mix."""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO


@contextlib.contextmanager
def atomic_writer(target: Path, *, mode: int | None = None) -> Iterator[IO[bytes]]:
    """Open a temporary file beside ``target``; on success fsync it and rename it over ``target``.

    The temporary file lives in the same folder (so the rename is atomic on one filesystem) and is
    removed on any exception, including KeyboardInterrupt. The new file keeps the permissions of
    the file it replaces, or gets ``mode`` (default 0o644) when there was none.

    Raises:
        OSError: the folder is not writable, the disk is full, ...; ``target`` is then untouched.
    """
    target = Path(target)
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:  # name the file the user knows, not our temporary one
        raise OSError(
            exc.errno, f"{exc.strerror} (cannot write {target.name} in its folder)", str(target)
        ) from None
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        try:
            keep = stat.S_IMODE(target.stat().st_mode)
        except FileNotFoundError:
            keep = mode if mode is not None else 0o644
        tmp.chmod(keep)
        tmp.replace(target)
        _fsync_dir(target.parent)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise


def atomic_write_bytes(target: Path, data: bytes, *, mode: int | None = None) -> None:
    """Write ``data`` to ``target`` atomically (see :func:`atomic_writer`)."""
    with atomic_writer(target, mode=mode) as handle:
        handle.write(data)


def _fsync_dir(folder: Path) -> None:
    """Make the rename itself durable (best effort: not every platform can open a folder)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
