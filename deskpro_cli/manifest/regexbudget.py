"""Matching a user's regex within a time budget: Python's :mod:`re` has no timeout.

A whitelist entry is the user's own regex, and one written like ``(\\w+\\.?)*`` backtracks
catastrophically: on a URL with a long host name a single ``search`` runs for minutes. Every
probe of such a pattern goes through :func:`search`, which gives up after
:data:`BUDGET_SECONDS` and raises :class:`RegexTimeout` instead of hanging the command.

How the budget is enforced:

* in the main thread, with ``signal.setitimer``: CPython's regex engine calls
  ``PyErr_CheckSignals`` every 4096 steps of its matching loop, so the ``SIGALRM`` handler's
  exception stops the match where it is (``tests/manifest/test_regexbudget.py`` checks this on
  the running interpreter). The previous handler is put back afterwards; when the process
  already has an interval timer running (someone else's alarm), or the platform has no
  ``setitimer``, the worker below is used instead;
* in any other thread (``deskpro serve`` builds on its own thread, and Python runs signal
  handlers only in the main thread), in a worker process started on first need: a small
  Python loop that reads ``[pattern, flags, text, budget]`` lines and answers ``1``, ``0`` or
  ``slow``, stopping its own matches with the same alarm; the caller waits at most the budget
  plus a grace period and kills a worker that does not answer (a platform without
  ``setitimer``). One worker serves the process, closed at exit.

Only the rare non-main-thread path imports :mod:`subprocess` and :mod:`queue`.
"""

from __future__ import annotations

import contextlib
import re
import signal
import sys
import threading
from typing import IO, Any

__all__ = ["BUDGET_SECONDS", "RegexTimeout", "search"]

#: The longest one match may take. A URL-sized input takes a benign pattern microseconds, and
#: a catastrophic one (exponential in the input's length) minutes: any budget in between gives
#: the same verdicts, so this one leaves room for a loaded machine.
BUDGET_SECONDS = 0.5
#: How much longer than the budget the caller waits for the worker's answer before killing it.
_WORKER_GRACE_SECONDS = 2.0
#: How long a worker may take to start (a loaded CI machine).
_WORKER_START_SECONDS = 30.0


class RegexTimeout(Exception):
    """A match ran past its budget (and was stopped)."""

    def __init__(self, budget: float) -> None:
        super().__init__(f"matching took more than {budget:g} s")
        self.budget = budget


def search(regex: re.Pattern[str], text: str, *, budget: float | None = None) -> bool:
    """Whether ``regex`` matches somewhere in ``text`` (``regex.search``), within ``budget``
    seconds (default :data:`BUDGET_SECONDS`).

    Raises:
        RegexTimeout: the match took longer than the budget; it has been stopped.
    """
    seconds = BUDGET_SECONDS if budget is None else budget
    found = _search_with_alarm(regex, text, seconds)
    if found is not None:
        return found
    return _worker_search(regex, text, seconds)


# -- the main thread: SIGALRM ----------------------------------------------------------------
class _Alarm(BaseException):
    """Raised by the SIGALRM handler to stop the match (BaseException: nothing catches it)."""


def _on_alarm(_signum: int, _frame: object) -> None:
    raise _Alarm


def _search_with_alarm(regex: re.Pattern[str], text: str, budget: float) -> bool | None:
    """The match under an interval timer; None when the timer cannot be used here."""
    if not hasattr(signal, "setitimer"):
        return None  # Windows
    if threading.current_thread() is not threading.main_thread():
        return None  # signal handlers run only in the main thread
    if signal.getitimer(signal.ITIMER_REAL)[0] > 0:
        return None  # another alarm is running: leave it alone
    previous = signal.getsignal(signal.SIGALRM)
    if previous is None:
        return None  # a handler installed from C: it could not be put back
    try:
        signal.signal(signal.SIGALRM, _on_alarm)
    except ValueError:
        return None  # not the main interpreter
    try:
        try:
            signal.setitimer(signal.ITIMER_REAL, budget)
            return regex.search(text) is not None
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
    except _Alarm:
        # (an alarm due just as the match ended lands here too: it took the whole budget)
        raise RegexTimeout(budget) from None
    finally:
        signal.signal(signal.SIGALRM, previous)


