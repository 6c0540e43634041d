"""The browser seam: open a URL in the user's browser without disturbing our stdout.

Browsers started by :mod:`webbrowser` inherit the process's stdout and some print to it, which
would break ``--json`` (exactly one object on stdout). While the browser is launched, file
descriptor 1 points at stderr, so whatever it prints lands there.
"""

from __future__ import annotations

import os
import sys
import webbrowser


def open_browser(url: str) -> bool:
    """Try to open ``url``; False when no browser could be started (the caller shows the URL)."""
    if os.environ.get("BROWSER", "").strip().lower() in ("false", "none", "0"):
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
