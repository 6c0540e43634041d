"""The build state the dev server publishes, and a board that threads wait on for changes.

Every finished build (good or failed) gets the next ``id``; pages loaded at one id reload when the
server announces another (on ``/__deskpro/socket`` and ``/__deskpro/events``). Build ids start
again at 1 when the server restarts, so every state also carries the server run's ``run`` token:
a page compares both, and reloads after a restart once the new server's first build is done.
"""

from __future__ import annotations

import secrets
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
        run: the token of the server run that made this state (random, one per server), so that
            build 3 of one run is not taken for build 3 of the next.
    """

    id: int = 0
    ok: bool | None = None
    built: BuiltApp | None = None
    error: DeskproError | None = None
    warnings: tuple[Problem, ...] = field(default_factory=tuple)
    duration: float = 0.0
    internal: bool = False
    run: str = ""

    @property
    def problems(self) -> list[Problem]:
        """The failed build's problems (empty when it failed without a list)."""
        if isinstance(self.error, ProblemsFound):
            return list(self.error.problems)
        return []

    def to_json(self) -> dict[str, object]:
        """What ``/__deskpro/status`` and the event stream say about this state."""
        return {
            "run": self.run,
            "id": self.id,
            "ok": self.ok,
            "duration": round(self.duration, 4),
            "appVersion": self.built.app_version if self.built else None,
            "error": self.error.message if self.error else None,
            "problems": [p.to_json() for p in self.problems],
            "warnings": [p.to_json() for p in self.warnings],
        }


def new_run_token() -> str:
    """A token naming one server run: random, so two runs (even at once) never share one."""
    return secrets.token_hex(8)


class StateBoard:
    """Holds the current :class:`BuildState`; threads block until it changes or the board closes."""

    def __init__(self, run: str | None = None) -> None:
        """Start at "no build yet" for the server run ``run`` (a fresh random token if None)."""
        self._state = BuildState(run=run if run is not None else new_run_token())
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