# -- other threads: a worker process ----------------------------------------------------------
_WORKER_CODE = """\
import json, re, signal, sys

class Slow(BaseException):
    pass

def alarm(signum, frame):
    raise Slow

timer = hasattr(signal, "setitimer")
if timer:
    signal.signal(signal.SIGALRM, alarm)
compiled = {}
sys.stdout.write("ready\\n")
sys.stdout.flush()
for line in sys.stdin:
    pattern, flags, text, budget = json.loads(line)
    try:
        regex = compiled.get((pattern, flags))
        if regex is None:
            regex = compiled[(pattern, flags)] = re.compile(pattern, flags)
        try:
            if timer:
                signal.setitimer(signal.ITIMER_REAL, budget)
            answer = "1" if regex.search(text) else "0"
        finally:
            if timer:
                signal.setitimer(signal.ITIMER_REAL, 0)
    except Slow:
        answer = "slow"
    except re.error:
        answer = "error"
    sys.stdout.write(answer + "\\n")
    sys.stdout.flush()
"""

_worker_lock = threading.Lock()
_worker: _Worker | None = None


class _Worker:
    """A Python process that runs matches for threads that cannot use the alarm."""

    def __init__(self) -> None:
        import queue
        import subprocess

        self._queue_empty = queue.Empty
        self.answers: queue.Queue[str] = queue.Queue()
        # -I -S: only the standard library, nothing from the environment or site-packages
        self.proc = subprocess.Popen(
            [sys.executable, "-I", "-S", "-c", _WORKER_CODE],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            encoding="utf-8",
        )
        assert self.proc.stdout is not None and self.proc.stdin is not None
        self.stdin: IO[str] = self.proc.stdin
        threading.Thread(
            target=self._read, args=(self.proc.stdout,), name="deskpro-regex-worker", daemon=True
        ).start()
        if self._answer(_WORKER_START_SECONDS) != "ready":
            self.close()
            raise OSError("the regex worker process did not start")

    def _read(self, stdout: IO[str]) -> None:
        with contextlib.suppress(OSError, ValueError):  # (closed under it by close())
            for line in stdout:
                self.answers.put(line.rstrip("\n"))
        self.answers.put("")  # the process ended

    def _answer(self, timeout: float) -> str | None:
        try:
            return self.answers.get(timeout=timeout)
        except self._queue_empty:
            return None

    def search(self, regex: re.Pattern[str], text: str, budget: float) -> bool:
        import json

        request = json.dumps([regex.pattern, regex.flags, text, budget])
        self.stdin.write(request + "\n")
        self.stdin.flush()
        answer = self._answer(budget + _WORKER_GRACE_SECONDS)
        if answer in ("1", "0"):
            return answer == "1"
        if answer == "slow":
            raise RegexTimeout(budget)
        self.close()
        if answer is None:  # no answer in time: the worker could not stop the match itself
            raise RegexTimeout(budget)
        raise OSError(f"the regex worker process failed ({answer or 'it ended'})")

    def close(self) -> None:
        """End the process (killed if it does not end on its own at once)."""
        with contextlib.suppress(OSError):
            self.stdin.close()
        try:
            self.proc.wait(timeout=1)
        except Exception:  # noqa: BLE001 - subprocess.TimeoutExpired, or interrupted
            self.proc.kill()
            self.proc.wait()
        if self.proc.stdout is not None:
            self.proc.stdout.close()


def _worker_search(regex: re.Pattern[str], text: str, budget: float) -> bool:
    """The match in the worker process (a second, fresh one if the first has died); unbounded
    in this thread only if no worker can run at all (no interpreter to start: a frozen app)."""
    global _worker
    with _worker_lock:
        for _attempt in range(2):
            try:
                if _worker is None or _worker.proc.poll() is not None:
                    _worker = _Worker()
                    _close_at_exit()
                return _worker.search(regex, text, budget)
            except RegexTimeout:
                if _worker is not None and _worker.proc.poll() is not None:
                    _worker = None  # killed: the next match starts another
                raise
            except (OSError, ValueError):  # it could not start, or its pipe broke
                if _worker is not None:
                    _worker.close()
                _worker = None
        # rather than refuse a pattern that may well be fine
        return regex.search(text) is not None


_registered = False


def _close_at_exit() -> None:
    global _registered
    if not _registered:
        import atexit

        atexit.register(close_worker)
        _registered = True


def close_worker() -> None:
    """Stop the worker process, if one runs (at exit; tests call it too)."""
    global _worker
    with _worker_lock:
        if _worker is not None:
            _worker.close()
            _worker = None


def worker_pid() -> int | None:
    """The worker process's id, or None when none runs (for tests)."""
    worker: Any = _worker
    return None if worker is None else int(worker.proc.pid)
