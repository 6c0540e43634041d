"""What a caller gives the dev server and what it hears back: options, the build step, events.

Nothing here does anything; :class:`~deskpro_cli.devserver.server.DevServer` uses these types and
``deskpro serve`` renders the events.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from deskpro_cli.devserver.state import BuildState
from deskpro_cli.problems import Problem

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 31080

#: ``build_step(project_dir, out_dir) -> warnings``: build the app into the empty folder
#: ``out_dir`` in the zip's layout (``manifest.json``, ``html/``, ``assets/``, ``docs/``), not
#: minified and with no zip. Raise a :class:`~deskpro_cli.errors.DeskproError` (``ProblemsFound``
#: with file and line) when the app cannot be built.
BuildStep = Callable[[Path, Path], Sequence[Problem]]


@dataclass(frozen=True)
class ServeOptions:
    """How to serve.

    Attributes:
        host: address to listen on (loopback unless the user asks otherwise).
        port: TCP port; 0 picks a free one.
        watch: ``auto`` (watchfiles, else polling), ``polling``, or ``off``.
        debounce: seconds of quiet the file-event watcher waits for after a change before it
            reports the batch (a burst of saves, a ``git checkout``, is one build). The server
            builds as soon as a batch is reported and does not wait again.
        poll_interval: seconds between scans when polling.
    """

    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    watch: Literal["auto", "polling", "off"] = "auto"
    debounce: float = 0.03
    poll_interval: float = 0.25


# -- events the caller renders ------------------------------------------------------------
@dataclass(frozen=True)
class Listening:
    """The port is bound and requests are answered from now on, at ``url``."""

    url: str


@dataclass(frozen=True)
class BuildStarted:
    """A build began; ``changed`` lists the changed paths (relative), empty for the first one."""

    changed: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class BuildFinished:
    """A build ended (good or failed); ``state`` is what the server now serves."""

    state: BuildState
    first: bool
    traceback: str | None = None


@dataclass(frozen=True)
class Notice:
    """Something the user should know that is not a build result (a watcher fallback)."""

    message: str


ServeEvent = Listening | BuildStarted | BuildFinished | Notice
