"""The build state the dev server publishes, and a board that threads wait on for changes.

Every finished build (good or failed) gets the next ``id``; pages loaded at one id reload when the
server announces another (server-sent events on ``/__deskpro/events``).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from deskpro_cli.devserver.target import BuiltApp
from deskpro_cli.errors import DeskproError, ProblemsFound
from deskpro_cli.problems import Problem


@dataclass(frozen=True)
class BuildState:
    """The server's view of the app after the latest build.

    Attributes:
        id: 0 until the first build finishes, then one more per finished build.
        ok: None while the first build runs, then whether the latest build succeeded.
        built: the last good build (kept while later builds fail), or None.
        error: why the latest build failed, or None.
        warnings: warnings of the latest build.
        duration: seconds the latest build took.
        internal: the failure was a bug in deskpro-cli rather than in the app.
    """

    id: int = 0
    ok: bool | None = None
    built: BuiltApp | None = None
    error: DeskproError | None = None
    warnings: tuple[Problem, ...] = field(default_factory=tuple)
    duration: float = 0.0
    internal: bool = False

    @property
    def problems(self) -> list[Problem]:
        """The failed build's problems (empty when it failed without a list)."""
        if isinstance(self.error, ProblemsFound):
            return list(self.error.problems)
        return []

    def to_json(self) -> dict[str, object]:
        """What ``/__deskpro/status`` and the event stream say about this state."""
        return {
            "id": self.id,
            "ok": self.ok,
            "duration": round(self.duration, 4),
            "appVersion": self.built.app_version if self.built else None,
            "error": self.error.message if self.error else None,
            "problems": [p.to_json() for p in self.problems],
            "warnings": [p.to_json() for p in self.warnings],
        }


class StateBoard:
    """Holds the current :class:`BuildState`; threads block until it changes or the board closes."""

    def __init__(self) -> None:
        self._state = BuildState()
        self._cond = threading.Condition()
        self._closed = False

    def is_closed(self) -> bool:
        """Whether the server is stopping (waiters should end)."""
        return self._closed

    def current(self) -> BuildState:
        with self._cond:
            return self._state

    def publish(self, state: BuildState) -> None:
        with self._cond:
            self._state = state
            self._cond.notify_all()

    def wait_change(self, seen_id: int, timeout: float) -> BuildState:
        """Wait until the state's id differs from ``seen_id``, the board closes, or ``timeout``."""
        with self._cond:
            self._cond.wait_for(lambda: self._closed or self._state.id != seen_id, timeout)
            return self._state

    def close(self) -> None:
        """Wake every waiter for good (the server is stopping)."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()
