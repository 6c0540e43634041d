"""Safe file writes: a crash or Ctrl-C leaves the old file or the new one, never a mix."""

from __future__ import annotations

import contextlib
import glob
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from deskpro_cli.umask import current_umask


@contextlib.contextmanager
def atomic_writer(target: Path, *, mode: int | None = None) -> Iterator[IO[bytes]]:
    """Open a temporary file beside ``target``; on success fsync it and rename it over ``target``.

    The temporary file lives in the same folder (so the rename is atomic on one filesystem) and is
    removed on any exception, including KeyboardInterrupt. The new file keeps the permissions of
    the file it replaces; a file that did not exist gets what ``open()`` would give it: ``mode``
    (default 0o666) less the process's umask (read without changing it, see
    :mod:`deskpro_cli.umask`, as this may run in a thread).

    Raises:
        OSError: the folder is not writable, the disk is full, ...; ``target`` is then untouched.
    """
    target = Path(target)
    try:
        fd, tmp_name = tempfile.mkstemp(
            prefix=_temp_prefix(target), suffix=".tmp", dir=target.parent
        )
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
            keep = (mode if mode is not None else 0o666) & ~current_umask() & 0o7777
        tmp.chmod(keep)
        tmp.replace(target)
        _fsync_dir(target.parent)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise


def _temp_prefix(target: Path, pid: int | None = None) -> str:
    # The writer's pid is in the name, so a process killed before it could clean up (SIGKILL,
    # power loss) can be told from one still writing: see remove_dead_temps.
    return f".{target.name}.{os.getpid() if pid is None else pid}-"


def remove_dead_temps(target: Path) -> list[Path]:
    """Remove the temporary files that :func:`atomic_writer` calls for ``target`` left behind
    when their process was killed; those of live processes stay. Returns what was removed.

    Best effort: a file that cannot be removed is left.
    """
    target = Path(target)
    removed = []
    start = f".{target.name}."
    for tmp in target.parent.glob(f"{glob.escape(start)}*.tmp"):
        pid_text = tmp.name[len(start) :].split("-", 1)[0]
        if not pid_text.isdigit() or process_alive(int(pid_text)):
            continue
        with contextlib.suppress(OSError):
            tmp.unlink()
            removed.append(tmp)
    return removed


def process_alive(pid: int) -> bool:
    """Whether a process with that id exists (ours always does)."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, OverflowError):  # gone, or too big to be a pid
        return False
    except PermissionError:  # another user's process
        return True
    return True


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
