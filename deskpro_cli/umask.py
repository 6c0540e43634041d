"""The process's umask, read without changing it (so other threads never see a wrong one).

POSIX has no call that only reads the umask: ``os.umask`` sets a new one and returns the old,
and a file another thread creates between setting and restoring it gets the wrong mode (the dev
server builds in a thread). So:

- on Linux the ``Umask:`` line of ``/proc/self/status`` (Linux 4.7 and newer) is read each time
  (the umask is per process, shared by its threads);
- elsewhere the value is read once at start-up, in the main thread before any other thread runs
  (:func:`remember_umask`, called by the ``deskpro`` entry point on platforms other than Linux),
  or on first use when no other thread exists yet; failing both (a Linux without ``/proc`` whose
  first write happens in a thread), the usual ``0o022`` is assumed.

Kept apart from :mod:`deskpro_cli.fsutil` so the entry point can call :func:`remember_umask`
without importing what fsutil needs (start-up time).
"""

from __future__ import annotations

import os
import sys

#: Assumed when the umask cannot be read safely (the common default).
DEFAULT_UMASK = 0o022
_PROC_STATUS = "/proc/self/status"

_at_start: int | None = None


def proc_umask() -> int | None:
    """The umask from ``/proc/self/status``, or None where there is no such line."""
    try:
        with open(_PROC_STATUS, encoding="ascii", errors="replace") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        return None
    return None


def remember_umask() -> int | None:
    """Read the umask once, for platforms without ``/proc``; call it in the main thread at
    start-up, before any other thread exists (setting and restoring it is then harmless).

    Returns what was remembered (None on a platform with ``/proc``, which needs nothing kept).
    """
    global _at_start
    if _at_start is None and proc_umask() is None:
        _at_start = _swap_read()
    return _at_start


def current_umask() -> int:
    """The process's umask (see the module docstring for how it is found)."""
    found = proc_umask()
    if found is not None:
        return found
    if _at_start is not None:
        return _at_start
    if _no_other_threads():
        remembered = remember_umask()
        if remembered is not None:
            return remembered
    return DEFAULT_UMASK


def _swap_read() -> int:
    old = os.umask(DEFAULT_UMASK)
    os.umask(old)
    return old


def _no_other_threads() -> bool:
    # Without the threading module no Python thread was ever started.
    threading = sys.modules.get("threading")
    return threading is None or threading.active_count() == 1
