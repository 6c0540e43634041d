"""Cancelling work that runs on another thread: a token, and the scope the work runs in.

Python cannot stop a thread, so work that may take long cooperates. The dev server builds on its
own thread; when it stops (Ctrl-C), it cancels its token and the build ends promptly:

- the owner runs the work inside ``with cancel.scope(token):`` (a context variable, so the work
  need not pass the token along; a thread pool inside the work must copy the context, as
  :func:`deskpro_cli.build.compiler.compile_project` does);
- code that waits on something outside (:func:`deskpro_cli.build.esbuild.run_esbuild`) asks
  :func:`current` for the token and registers, with :meth:`CancelToken.on_cancel`, how to end
  that wait (terminate its process); it raises :class:`Cancelled` once cancelled.

Outside any scope nothing changes: ``deskpro package`` runs with no token.
"""

from __future__ import annotations

import contextvars
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from deskpro_cli.errors import Interrupted


class Cancelled(Interrupted):
    """The work was cancelled by its owner (the server is stopping); nothing is left to report."""


class CancelToken:
    """Cancelled once, for good; callbacks registered before or after are each called once."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._cancelled = False
        self._callbacks: dict[int, Callable[[], None]] = {}
        self._next = 0

    @property
    def cancelled(self) -> bool:
        return self._cancelled

    def cancel(self) -> None:
        """Cancel: every registered callback is called now, on this thread."""
        with self._lock:
            if self._cancelled:
                return
            self._cancelled = True
            callbacks = list(self._callbacks.values())
            self._callbacks.clear()
        for callback in callbacks:
            callback()

    def on_cancel(self, callback: Callable[[], None]) -> Callable[[], None]:
        """Call ``callback`` when cancelled (at once if already); returns the function that
        unregisters it (call it when the wait it ends is over)."""
        with self._lock:
            if not self._cancelled:
                key = self._next
                self._next += 1
                self._callbacks[key] = callback

                def unregister() -> None:
                    with self._lock:
                        self._callbacks.pop(key, None)

                return unregister
        callback()
        return lambda: None

    def raise_if_cancelled(self) -> None:
        """Raise :class:`Cancelled` if this token is cancelled."""
        if self._cancelled:
            raise Cancelled("cancelled: the dev server is stopping")


_current: contextvars.ContextVar[CancelToken | None] = contextvars.ContextVar(
    "deskpro_cancel_token", default=None
)


def current() -> CancelToken | None:
    """The token of the scope this code runs in, or None outside any."""
    return _current.get()


@contextmanager
def scope(token: CancelToken) -> Iterator[CancelToken]:
    """Run the ``with`` block (on this thread, and in contexts copied from it) under ``token``."""
    reset = _current.set(token)
    try:
        yield token
    finally:
        _current.reset(reset)
