"""The browser seam: open a URL in the user's browser without disturbing our stdout.

Browsers started by :mod:`webbrowser` inherit the process's stdout and some print to it, which
would break ``--json`` (exactly one object on stdout). While the browser is launched, file
descriptor 1 points at stderr, so whatever it prints lands there.
"""

from __future__ import annotations

import os
import sys
import webbrowser


def _no_graphical_session() -> bool:
    """Linux/BSD without a display: :mod:`webbrowser` would fall back to a console browser
    (lynx, w3m) that takes over the terminal and blocks until quit (cli/cli#297)."""
    if sys.platform in ("darwin", "win32", "cygwin"):
        return False
    return not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def open_browser(url: str) -> bool:
    """Try to open ``url``; False when no browser could be started (the caller shows the URL).

    ``BROWSER=false`` (or ``none``, ``0``) never opens one; without a graphical session only an
    explicit ``BROWSER`` is used.
    """
    chosen = os.environ.get("BROWSER", "").strip()
    if chosen.lower() in ("false", "none", "0"):
        return False
    if not chosen and _no_graphical_session():
        return False
    saved: int | None = None
    try:
        sys.stdout.flush()
        saved = os.dup(1)
        os.dup2(2, 1)
    except (OSError, ValueError):
        saved = None
    try:
        return bool(webbrowser.open(url, new=2))
    except webbrowser.Error:
        return False
    finally:
        if saved is not None:
            os.dup2(saved, 1)
            os.close(saved)
