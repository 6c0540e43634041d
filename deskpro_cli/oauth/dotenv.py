"""The OAuth App's id and secret from the project's ``.env`` file, when the environment lacks them.

The scaffolded ``.gitignore`` keeps ``.env`` out of git and ``deskpro package`` never packs a
dotfile, so ``.env`` is where a developer keeps ``DESKPRO_OAUTH_CLIENT_SECRET`` between runs.
Only the names asked for are read, and only into the values returned: nothing else of the file
reaches the process environment, and no value is ever shown.

The format is the common one: ``NAME=value`` lines, an optional ``export`` before the name,
``#`` comments on lines of their own, values optionally in single or double quotes (no escapes
and no ``${...}`` expansion inside them), blank lines ignored. A line that is none of these is
skipped.
"""

from __future__ import annotations

import re
import stat
from collections.abc import Iterable
from pathlib import Path
from typing import NamedTuple

__all__ = ["DotEnv", "dotenv_folder", "read_dotenv"]

_LINE = re.compile(r"\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*")


class DotEnv(NamedTuple):
    """What a ``.env`` gave: the values found, the file, and a warning to show (or None)."""

    values: dict[str, str]
    path: Path | None
    warning: str | None


def dotenv_folder(path: Path) -> Path:
    """The project folder of ``PATH`` (a folder, or its package.json/manifest.json)."""
    return path if path.is_dir() else path.parent


def read_dotenv(folder: Path, names: Iterable[str]) -> DotEnv:
    """The values of ``names`` in ``folder/.env`` (none when the file is absent)."""
    path = folder / ".env"
    wanted = set(names)
    try:
        text = path.read_text(encoding="utf-8-sig", errors="replace")
        mode = path.stat().st_mode
    except FileNotFoundError:
        return DotEnv({}, None, None)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        return DotEnv({}, None, f"could not read {path}: {reason}")
    values: dict[str, str] = {}
    for line in text.splitlines():
        m = _LINE.fullmatch(line)
        if m is None or m.group(1) not in wanted:
            continue
        values[m.group(1)] = _value(m.group(2))
    values = {k: v for k, v in values.items() if v}
    warning = None
    if values and mode & (stat.S_IRGRP | stat.S_IROTH):
        warning = (
            f"{path} can be read by other users of this machine; `chmod 600 {path}` keeps "
            "the secret yours"
        )
    return DotEnv(values, path, warning)


def _value(raw: str) -> str:
    if len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "\"'":
        return raw[1:-1]
    if raw[:1] in "\"'":
        return raw  # an unclosed quote: taken as written
    return raw.split(" #", 1)[0].rstrip()  # an unquoted value ends at a comment
